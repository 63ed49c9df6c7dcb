"""Finding the questions and requests of a citizen's message.

A sentence counts when it ends in «?», when it asks or demands something without one
(«прошу принять меры», «почему не вывозят мусор!», «разберитесь»), or when it is an
imperative aimed at the administration. Rhetorical and emotional questions («сколько можно
ждать?!», «куда смотрит администрация?») count too: they ask the authorities for something
and a person reading the answer expects it addressed. Emotional exclamations without any
ask («Что за безобразие!») do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_bridge.checks.completeness_lexicon import COURTESY_RE, split_sentences
from incident_bridge.checks.morph import parses
from incident_bridge.checks.tokens import Sentence, words

# Question words and phrases, most specific first; the first that matches sets the kind.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "when",
        re.compile(
            r"\b(?:когда|доколе|до каких пор|в какие сроки|в какой срок|каки[ех] срок\w*|"
            r"к какому (?:числу|сроку|времени)|какого числа|как долго|сколько (?:можно|еще|ещё|"
            r"будем|нам|мне|времени|дней|месяцев|лет|недель)|в каком (?:месяце|году|квартале)|"
            r"срок\w*)\b"
        ),
    ),
    (
        "why",
        re.compile(
            r"\b(?:почему|зачем|отчего|по какой причине|с какой стати|на каком основании|"
            r"в связи с чем|из-за чего|какова причина|в чем причина|в чём причина)\b"
        ),
    ),
    (
        "who",
        re.compile(
            r"\b(?:кто|кому|кого|кем|чей|чья|чь[её]|чьи|к кому|как(?:ая|ой|ие) "
            r"(?:организаци\w*|служб\w*|компани\w*|орган\w*|ведомств\w*))\b"
        ),
    ),
    ("where", re.compile(r"\b(?:где|куда|откуда|в каком месте|по какому адресу)\b")),
    (
        "how_much",
        re.compile(r"\b(?:сколько|какова (?:стоимость|сумма)|какая сумма|во сколько)\b"),
    ),
    ("what", re.compile(r"\b(?:что|чем|какие|какое|какая|какой|как|каким образом)\b")),
    ("yes_no", re.compile(r"\b(?:ли|будет|будут|планируется|можно|есть)\b")),
]
# Asking without «?»: requests, demands, wanting to know.
_REQUEST_RE = re.compile(
    r"\b(?:прошу|просим|просьба|требую|требуем|помогите|разберитесь|прим(?:и|е)те меры|"
    r"принять меры|хотелось бы|хочу (?:узнать|понять|получить|спросить)|хотим (?:узнать|понять|"
    r"получить)|обращаю|обращаем|обратите внимание|доколе|будет ли|сколько можно|когда уже|"
    r"когда же|ждем|ждём|надеемся|рассчитываем|подскажите|скажите|объясните|ответьте|"
    r"сообщите|разъясните|посодействуйте|пусть)\b"
)
# Wanting to know introduces the real question word («хотелось бы узнать, когда…»).
_WH_START_RE = re.compile(
    r"^(?:а |и |но |так |ну |скажите,? |подскажите,? |объясните,? )?(?:когда|почему|зачем|"
    r"доколе|сколько|кто|где|куда|отчего|будет ли|планируется ли|как долго|до каких пор)\b"
)
_MODAL_RE = re.compile(r"\b(?:необходимо|нужно|надо|следует|пора)\b")
# Imperatives that are politeness or figures of speech, not requests.
_NOT_REQUEST = {"здравствуйте", "извините", "простите", "представьте", "поверьте", "смотрите"}
_CLAUSE_SPLIT_RE = re.compile(
    r"\?+!*\s*|[,;]?\s+(?:и|а|также|или)\s+(?=(?:когда|почему|зачем|кто|где|куда|сколько|"
    r"как|что|каки[ех]|какой|какая|будет ли|планируется ли|\w+ ли)\b)"
)


@dataclass(frozen=True, slots=True)
class Ask:
    """A question or request of the message, before it is matched to the draft."""

    text: str
    start: int
    end: int
    kind: str
    sentence_index: int


def extract(message: str) -> tuple[list[Sentence], list[Ask]]:
    """The message's sentences and the questions and requests among them."""
    sents = split_sentences(message)
    asks: list[Ask] = []
    for i, sent in enumerate(sents):
        low = sent.text.lower()
        if COURTESY_RE.match(low) and not ("?" in low or _REQUEST_RE.search(low)):
            continue
        if "?" in sent.text:
            asks += _split_questions(sent, i)
            continue
        kind = _implicit_kind(sent.text)
        if kind is not None:
            asks.append(Ask(sent.text, sent.start, sent.end, kind, i))
    return sents, asks


