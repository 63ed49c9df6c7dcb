"""Words and cues for the completeness check: content lemmas, topics, answer-type cues."""

from __future__ import annotations

import re
import tomllib
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


def content(tokens: tuple[Token, ...] | list[Token]) -> list[tuple[str, frozenset[str]]]:
    """(lemma, topic groups) of every content word among ``tokens``.

    A noun after «у», «возле», «напротив»… is a landmark, not the topic: in «гололёд у
    поликлиники» the matter is ice, and a reply about the clinic does not answer it.
    """
    out: list[tuple[str, frozenset[str]]] = []
    prev = ""
    for t in tokens:
        lem = content_lemma(t.text)
        if lem is not None:
            out.append((lem, frozenset() if prev in _LANDMARK_PREPS else groups_of(t.text)))
        prev = t.lower
    return out


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


def is_courtesy(sent: Sentence) -> bool:
    """A greeting, thanks or signature sentence, which never answers a question."""
    low = sent.text.lower()
    if re.match(r"^(?:с уважением|с наилучшими)", low):
        return True
    if not content(sent.tokens):
        return True
    return bool(COURTESY_RE.match(low)) and not has_action(sent.tokens)
