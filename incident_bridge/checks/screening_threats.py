"""Finding threats to life, health or property: an intent to harm, or a call to it.

The writer's own intent («убью», «хочу сжечь ваш дом»), a call to violence in the third
person («таких расстреливать надо», «его убить мало», «сжечь бы их всех», «чиновников на
столбе повесить») and set threatening phrases count. A report of harm done by others
(«соседа избили», «подожгли машину», «грозился убить») is a complaint and is left alone,
and so is a call aimed at a thing or an animal («надо снести аварийный дом», «повесить
объявление», «убить всех клещей»): a call counts only when it is aimed at people.
"""

from __future__ import annotations

import re
from functools import lru_cache
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
    # «приеду к главе домой и разберусь сам, адрес я знаю»
    r"(?:знаю|знаем)\s+(?:ваш\s+|твой\s+|его\s+|их\s+)?(?:домашний\s+)?адрес|"
    r"адрес\s+(?:ваш\s+|твой\s+|его\s+)?(?:я\s+|мы\s+)?(?:знаю|знаем)",
    r"(?:приеду|приду|заеду|наведаюсь|наведаемся|приедем|придем)\s+(?:к\s+\w+\s+){0,2}домой",
]
_PHRASES = re.compile(r"\b(?:" + "|".join(_PHRASE_LIST) + r")\b")
# Words before an infinitive that make it the writer's own intent («хочу убить»).
_INTENT = {"хотеть", "собираться", "пойти", "прийти", "решить", "быть", "стать", "мочь"}
_CALL = {"давай", "давайте", "надо", "нужно", "пора", "следует", "стоит", "необходимо", "бы"}
# After the infinitive: «таких расстреливать надо», «сжечь бы их», «его убить мало».
_CALL_AFTER = {"надо", "нужно", "следует", "стоит", "бы", "мало", "пора"}
_SPEECH = {
    "сказать", "кричать", "угрожать", "обещать", "написать", "заявить", "пригрозить",
    "орать", "говорить", "грозиться", "крикнуть", "прокричать", "обещаться",
}  # fmt: skip
# Property verbs violent whatever the object: foretold, they warn («машину подожгут»).
_ARSON = {"сжечь", "поджечь", "спалить", "подпалить", "взорвать", "подорвать", "разгромить"}
_PRONOUNS = {"его", "ее", "их", "всех", "им", "ему", "вас", "тебя", "вам", "тебе"}
# «убить время» is an idiom, not a threat.
_IDIOM_OBJECTS = {"время", "вечер", "день", "час", "выходные", "полдня", "нервы"}
_QUOTE_RE = re.compile(r"«[^»]*»|\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]")


def find_threats(text: str, sents: list[Sentence], lex: Lexicon) -> list[tuple[int, int]]:
    """Spans of ``text`` (split into ``sents``) that threaten life, health or property."""
    spans: list[tuple[int, int]] = []
    norm = text.lower().replace("ё", "е")
    quoted = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]
    for k, sent in enumerate(sents):
        reported = bool(quoted) and _reports_speech(sent, quoted)
        found = [(m.start(), m.end()) for m in _PHRASES.finditer(norm, sent.start, sent.end)]
        found += _harm_verbs(sent, lex, sents[k - 1] if k else None)
        for start, end in found:
            start, end = _trim(text, start, end)
            if end <= start or (reported and _inside(start, end, quoted)):
                continue
            spans.append((start, end))
    return _merge(spans)


def _harm_verbs(sent: Sentence, lex: Lexicon, prev: Sentence | None) -> list[tuple[int, int]]:
    toks = sent.tokens
    low = [t.lower for t in toks]
    # Clause boundaries: an object is looked for within the verb's own clause.
    stops = {j for j in range(1, len(toks)) if re.search(r"[,;:—(]", _between(sent, toks, j))}
    # «Собаки бегают стаями, их надо перестрелять»: «их» are the animals.
    context = low + ([t.lower for t in prev.tokens] if prev else [])
    retold = _retells(low)
    animals_near = any(_lemma_in(w, lex.animals) for w in context)
    out: list[tuple[int, int]] = []
    for i, word in enumerate(low):
        for p in parses(word):
            lemma = p.normal_form.replace("ё", "е")
            verb = _verb_kind(lemma, lex)
            if verb is None:
                continue
            if _negated(low, i) or (i + 1 < len(low) and low[i + 1] in _IDIOM_OBJECTS):
                break
            if retold and "3per" in p.tag.grammemes:
                break  # «сосед сказал, что машину подожгут»: someone else's words
            span = _threat_span(low, i, p, lemma, verb, lex, stops, animals_near)
            if span is not None:
                out.append((toks[span[0]].start, toks[span[1]].end))
            break
    return out


