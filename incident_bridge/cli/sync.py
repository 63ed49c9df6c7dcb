"""`flask bridge import`: bringing in the incident system's Excel/CSV exports."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.domain.errors import BridgeError
from incident_bridge.state import bridge_state


class Refused(click.ClickException):
    """The import did not run: one line in Russian on stderr, exit status 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Ошибка: {self.format_message()}", err=True)


def register(group: click.Group) -> None:
    """Add the sync commands to ``flask bridge``."""
    group.add_command(import_export)


@click.command("import")
@click.argument("path")
@click.option(
    "--exported-at",
    default=None,
    help="When the export was made (ISO 8601, the zone of --tz if none is given). Needed to "
    "update stored incidents when the file has no «Дата изменения» and is no workbook that "
    "says when it was saved; without it existing incidents are left unchanged.",
)
@click.option(
    "--tz", "zone", default="Europe/Moscow", show_default=True, help="Zone of the file's dates."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row, then a summary.")
@with_appcontext
def import_export(path: str, exported_at: str | None, zone: str, as_json: bool) -> None:
    """Import an .xlsx or .csv export (idempotent) and report every row."""
    from adapters import ImportLimits, import_file
    from incident_bridge.services.imports import (
        STATUS_LABELS,
        check_export_time,
        import_rows,
        summary,
    )

    if not os.path.isfile(path):
        raise Refused(f"нет такого файла: «{path[:200]}».")
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Refused(f"неизвестный часовой пояс «{zone[:100]}» (--tz).") from exc
    stamp = _moment(exported_at, tz) if exported_at else None
    state = bridge_state(current_app)
    settings = state.settings
    limits = ImportLimits(
        max_bytes=settings.import_max_bytes,
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
    )
    now = datetime.now(UTC)
    try:
        check_export_time(stamp, now)
        rows = import_file(path, tz=tz, exported_at=stamp, limits=limits)
        outcomes = import_rows(state.unit_of_work(), state.context, rows, now, source=path)
    except BridgeError as exc:
        raise Refused(exc.user_message) from exc
    except OSError as exc:
        raise Refused(f"файл не читается: {exc.strerror or exc}.") from exc
    for o in outcomes:
        if as_json:
            click.echo(
                json.dumps(
                    {"row": o.row, "number": o.external_id, "status": o.status, "reason": o.reason},
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(
                f"строка {o.row:>5}  {o.external_id or '—':<16} {o.label}{': ' + o.reason if o.reason else ''}"
            )
    counts = summary(outcomes)
    if as_json:
        click.echo(json.dumps({"summary": counts}, ensure_ascii=False))
        return
    click.echo("Итого: " + ", ".join(f"{STATUS_LABELS[k]} {v}" for k, v in counts.items()))
    if any(r.card is not None and not r.dated for r in rows):
        click.echo(
            "В файле нет времени выгрузки: существующие сообщения не обновлялись. "
            "Укажите его: --exported-at 2025-10-30T13:00:00+03:00.",
            err=True,
        )


def _moment(text: str, tz: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise Refused(
            f"--exported-at: «{text[:60]}» — не дата ISO 8601 (например 2025-10-30T13:00)."
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
