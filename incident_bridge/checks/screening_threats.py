"""Finding threats to life, health or property: a first-person intent to harm.

A report of harm done by others («подожгли машину», «сосед угрожает убить») is a
complaint and is left alone: only the writer's own intent, a call to harm, or a
set threatening phrase counts.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from incident_bridge.checks.morph import parses
from incident_bridge.checks.tokens import Sentence, Token

if TYPE_CHECKING:
    from incident_bridge.checks.screening import Lexicon

# Set phrases that threaten without a harm verb; matched on lower-case text with «ё» → «е».
_PHRASE_LIST = [
    r"(?:(?:я|мы)\s+)?(?:вас|тебя|всех\s+вас|каждого)\s+(?:найду|найдем|достану|достанем|уничтожу)",
    r"(?:найду|найдем|достану|достанем)\s+(?:вас|тебя|каждого)",
    r"(?:доберусь|доберемся)\s+до\s+(?:вас|тебя|каждого|всех)",
    r"(?:ответите|ответишь)\s+(?:мне\s+)?(?:за\s+(?:это|все|свои|содеянное|каждую|каждого|мою|моих"
    r"|моего)|по\s+полной|головой)",
    r"(?:вы|ты)\s+(?:мне\s+)?за\s+(?:это|все)\s+(?:ответите|ответишь|поплатитесь|поплатишься)",
    r"поплатитесь|поплатишься",
    r"(?:вам|тебе|им)\s+(?:всем\s+)?не\s+жить|не\s+жить\s+(?:вам|тебе)",
    r"(?:вам|тебе)\s+(?:всем\s+)?(?:конец|крышка|хана|кранты|несдобровать)",
    r"мало\s+не\s+покажется|кровью\s+(?:умоетесь|умоешься|ответите)",
    r"(?:знаю|знаем),?\s+где\s+(?:вы\s+живете|ты\s+живешь|живут\s+ваши|живет\s+ваша|живет\s+ваш)",
    r"готовьте\s+гробы|берегитесь|берегись|вешайтесь",
    r"пожалеете,?\s+что\s+(?:родились|на\s+свет)",
]
_PHRASES = re.compile(r"\b(?:" + "|".join(_PHRASE_LIST) + r")\b")
# Words before an infinitive that make it the writer's own intent («хочу убить»).
_INTENT = {"хотеть", "собираться", "пойти", "прийти", "решить", "быть", "стать", "мочь"}
_CALL = {"давай", "давайте", "надо", "нужно", "пора", "следует", "стоит", "необходимо"}
_SPEECH = {
    "сказать", "кричать", "угрожать", "обещать", "написать", "заявить", "пригрозить",
    "орать", "говорить", "грозиться", "крикнуть", "прокричать", "обещаться",
}  # fmt: skip
_PRONOUNS = {"его", "ее", "их", "всех", "им", "ему", "вас", "тебя", "вам", "тебе"}
# «убить время» is an idiom, not a threat.
_IDIOM_OBJECTS = {"время", "вечер", "день", "час", "выходные", "полдня", "нервы"}
_QUOTE_RE = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]")


def find_threats(text: str, sents: list[Sentence], lex: Lexicon) -> list[tuple[int, int]]:
    """Spans of ``text`` (split into ``sents``) that threaten life, health or property."""
    spans: list[tuple[int, int]] = []
    norm = text.lower().replace("ё", "е")
    quoted = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]
    for sent in sents:
        reported = bool(quoted) and _reports_speech(sent, quoted)
        found = [(m.start(), m.end()) for m in _PHRASES.finditer(norm, sent.start, sent.end)]
        found += _harm_verbs(sent, lex)
        for start, end in found:
            start, end = _trim(text, start, end)
            if end <= start or (reported and _inside(start, end, quoted)):
                continue
            spans.append((start, end))
    return _merge(spans)


def _harm_verbs(sent: Sentence, lex: Lexicon) -> list[tuple[int, int]]:
    toks = sent.tokens
    low = [t.lower for t in toks]
    # Clause boundaries: an object is looked for within the verb's own clause.
    stops = {j for j in range(1, len(toks)) if re.search(r"[,;:—(]", _between(sent, toks, j))}
    out: list[tuple[int, int]] = []
    for i, word in enumerate(low):
        for p in parses(word):
            lemma = p.normal_form.replace("ё", "е")
            if lemma not in lex.harm_person and lemma not in lex.harm_property:
                continue
            if _negated(low, i) or (i + 1 < len(low) and low[i + 1] in _IDIOM_OBJECTS):
                break
            first = _intent_start(low, i, p)
            if first is None:
                continue
            last = i
            if lemma in lex.harm_property:
                obj = _object(low, i, lex, stops)
                if obj is None:
                    continue
                first, last = min(first, obj), max(last, obj)
            out.append((toks[first].start, toks[last].end))
            break
    return out


def _intent_start(low: list[str], i: int, p: Any) -> int | None:
    """Where the writer's intent starts, if the harm verb at ``i`` expresses it."""
    g = p.tag.grammemes
    if "VERB" in g and ("1per" in g or "impr" in g):
        return i
    if "INFN" not in g:
        return None
    for j in range(i - 1, max(-1, i - 5), -1):
        if low[j] in _CALL:
            return j
        for q in parses(low[j]):
            if q.normal_form in _INTENT and "1per" in q.tag.grammemes:
                return None if j > 0 and low[j - 1] == "не" else j
        if low[j] in {"готов", "готова", "готовы"} and j > 0 and low[j - 1] in {"я", "мы"}:
            return j - 1
    return None


