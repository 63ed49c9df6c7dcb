"""Judging an ``.xlsx`` archive before openpyxl reads it: zip bombs, and zips that are no workbook.

Even in ``read_only`` mode openpyxl reads the shared strings whole, parses the
workbook's small parts whole and, for every sheet without a ``<dimension>``, walks
the sheet keeping each row element it has cleared. So the zip's directory is
judged first: the number of members, each one's size, the total, the compression
ratio. These are the sizes the archive declares, and ``zipfile`` holds a member to
them: it never inflates past the declared size, it stops with a CRC error. Then
every large XML part is walked by a streaming expat parser that keeps nothing,
counting what openpyxl would keep (the elements of the top three levels) and the
longest run of text, and refusing a DTD (no OOXML part has one; XML entity bombs
start with one).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import IO
from xml.etree import ElementTree
from xml.parsers import expat

from adapters.file_reading import HARD_CELL_CHARS, HEADER_SEARCH, ImportLimits, count, fragment
from incident_bridge.domain.errors import InvalidInput

MIB = 1024 * 1024
#: A workbook of one sheet has about ten parts.
MAX_MEMBERS = 500
#: Any one part, inflated (a sheet of 20,000 rows of long texts is about 40 MB).
MAX_MEMBER_BYTES = 100 * MIB
#: All parts together, inflated.
MAX_TOTAL_BYTES = 200 * MIB
#: Parts openpyxl parses whole into a tree: the manifest, the workbook, its styles, properties.
MAX_WHOLE_PART_BYTES = 4 * MIB
#: Inflated size / stored size, for parts over ``RATIO_FROM``; real sheets compress 5 to 20 times.
MAX_RATIO = 100
RATIO_FROM = 1 * MIB
#: Smaller parts cannot hold enough elements to matter, so they are not walked.
SCAN_FROM = 1 * MIB
#: Elements on a part's top three levels (rows, shared strings…) per row the limits allow.
ENTRIES_PER_ROW = 50

MANIFEST = "[Content_Types].xml"
WHOLE_PARTS = frozenset(
    {MANIFEST, "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "docProps/custom.xml",
     "xl/styles.xml"}
)  # fmt: skip
_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_MACRO = "application/vnd.ms-excel"
#: The content types of a workbook part, as openpyxl looks for them.
WORKBOOK_TYPES = frozenset(
    {f"{_SHEET}.sheet.main+xml", f"{_SHEET}.template.main+xml",
     f"{_MACRO}.sheet.macroEnabled.main+xml", f"{_MACRO}.template.macroEnabled.main+xml"}
)  # fmt: skip
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def open_workbook(data: bytes) -> zipfile.ZipFile:
    """The file as a zip archive, or a Russian ``InvalidInput`` saying what it is instead."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(
            "Это файл старого формата Excel (.xls) или книга, защищённая паролем: откройте его "
            "в Excel и сохраните как «Книга Excel (.xlsx)» без пароля."
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InvalidInput(
            "Файл назван .xlsx, но это не книга Excel (не zip-архив)"
            + (": похоже на текст — если это CSV, дайте ему расширение .csv." if _textual(data)
               else ". Сохраните выгрузку в Excel как «Книга Excel (.xlsx)».")
        ) from exc  # fmt: skip


def check_workbook(archive: zipfile.ZipFile, limits: ImportLimits) -> frozenset[str]:
    """Refuse an archive openpyxl must not read; return the parts known to hold no links.

    (The large parts walked that have neither a ``<hyperlink>`` nor a formula: reading
    their links again would be wasted time.)
    """
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(infos) > MAX_MEMBERS:
        raise _bomb(f"в архиве {count(len(infos))} частей, в книге Excel их около десятка")
    if len(set(names)) != len(names):
        raise _bomb("в архиве есть части с одинаковыми именами")
    total = 0
    for info in infos:
        _check_member(info)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _bomb(
            f"распакованный архив занял бы {_mib(total)}, допустимо {_mib(MAX_TOTAL_BYTES)}"
        )
    workbook = _workbook_part(archive, set(names))
    whole = WHOLE_PARTS | {workbook, rels_of(workbook)}
    for info in infos:
        if info.filename in whole and info.file_size > MAX_WHOLE_PART_BYTES:
            raise _bomb(
                f"служебная часть «{fragment(info.filename)}» занимает {_mib(info.file_size)}"
            )
    entries = ENTRIES_PER_ROW * (limits.max_rows + HEADER_SEARCH)
    return frozenset(
        info.filename
        for info in infos
        if info.file_size > SCAN_FROM and not _walk(archive, info, entries)
    )