def _split_questions(sent: Sentence, index: int) -> list[Ask]:
    """One ask per clause of a question sentence («Когда починят и кто ответит?» -> two)."""
    text = sent.text
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT_RE.finditer(text):
        pieces.append((pos, m.end() if "?" in m.group() else m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    out: list[Ask] = []
    for s, e in pieces:
        chunk = text[s:e]
        stripped = chunk.strip(" ,;!")
        if not words(stripped):
            continue
        start = sent.start + s + (len(chunk) - len(chunk.lstrip(" ,;!")))
        # A clause cut off before «и кто…?» still belongs to the question.
        asked = "?" in stripped or "?" in text[e:]
        kind = _kind(stripped.lower()) if asked else _implicit_kind(stripped)
        if kind is not None:
            out.append(Ask(stripped, start, start + len(stripped), kind, index))
    return out


def _kind(low: str) -> str:
    """The kind of an explicit question; no question word means a yes/no question."""
    if re.search(r"\b(?:куда смотр|где (?:справедливость|совесть|власть|порядок))", low):
        # Rhetorical «куда смотрит администрация?» asks what is being done.
        return "what"
    if re.search(r"\b(?:ли|разве|неужели)\b", low) and not re.match(
        r"^(?:а |и )?(?:когда|почему|кто|где|сколько)\b", low
    ):
        return "yes_no"
    first: tuple[int, str] | None = None
    for kind, rx in _KINDS:
        m = rx.search(low)
        if m and (first is None or m.start() < first[0]):
            first = (m.start(), kind)
    return first[1] if first else "yes_no"


def _implicit_kind(text: str) -> str | None:
    """The kind of a sentence without «?» that still asks something, else ``None``."""
    low = text.lower().strip()
    if _WH_START_RE.match(low) and not _is_subordinate(low):
        return _kind(low)
    if _REQUEST_RE.search(low):
        m = re.search(r"\b(?:узнать|понять|сообщить|подсказать|объяснить|разъяснить)\b,?\s", low)
        if m:
            return _kind(low[m.end() :]) if _kind(low[m.end() :]) != "yes_no" else "request"
        if re.search(r"\bсрок", low):
            return "when"
        return "request"
    if _has_imperative(text) or _has_modal_request(text):
        return "request"
    return None


def _is_subordinate(low: str) -> bool:
    """«Когда идёт дождь, двор заливает» is a statement, not a question."""
    return low.startswith("когда") and "," in low and not low.endswith("!")


def _has_imperative(text: str) -> bool:
    for tok in words(text):
        low = tok.lower
        if low in _NOT_REQUEST:
            continue
        for p in parses(low)[:1]:
            g = p.tag.grammemes
            if "impr" in g and "plur" in g and "excl" in g:
                return True
    return False


def _has_modal_request(text: str) -> bool:
    """«Необходимо срочно отремонтировать дорогу» asks the authority to act."""
    toks = words(text)
    low = [t.lower for t in toks]
    for i, w in enumerate(low):
        if not _MODAL_RE.fullmatch(w) or (i > 0 and low[i - 1] in {"мне", "нам"}):
            continue
        for t in low[i + 1 : i + 4]:
            if parses(t) and "INFN" in parses(t)[0].tag.grammemes:
                return True
    return False
