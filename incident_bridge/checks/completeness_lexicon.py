"""Words and cues for the completeness check: content lemmas, topics, answer-type cues."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from incident_bridge.checks.morph import lemmas, parses
from incident_bridge.checks.tokens import Sentence, Token, sentences

# Abbreviations after which the shared splitter wrongly ends a sentence («ул. Ленина»).
_ABBREV_END_RE = re.compile(
    r"(?:\b(?:ул|д|г|пр|пр-т|просп|пер|пл|им|кв|корп|стр|обл|р-н|мкр|пос|п|с|ст|тел|"
    r"каб|руб|коп|т|ч|мин|сек|см|м|км|св|тыс|млн|млрд|ед|шт|прим|рис|гр|ж|о|ф)\.|\b[А-ЯЁ]\.)$"
)

# Parts of speech that carry no topic.
_FUNCTION_POS = {"NPRO", "PREP", "CONJ", "PRCL", "INTJ", "NUMR", "PRED"}
# Person names come from greetings and signatures, never from the substance.
_NAME_TAGS = {"Name", "Patr"}

_MONTHS = r"январ|феврал|март|апрел|ма[йяюе]\b|июн|июл|август|сентябр|октябр|ноябр|декабр"
_WEEKDAYS = r"понедельник|вторник|сред[уы]\b|четверг|пятниц|суббот|воскресень"
# «когда?» wants a date, a term or a schedule; «в ближайшее время» is not one.
WHEN_RE = re.compile(
    rf"{_MONTHS}|{_WEEKDAYS}|\b\d{{1,2}}\.\d{{1,2}}(?:\.\d{{2,4}})?\b|\b(?:19|20)\d\d\b|"
    r"квартал|полугоди|декад|\bсезон|весн|\bлет(?:ом|ний|нем|него)|осен|\bзим(?:ой|ний|нем|него)|"
    r"до конца|в течение|в срок|сроки|\bсрок\b|до \d|по \d|с \d|через \d|через (?:неделю|месяц|год|"
    r"день|два|три|несколько)|\bза \d|завтра|послезавтра|сегодня|на (?:этой|следующей|текущей) "
    r"неделе|в (?:этом|следующем|текущем) (?:месяце|году)|ежедневно|еженедельно|по графику|"
    r"по расписанию|\b\d{1,2}[:.]\d\d\b|в первой половине|во второй половине|после (?:завершения|"
    r"окончания|схода|установления|наступления)|до начала|к началу|в навигаци|в весенне|"
    r"в осенне|в летн|в зимн|\bуже\b|до \w+ (?:года|месяца)|в \w+ неделю|\bчас|\bсуток"
)
# «сколько?» wants a number.
NUMBER_RE = re.compile(
    r"\d|\b(?:один|одна|одно|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|"
    r"двадцать|тридцать|сорок|пятьдесят|сто|двести|триста|тысяч\w*|миллион\w*|несколько|"
    r"бесплатн\w*|половин\w*|десят\w*|сотн\w*)\b"
)
# «кто?» wants a body or a person.
WHO_RE = re.compile(
    r"администрац|управляющ\w* компани|\bук\b|\bтсж\b|\bжск\b|\bмуп\b|\bмку\b|\bмбу\b|\bгуп\b|"
    r"\bогуп\b|\bао\b|\bпао\b|\bооо\b|подрядчик|подрядн|оператор|служб|отдел\b|отдел[аеуом]|"
    r"управлени|комитет|департамент|министерств|учреждени|компани|предприяти|организаци|"
    r"ответственн|на балансе|обслужива|закреплен|филиал|ресурсоснабжающ|водоканал|теплосет|"
    r"электросет|россети|гибдд|полици|прокуратур|мчс|депутат|глав[аеуы]\b|специалист|мастер|"
    r"инспектор|участков|уполномоченн|собственник|«[^»]+»|\"[^\"]+\"|перевозчик|балансодержател"
)
# «почему?» wants a reason.
WHY_RE = re.compile(
    r"в связи с|так как|из-за|из за|поскольку|причин|вследствие|связан[аоы]? с|вызван|"
    r"обусловлен|объясня|потому что|ввиду|в результате|дело в том|\bт\.\s?к\.|произошл|"
    r"не позволя|не позволил|не удалось|отсутстви|не (?:было )?(?:выделен|предусмотрен)|нехватк|"
    r"бюджет|финансир|"
    r"погодн|по вине|из-под|на основании|согласно"
)
# «где?»/«куда?» wants a place or a way to get in touch.
WHERE_RE = re.compile(
    r"по адресу|\bул\.|улиц|проспект|пр-т|переул|площад|\bд\.\s*\d|\bдом[а-я]*\s*№?\s*\d|кабинет|"
    r"\bкаб\.|\bокн[оа]\b|мфц|здани|офис|пункт|в районе|возле|около|рядом с|напротив|вблизи|"
    r"на территории|микрорайон|сайт|портал|госуслуг|телефон|\+7|\b8[\s-]?\(?\d{3}|по номеру|"
    r"электронн\w* почт|@|на пересечении|у дома|в здании|на участке|перекрест|в сторону"
)
# Statements about the appeal itself, not about the matter: «Ваше обращение рассмотрено».
NON_ANSWER_RE = re.compile(
    r"(?:обращени|сообщени|вопрос|информаци|жалоб|заявк)\w*\s+(?:\w+\s+){0,2}"
    r"(?:рассмотрен|принят|взят|передан|направлен|зарегистрирован|находится на|поставлен)|"
    r"на контрол|к сведению|^вы (?:пишете|сообщаете|указываете|жалуетесь|обратились|спрашиваете|"
    r"интересуетесь)|^в вашем (?:обращении|сообщении)|будет рассмотрен|рассмотрим"
)
# Courtesy openings and closings that never answer anything.
COURTESY_RE = re.compile(
    r"^(?:здравствуйте|добрый (?:день|вечер)|доброе утро|доброго (?:времени|дня)|приветствуем|"
    r"уважаем\w+|благодар\w*|спасибо|с уважением|с наилучшими|заранее|всего доброго|"
    r"хорошего дня|надеемся на понимание|приносим (?:свои )?извинения|извините)"
)
# A clause that settles a complaint whatever it was about: the remark itself is fixed
# («Замечание устранено», «выявленные недостатки устранены») or the check found nothing
# («Информация не подтвердилась», «изложенные факты не подтвердились»).
GENERIC_RESOLVED_RE = re.compile(
    r"^(?:(?:все|выявленн|указанн|отмеченн|изложенн|данн|эт)\w*\s+)?(?:замечани|нарушени|недостат|"
    r"неисправност|дефект|недоч[её]т|проблем)\w*\s+(?:был\w*\s+|полностью\s+|своевременно\s+)?"
    r"(?:устранен|исправлен|решен)\w*$|"
    r"^(?:(?:изложенн|указанн|приведенн|приведённ|эт|данн)\w*\s+)?(?:информаци|факт|сведени|довод)"
    r"\w*(?:\s+(?:изложенн\w*|указанн\w*|в\s+(?:вашем\s+)?обращении|при\s+проверке|в\s+ходе\s+"
    r"проверки))*\s+(?:не\s+подтвердил|не\s+наш[её]?л\w*\s+подтверждени)\w*$|"
    r"^(?:нарушени|факт|недостат)\w*\s+не\s+(?:выявлен|обнаружен|установлен)\w*$|"
    r"^(?:(?:при|в\s+ходе)\s+(?:проверки|проверке|осмотре|осмотра)\s+)?не\s+(?:выявлен|обнаружен|"
    r"установлен)\w*\s+(?:нарушени|недостат|фактов)\w*$"
)
# Decisions that settle a matter without a perfective verb of doing.
DECIDED_RE = re.compile(
    r"\bне подтвердил|\bприняты? решени|\bвключен\w* в (?:план|программ|перечень|график|"
    r"реестр|титульный)"
)
_LANDMARK_PREPS = {
    "у", "возле", "около", "напротив", "рядом", "вблизи", "близ", "недалеко", "неподалеку",
    "неподалёку", "вдоль", "позади", "сзади", "против",
}  # fmt: skip
# Verbs that courtesy sentences are built of.
_COURTESY_VERBS = {
    "здравствовать", "благодарить", "обратиться", "сообщить", "уделить", "надеяться",
    "извиниться", "приносить", "понимать", "желать", "обращаться", "проявить",
}  # fmt: skip


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``, not cut after abbreviations or initials («ул. Ленина»)."""
    merged: list[Sentence] = []
    for sent in sentences(text):
        if merged and _ABBREV_END_RE.search(merged[-1].text):
            prev = merged.pop()
            sent = Sentence(
                text[prev.start : sent.end], prev.start, sent.end, prev.tokens + sent.tokens
            )
        merged.append(sent)
    return merged