def _check_member(info: zipfile.ZipInfo) -> None:
    name = fragment(info.filename)
    if info.flag_bits & 0x1:
        raise InvalidInput("Книга зашифрована: сохраните её в Excel без пароля.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InvalidInput(
            f"Часть книги «{name}» сжата неизвестным Excel способом: файл не читается."
        )
    if info.file_size > MAX_MEMBER_BYTES:
        raise _bomb(f"часть «{name}» распаковывается в {_mib(info.file_size)}")
    if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
        ratio = info.file_size // max(info.compress_size, 1)
        raise _bomb(f"часть «{name}» сжата в {count(ratio)} раз ({_mib(info.file_size)})")


def _workbook_part(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The workbook part, found as openpyxl finds it (the manifest's content types)."""
    if MANIFEST not in names:
        raise InvalidInput(f"Это zip-архив, но не книга Excel{_what_zip(archive, names)}.")
    if archive.getinfo(MANIFEST).file_size > MAX_WHOLE_PART_BYTES:
        raise _bomb(f"список частей «{MANIFEST}» занимает слишком много")
    try:
        root = ElementTree.fromstring(archive.read(MANIFEST))
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
        raise InvalidInput("Книга Excel повреждена: не читается список её частей.") from exc
    part = next(
        (o.get("PartName", "") for o in root.iter(f"{_CT}Override")
         if o.get("ContentType") in WORKBOOK_TYPES),
        None,
    )  # fmt: skip
    if part is None and any(
        d.get("ContentType") in WORKBOOK_TYPES for d in root.iter(f"{_CT}Default")
    ):
        part = "/xl/workbook.xml"
    if part is None or part.lstrip("/") not in names:
        raise InvalidInput(f"Это zip-архив, но не книга Excel{_what_zip(archive, names)}.")
    return part.lstrip("/")


def _what_zip(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "word/document.xml" in names:
        return " (похоже на документ Word)"
    ods = b"application/vnd.oasis.opendocument.spreadsheet"
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:  # noqa: SIM102
        if archive.read("mimetype").startswith(ods):
            return ": это таблица OpenDocument (.ods) — сохраните её как «Книга Excel (.xlsx)»"
    return ""


def rels_of(part: str) -> str:
    head, tail = posixpath.split(part)
    return posixpath.join(head, "_rels", tail + ".rels")


class _Walker:
    """Counts what openpyxl would keep of one XML part, keeping nothing itself."""

    def __init__(self, part: str, max_entries: int) -> None:
        self.part = fragment(part)
        self.max_entries = max_entries
        self.depth = self.entries = self.run = 0
        self.links = False  # a hyperlink or a formula (maybe HYPERLINK(…)) seen
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.StartDoctypeDeclHandler = self._doctype

    def _start(self, name: str, attrs: object) -> None:
        self.depth += 1
        self.run = 0
        if not self.links and (name == "f" or name.endswith((":f", "hyperlink"))):
            self.links = True
        if 1 < self.depth <= 3:
            self.entries += 1
            if self.entries > self.max_entries:
                raise _bomb(f"в части «{self.part}» больше {count(self.max_entries)} записей")

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.run = 0

    def _text(self, data: str) -> None:
        self.run += len(data)
        if self.run > HARD_CELL_CHARS:
            raise _bomb(f"в части «{self.part}» текст длиннее {count(HARD_CELL_CHARS)} знаков")

    def _doctype(self, *args: object) -> None:
        raise _bomb(f"часть «{self.part}» объявляет DTD")


def _walk(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_entries: int) -> bool:
    """Walk one part; whether it may hold links."""
    walker = _Walker(info.filename, max_entries)
    try:
        with archive.open(info) as stream:
            head = stream.read(64)
            if not _xml(head):
                return False  # a picture or the like: openpyxl does not parse it
            walker.parser.Parse(head, False)
            _feed(walker, stream)
    except expat.ExpatError as exc:
        raise InvalidInput(f"Книга Excel повреждена: часть «{walker.part}» — не XML.") from exc
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise InvalidInput(
            f"Книга Excel повреждена: часть «{walker.part}» не распаковывается."
        ) from exc
    return walker.links


def _feed(walker: _Walker, stream: IO[bytes]) -> None:
    while chunk := stream.read(MIB):
        walker.parser.Parse(chunk, False)
    walker.parser.Parse(b"", True)


def _xml(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<")


def _textual(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" not in sample and sum(b < 9 or 13 < b < 32 for b in sample) == 0


def _bomb(detail: str) -> InvalidInput:
    return InvalidInput(
        f"Файл отклонён как опасный (похож на «zip-бомбу»): {detail}. Выгрузка системы Инцидент "
        "так не устроена; если файл настоящий, разделите его на части."
    )


def _mib(size: int) -> str:
    return f"{count(max(1, round(size / MIB)))} МБ"