def _verb_kind(lemma: str, lex: Lexicon) -> str | None:
    if lemma in lex.harm_person:
        return "person"
    if lemma in lex.harm_ambiguous:
        return "ambiguous"
    if lemma in lex.harm_property:
        return "property"
    return None


def _threat_span(
    low: list[str],
    i: int,
    p: Any,
    lemma: str,
    verb: str,
    lex: Lexicon,
    stops: set[int],
    animals_near: bool,
) -> tuple[int, int] | None:
    """The first and last token of the threat the harm verb at ``i`` makes, if it makes one."""
    mode, first, end = _mode(low, i, p, stops)
    if mode is None:
        return None
    target, named = _target(low, i, lex, stops, animals_near)
    if verb == "property" and mode == "own":
        # «сожгу ваш дом», «подожгу машину главы»: a person's or the authority's property.
        obj = _object(low, i, lex, stops)
        if obj is None:
            return None
        return min(first, obj), max(i, obj)
    if mode == "warning":
        # «его машину скоро подожгут», «вас всех перестреляют»: arson or killing aimed at
        # the reader or someone's property; not a demolition («ваш дом снесут») nor an
        # accident foretold («дети сломают ногу»).
        if verb == "ambiguous" or (verb == "property" and lemma not in _ARSON):
            return None
        owned = _owned_object(low, i, lex, stops)
        if owned is None:
            return None
        return min(first, owned[0]), max(i, owned[1])
    if target in ("thing", "animal"):
        return None
    if verb == "person":
        # «убью», «убейте», «его убить мало»; a call needs someone to be aimed at.
        aimed = target is not None or mode != "call" or _says_too_little(low, i, stops)
    else:
        # «повесить», «снесите», «сжечь бы»: only a clear person («таких», «чиновников»).
        aimed = target == "person"
    if not aimed:
        return None
    if named is None:
        return first, end
    return min(first, named[0]), max(end, named[1])


def _mode(low: list[str], i: int, p: Any, stops: set[int]) -> tuple[str | None, int, int]:
    """«own» (the writer's intent), «order» («убейте»), «call» (to harm someone), or neither.

    Returns the mode and the tokens where the threatening phrase starts and ends.
    """
    g = p.tag.grammemes
    if "VERB" in g and "1per" in g:
        return "own", i, i
    if "VERB" in g and {"perf", "futr", "3per"} <= g:
        return "warning", i, i
    if "VERB" in g and "impr" in g:
        return "order", i, i
    if "INFN" not in g:
        return None, i, i
    for j in range(i - 1, max(-1, i - 5), -1):
        if j + 1 in stops:
            break
        if low[j] in _CALL:
            return (None, i, i) if j > 0 and low[j - 1] == "не" else ("call", j, i)
        for q in parses(low[j]):
            if q.normal_form in _INTENT and "1per" in q.tag.grammemes:
                return (None, i, i) if j > 0 and low[j - 1] == "не" else ("own", j, i)
        if low[j] in {"готов", "готова", "готовы"} and j > 0 and low[j - 1] in {"я", "мы"}:
            return "own", j - 1, i
    for j in range(i + 1, min(len(low), i + 4)):
        if j in stops:
            break
        if low[j] in _CALL_AFTER:
            return ("call", i, j) if low[j - 1] != "не" else (None, i, i)
    if _bare_predicate(low, i, stops):
        # «Таких на столбе повесить!»: the infinitive is the whole clause's verb.
        return "call", i, i
    return None, i, i


def _owned_object(low: list[str], i: int, lex: Lexicon, stops: set[int]) -> tuple[int, int] | None:
    """«его машину», «ваш дом», «вас»: the reader or someone's property, near the verb."""
    clause = _clause(low, i, stops)
    for j in range(max(clause.start, i - 4), min(clause.stop, i + 4)):
        if low[j] in {"вас", "тебя", "вам", "тебе"}:
            return j, j
        owner = low[j] in {"его", "ее", "их", "ваш", "вашу", "ваши", "ваше", "твой", "твою"}
        if owner and j + 1 < clause.stop and _is_threat_object(low[j + 1], lex):
            return j, j + 1
    return None


def _clause(low: list[str], i: int, stops: set[int]) -> range:
    start = max([j for j in stops if j <= i], default=0)
    end = min([j for j in stops if j > i], default=len(low))
    return range(start, end)