def _negated(low: list[str], i: int) -> bool:
    """«не убью», «никого не трону», «не собираюсь никого убивать»."""
    before = low[max(0, i - 4) : i]
    if "никого" in before or "никогда" in before:
        return True
    if i >= 1 and low[i - 1] in {"не", "ни"}:
        return True
    return i >= 2 and low[i - 2] == "не" and low[i - 1] in _PRONOUNS


def _between(sent: Sentence, toks: tuple[Token, ...], j: int) -> str:
    """The text between token ``j - 1`` and token ``j``."""
    return sent.text[toks[j - 1].end - sent.start : toks[j].start - sent.start]


def _object(low: list[str], i: int, lex: Lexicon, stops: set[int]) -> int | None:
    """Index of a person or a person's property a property-harm verb is aimed at."""
    for j in range(i + 1, min(len(low), i + 5)):
        if j in stops:
            break
        if low[j] in lex.second_person or low[j] in _PRONOUNS:
            # «сожгу ваш дом»: the fragment runs on to the thing owned.
            owned = low[j].startswith(("ваш", "тво")) and j + 1 < len(low)
            return j + 1 if owned else j
        if _is_threat_object(low[j], lex):
            return j
    # «вашу машину подожгу»: an object placed before the verb.
    for j in range(i - 1, max(-1, i - 3), -1):
        if j + 1 in stops:
            break
        if _is_threat_object(low[j], lex) or low[j] in {"вас", "тебя"}:
            return j
    return None


def _is_threat_object(word: str, lex: Lexicon) -> bool:
    ps = parses(word)
    return (
        bool(ps)
        and "NOUN" in ps[0].tag.grammemes
        and any(q.normal_form.replace("ё", "е") in lex.threat_objects for q in ps)
    )


def _reports_speech(sent: Sentence, quoted: list[tuple[int, int]]) -> bool:
    """Whether the sentence retells what someone else said («сосед кричит: „убью“»)."""
    for t in sent.tokens:
        if _inside(t.start, t.end, quoted):
            continue
        for p in parses(t.lower):
            if p.normal_form in _SPEECH and "1per" not in p.tag.grammemes:
                return True
    return False


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