@cache
def stopwords() -> frozenset[str]:
    """Lemmas that carry no topic (``data/completeness_stopwords.txt``)."""
    raw = resources.files("incident_bridge.checks").joinpath("data/completeness_stopwords.txt")
    lines = raw.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


@cache
def weak_words() -> frozenset[str]:
    """Lemmas of places, people and generic verbs (``data/completeness_weak_words.txt``)."""
    raw = resources.files("incident_bridge.checks").joinpath("data/completeness_weak_words.txt")
    lines = raw.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


@cache
def topic_index() -> dict[str, frozenset[str]]:
    """Lemma -> municipal topic groups it belongs to (``data/completeness_topics.toml``)."""
    raw = resources.files("incident_bridge.checks").joinpath("data/completeness_topics.toml")
    groups: dict[str, list[str]] = tomllib.loads(raw.read_text(encoding="utf-8"))["groups"]
    index: dict[str, set[str]] = {}
    for name, entries in groups.items():
        for entry in entries:
            for form in {entry, _norm(lemmas(entry))}:
                index.setdefault(form, set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


def _norm(forms: frozenset[str]) -> str:
    return min(forms).replace("ё", "е")


@lru_cache(maxsize=100_000)
def content_lemma(word: str) -> str | None:
    """The lemma of a content word, or ``None`` for function words, names and stop words."""
    low = word.lower().replace("ё", "е")
    if len(low) < 2 or low.isdigit():
        return None
    ps = parses(low)
    if not ps:
        return None
    tag = ps[0].tag
    if tag.POS in _FUNCTION_POS or tag.POS is None or _NAME_TAGS & tag.grammemes:
        return None
    lem = str(ps[0].normal_form).replace("ё", "е")
    return None if lem in stopwords() else lem


@lru_cache(maxsize=100_000)
def groups_of(word: str) -> frozenset[str]:
    """Topic groups of a word under any of its readings."""
    index = topic_index()
    found: set[str] = set()
    for lem in lemmas(word.lower()):
        found |= index.get(lem.replace("ё", "е"), frozenset())
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Word:
    """A content word: its lemma, topic groups, form, and whether it can name the matter.

    ``matter`` is a noun or a verb that is neither a landmark, a name, an address nor a
    weak word: sharing one is evidence that a reply sentence is about the same thing.
    """

    lemma: str
    groups: frozenset[str]
    form: str
    matter: bool
    noun: bool


def words_of(tokens: tuple[Token, ...] | list[Token]) -> list[Word]:
    """Every content word among ``tokens``.

    A noun after «у», «возле», «напротив»… is a landmark, not the topic: in «гололёд у
    поликлиники» the matter is ice, and a reply about the clinic does not answer it.
    """
    out: list[Word] = []
    lows = [t.lower for t in tokens]
    for i, t in enumerate(tokens):
        lem = content_lemma(t.text)
        if lem is None:
            continue
        low = lows[i]
        landmark = i > 0 and lows[i - 1] in _LANDMARK_PREPS
        pos = _pos(low)
        matter = (
            pos in _MATTER_POS
            and not landmark
            and lem not in weak_words()
            and not _is_name_or_address(tokens, lows, i)
        )
        groups = frozenset() if landmark else groups_of(t.text)
        out.append(Word(lem, groups, low, matter, pos == "NOUN"))
    return out


_MATTER_POS = {"NOUN", "VERB", "INFN", "PRTS", "PRTF", "GRND"}
_ADDRESS_WORDS = {"ул", "улица", "улице", "улицы", "пр", "проспект", "пер", "переулок", "пл", "мкр"}


@lru_cache(maxsize=100_000)
def _pos(low: str) -> str | None:
    ps = parses(low)
    return str(ps[0].tag.POS) if ps and ps[0].tag.POS else None


def _is_name_or_address(tokens: tuple[Token, ...] | list[Token], lows: list[str], i: int) -> bool:
    """«на Мира», «по ул. Победы», «Строителей 8»: a street, not the matter."""
    text = tokens[i].text
    if i > 0 and text[0].isupper() and not text.isupper():
        return True
    if i > 0 and lows[i - 1] in _ADDRESS_WORDS:
        return True
    return i + 1 < len(tokens) and tokens[i + 1].text[0].isdigit()


def same_root(a: str, b: str) -> bool:
    """Lemmas of one root by their shared beginning: «продукт» ~ «продукция».

    Five letters at least, and three quarters of the shorter lemma: «отключить» ~
    «отключение» pass, «подвал» ~ «подвоз» and «автобус» ~ «автомобиль» do not; the price
    is a rare false friend («площадка» ~ «площадь»).
    """
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 5 and n >= 0.75 * min(len(a), len(b))


def content(tokens: tuple[Token, ...] | list[Token]) -> list[tuple[str, frozenset[str]]]:
    """(lemma, topic groups) of every content word among ``tokens`` (see :func:`words_of`)."""
    return [(w.lemma, w.groups) for w in words_of(tokens)]


def is_generic_resolution(sent: Sentence) -> bool:
    """A clause that settles a complaint on its own: «Замечание устранено», «не подтвердилась»."""
    low = sent.text.lower().replace("ё", "е")
    # «Факты, изложенные в обращении, не подтвердились»: the inserted phrase goes.
    low = re.sub(r",\s*(?:изложенн|указанн|приведенн|описанн)\w*[^,]*,", "", low)
    clauses = re.split(r"\s*[,;:—–()]\s*|\s+(?:и|а)\s+(?=\w+\s+\w+)", low.rstrip(".!…"))
    return any(GENERIC_RESOLVED_RE.match(c.strip()) for c in clauses)


def action_count(tokens: tuple[Token, ...]) -> int:
    """How many verbs and short participles state something done or to be done."""
    n = 0
    for t in tokens:
        ps = parses(t.lower)
        if not ps:
            continue
        p = ps[0]
        if p.tag.POS in {"VERB", "PRTS", "INFN", "PRED"} and p.normal_form not in _COURTESY_VERBS:
            n += 1
    return n


def has_action(tokens: tuple[Token, ...]) -> bool:
    """Whether a sentence states something done or to be done (a verb, a short participle)."""
    return action_count(tokens) > 0


def is_non_answer(sent: Sentence) -> bool:
    """A sentence only about the appeal itself («обращение рассмотрено, взято на контроль»)."""
    found = len(NON_ANSWER_RE.findall(sent.text.lower()))
    return found > 0 and action_count(sent.tokens) <= found


def is_courtesy(sent: Sentence, words: list[Word] | None = None) -> bool:
    """A greeting, thanks or signature sentence, which never answers a question.

    ``words`` are the sentence's content words when the caller has them already.
    """
    low = sent.text.lower()
    if re.match(r"^(?:с уважением|с наилучшими)", low):
        return True
    if not (words if words is not None else words_of(sent.tokens)):
        return True
    return bool(COURTESY_RE.match(low)) and not has_action(sent.tokens)