def _bare_predicate(low: list[str], i: int, stops: set[int]) -> bool:
    """No finite verb or predicative governs the infinitive («грозился убить» is reported)."""
    for j in _clause(low, i, stops):
        if j == i:
            continue
        if low[j] in {"чтобы", "чтоб", "как", "если", "можно", "нельзя", "ли"}:
            return False
        for q in parses(low[j])[:1]:
            g = q.tag.grammemes
            if ("VERB" in g and ("indc" in g or "impr" in g)) or g & {"PRED", "PRTS", "ADJS"}:
                return False
            if "INFN" in g:
                return False
    return True


def _says_too_little(low: list[str], i: int, stops: set[int]) -> bool:
    """«Убить мало»: a set call that needs no object."""
    return any(low[j] == "мало" for j in _clause(low, i, stops) if j > i)


def _target(
    low: list[str], i: int, lex: Lexicon, stops: set[int], animals_near: bool
) -> tuple[str | None, tuple[int, int] | None]:
    """Whom the harm verb at ``i`` is aimed at, and the tokens naming them.

    «person», «weak» (a bare «его», «их»), «thing» or «animal»; a person outranks a thing
    («таких на столбе повесить»: the pole is where, not whom).
    """
    found: dict[str, list[int]] = {}
    clause = _clause(low, i, stops)
    window = range(max(clause.start, i - 4), min(clause.stop, i + 5))
    for j in window:
        kind = _target_kind(low, j, lex, animals_near) if j != i else None
        if kind is not None:
            found.setdefault(kind, []).append(j)
    for kind in ("person", "thing", "animal", "weak"):
        if kind in found:
            first, last = min(found[kind]), max(found[kind])
            # «таких чиновников»: the fragment starts at the pronoun.
            if first - 1 in window and low[first - 1] in _STRONG_PRONOUNS:
                first -= 1
            return kind, (first, last)
    return None, None


_STRONG_PRONOUNS = {"таких", "всех", "этих", "тех", "вас", "тебя", "вам", "тебе", "каждого"}
_WEAK_PRONOUNS = {"его", "ее", "их", "него", "нее", "них", "ним", "ними", "им", "ему", "ей"}
_PREPOSITIONS = {"на", "в", "во", "у", "с", "со", "к", "ко", "по", "за", "из", "от", "до", "при"}


def _target_kind(low: list[str], j: int, lex: Lexicon, animals_near: bool) -> str | None:
    word = low[j]
    after = low[j + 1] if j + 1 < len(low) else ""
    if word in _STRONG_PRONOUNS or word in lex.second_person:
        # «этих чиновников», «таких фонарей»: the noun after the pronoun decides.
        return None if _is_noun(after) else "person"
    if word in _WEAK_PRONOUNS:
        return "animal" if animals_near else "weak"
    if not _is_noun(word) or _after_preposition(low, j):
        return None
    if not any("accs" in q.tag.grammemes for q in parses(word)):
        return None  # the subject («сосед кричит…») or a place, not whom the verb aims at
    if _lemma_in(word, lex.animals):
        return "animal"
    if _lemma_in(word, _people(lex)) or any("anim" in q.tag.grammemes for q in parses(word)[:1]):
        return "person"
    return "thing"


def _after_preposition(low: list[str], j: int) -> bool:
    """«на столбе», «за такую дорогу»: a place or a reason, not whom the verb aims at."""
    k = j - 1
    while k >= 0 and any(q.tag.POS in {"ADJF", "PRTF", "NUMR"} for q in parses(low[k])[:1]):
        k -= 1
    return k >= 0 and low[k] in _PREPOSITIONS


def _is_noun(word: str) -> bool:
    ps = parses(word)
    return bool(ps) and "NOUN" in ps[0].tag.grammemes


def _lemma_in(word: str, lemmas: frozenset[str]) -> bool:
    return any(q.normal_form.replace("ё", "е") in lemmas for q in parses(word))


@lru_cache(maxsize=4)
def _people(lex: Lexicon) -> frozenset[str]:
    found = lex.people | lex.addressees | lex.strong_insults | lex.weak_insults | lex.body_parts
    return found - lex.animals


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


def _retells(low: list[str]) -> bool:
    """Whether a sentence has a verb of speech not in the first person («сосед сказал»)."""
    return any(
        q.normal_form in _SPEECH and "1per" not in q.tag.grammemes
        for w in low
        for q in parses(w)[:1]
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
