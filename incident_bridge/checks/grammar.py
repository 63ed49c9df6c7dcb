"""Grammar: rules with an id, a Russian message and a span in the draft.

Spaces around punctuation are the typography check's (``checks.typography``). Agreement is
checked against the adjective's head noun in Natasha's syntax tree when the language models
are given, so coordinated adjectives («на придомовой и дворовой территориях») agree with their
shared head and an adjective used as a noun («с учётом вышеизложенного») is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from razdel import tokenize

from incident_bridge.checks import morph
from incident_bridge.checks.language_models import LanguageModels, SyntaxToken
from incident_bridge.checks.tokens import Sentence, Token, abbreviation_before, sentences, words


@dataclass(frozen=True, slots=True)
class GrammarError:
    """One finding: which rule, where (character offsets into the text), why, and a fix if known."""

    rule: str
    start: int
    end: int
    message: str
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class GrammarResult:
    """The outcome of :func:`check_grammar`."""

    ok: bool
    errors: list[GrammarError] = field(default_factory=list)


Rule = Callable[[str, list[Token], LanguageModels | None], Iterator[GrammarError]]


def _wordset(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (keeps long lists compact)."""
    return frozenset(words.split())


# Spans no typography rule looks into: links and e-mails.
_SKIP_RE = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_TIME_NOUNS = _wordset(
    "день неделя месяц год час минута секунда сутки период время срок квартал сезон полгода "
    "полчаса декада смена ночь утро вечер лето зима осень весна полугодие семестр пятилетка "
    "выходной праздник навигация отпуск каникулы"
)
_DATIVE_AFTER = ("согласно", "благодаря", "вопреки", "наперекор")
_INFINITIVE_GOVERNORS = _wordset(
    "будет будут буду будем будете будешь может могут можем могу можете нужно необходимо надо "
    "нельзя можно должен должна должно должны следует стоит планирует планируют планируем "
    "намерены намерен намерена начнет начнут продолжит продолжат сможет смогут сможем "
    "придется предстоит требуется удастся решено поручено обязан обязана обязаны готов готова "
    "готовы чтобы стали станет станут начали начал начала хочет хотят хотим рад рады "
    "вынуждены способен разрешено запрещено рекомендовано предложено возможно невозможно"
)
_FILLERS = _wordset("не также еще ещё уже обязательно своевременно вновь снова дополнительно")
_LATIN_TO_CYRILLIC = str.maketrans("aeopcxykmthbAEOPCXYKMTHB", "аеорсхукмтнвАЕОРСХУКМТНВ")
_SET_PHRASES = (
    "в целом",
    "в основном",
    "в частности",
    "в общем",
    "в первую",
    "в последнюю",
    "в ближайшее",
)
_POLITE_RE = re.compile(r"\b(?:вы|вас|вам|вами|ваш(?:а|е|и|его|ему|ей|ем|им|их|ими|у)?)\b")


def check_grammar(text: str, models: LanguageModels | None = None) -> GrammarResult:
    """Run every grammar rule over ``text``.

    ``models`` (the draft checker's) give agreement its syntax tree; without them the noun
    right after an adjective stands in for its head.
    """
    tokens = words(text)
    skip = [m.span() for m in _SKIP_RE.finditer(text)]
    errors = [
        e
        for rule in RULES
        for e in rule(text, tokens, models)
        if not any(s <= e.start < end for s, end in skip)
    ]
    errors.sort(key=lambda e: (e.start, e.rule))
    return GrammarResult(ok=not errors, errors=errors)


def _low(token: Token) -> str:
    return token.lower


def _joined(text: str, a: Token, b: Token) -> bool:
    """Whether only spaces stand between two tokens (no punctuation breaks the phrase)."""
    return text[a.end : b.start].strip() == ""


def rule_v_techenie(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """«в течении недели» → «в течение недели»; «в течении реки» is left alone."""
    for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False)):
        in_period = _low(a) == "в" and _low(b) == "течении" and _joined(text, a, b)
        if in_period and _period_follows(tokens[i + 2 : i + 6]):
            yield GrammarError(
                "v_techenie",
                a.start,
                b.end,
                "О периоде времени пишется «в течение».",
                "в течение",
            )


def _period_follows(ahead: list[Token]) -> bool:
    """Whether the first noun after «в течении» names a period.

    «недели», «10 дней», «всего года» do; «в течении реки» does not.
    """
    for token in ahead:
        if token.text.isdigit():
            return True
        parses = morph.parses(_low(token))
        if not parses:
            return False
        if parses[0].tag.POS == "NOUN":
            return bool(morph.lemmas(token.text) & _TIME_NOUNS)
        if parses[0].tag.POS not in ("ADJF", "NUMR", "PRTF", "NPRO"):
            return False
    return False


_PO_PREPOSITIONAL = {
    "окончанию": "окончании",
    "завершению": "завершении",
    "приезду": "приезде",
    "прибытию": "прибытии",
    "истечению": "истечении",
    "возвращению": "возвращении",
    "прилету": "прилете",
    "получению": "получении",
}
# «меры по завершению работ» (dative, "on the matter of") is correct after a noun.
_PO_ALWAYS = frozenset({"приезду", "прибытию", "истечению", "прилету"})


def rule_po_okonchanii(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """«по окончанию работ» → «по окончании работ» (после чего-либо — предложный падеж)."""
    for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False)):
        right = _PO_PREPOSITIONAL.get(_low(b))
        if _low(a) != "по" or right is None or not _joined(text, a, b):
            continue
        prev = tokens[i - 1] if i else None
        after_noun = prev is not None and _joined(text, prev, a) and _is_noun(prev)
        if _low(b) in _PO_ALWAYS or not after_noun:
            yield GrammarError(
                "po_okonchanii",
                a.start,
                b.end,
                f"В значении «после» пишется «по {right}» (предложный падеж).",
                f"{a.text} {right}",
            )


def _is_noun(token: Token) -> bool:
    return any(p.tag.POS == "NOUN" for p in morph.parses(_low(token))[:2])


def rule_dative_after(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """«согласно графика» → «согласно графику»: согласно, благодаря, вопреки требуют дательного."""
    for a, b in zip(tokens, tokens[1:], strict=False):
        if _low(a) not in _DATIVE_AFTER or not _joined(text, a, b) or not b.text.isalpha():
            continue
        parses = [p for p in morph.parses(_low(b)) if p.tag.POS in ("NOUN", "ADJF", "PRTF")]
        cases = {_g(p.tag.case) for p in parses}
        if "gent" in cases and "datv" not in cases and morph.is_known(_low(b)):
            yield GrammarError(
                "dative_after",
                a.start,
                b.end,
                f"После «{_low(a)}» нужен дательный падеж: «{_low(a)} чему?».",
                _to_dative(a.text, b.text),
            )


def _to_dative(head: str, word: str) -> str | None:
    for p in morph.parses(word.lower()):
        if p.tag.case == "gent":
            form = p.inflect({"datv"})
            if form is not None:
                return f"{head} {form.word}"
    return None


def rule_tsya(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """«будет проводится» → «будет проводиться»; «работы проводиться» → «работы проводятся»."""
    for i, token in enumerate(tokens):
        low = _low(token)
        if low.endswith("тся"):
            gov = _governor(tokens, i, text)
            infinitive = low[:-3] + "ться"
            if gov and _is_infinitive(infinitive):
                yield GrammarError(
                    "tsya",
                    token.start,
                    token.end,
                    f"После «{gov}» нужна неопределённая форма: «что делать?» — «-ться».",
                    token.text[:-3] + "ться",
                )
        elif low.endswith("ться") and _is_infinitive(low):
            finite = _third_person(low)
            governed = _governor(tokens, i, text, reach=4) or _standalone_infinitive(
                tokens, i, text
            )
            if finite and not governed:
                yield GrammarError(
                    "tsya",
                    token.start,
                    token.end,
                    "Здесь нужна личная форма глагола: «что делает?» — «-тся».",
                    finite,
                )


def _governor(tokens: list[Token], i: int, text: str, reach: int = 2) -> str | None:
    """The word that asks for an infinitive just before token ``i`` (skipping «не», «также» …)."""
    j = i - 1
    steps = 0
    while j >= 0 and steps < reach and _joined(text, tokens[j], tokens[j + 1]):
        low = _low(tokens[j])
        if low in _INFINITIVE_GOVERNORS or (reach > 2 and _takes_infinitive(low)):
            return low
        if low not in _FILLERS and reach <= 2:
            return None
        j, steps = j - 1, steps + 1
    return None


def _takes_infinitive(low: str) -> bool:
    # Any verb form may govern an infinitive («решили отказаться»); so may predicatives.
    return any(p.tag.POS in ("VERB", "INFN", "PRED") for p in morph.parses(low)[:2])


def _standalone_infinitive(tokens: list[Token], i: int, text: str) -> bool:
    """«Куда обратиться?», «Как записаться:» — an infinitive heading its own clause."""
    prev = tokens[i - 1] if i else None
    if prev is None or not _joined(text, prev, tokens[i]):
        return True
    return any(
        p.tag.POS in ("ADVB", "CONJ", "NPRO") or "Ques" in p.tag
        for p in morph.parses(_low(prev))[:2]
    )


def _third_person(infinitive: str) -> str | None:
    """«проводиться» → «проводится», «ремонтироваться» → «ремонтируется»."""
    for p in morph.parses(infinitive):
        if p.tag.POS == "INFN":
            tense = "futr" if "perf" in p.tag else "pres"
            form = p.inflect({"3per", "sing", tense, "indc"})
            if form is not None:
                return str(form.word)
    return None


def _is_infinitive(low: str) -> bool:
    return morph.is_known(low) and any(p.tag.POS == "INFN" for p in morph.parses(low))


def rule_agreement(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """An adjective agrees with its noun in gender, number and case.

    Only an adjective and the noun right after it that cannot agree are candidates (so a
    correct draft is never parsed). With ``models`` the syntax tree then has the last word:
    the adjective is judged against its head noun, coordinated adjectives may each be singular
    before a plural head («на придомовой и дворовой территориях»), and an adjective with no
    noun head («с учётом вышеизложенного», «вышеуказанное рассмотрено») is not checked.
    """
    trees: dict[int, _Tree] = {}
    for a, b in _disagreeing_pairs(text, tokens):
        head = b
        if models is not None:
            tree = _tree_of(text, a, models, trees)
            verdict = tree.judge(a) if tree is not None else None
            if verdict is True:
                continue
            if isinstance(verdict, Token):
                head = verdict
        yield GrammarError(
            "agreement",
            min(a.start, head.start),
            max(a.end, head.end),
            f"Прилагательное «{a.text}» не согласовано с существительным «{head.text}».",
        )


def _disagreeing_pairs(text: str, tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    """An adjective and the noun right after it that agree in no reading of either."""
    for i, (a, b) in enumerate(zip(tokens, tokens[1:], strict=False)):
        if not _joined(text, a, b) or not (a.text.isalpha() and b.text.isalpha()):
            continue
        if i and (tokens[i - 1].text.isdigit() or _is_numeral(tokens[i - 1])):
            continue  # «два новых дома»: numerals govern the noun's case and number
        phrase = f"{_low(tokens[i - 1])} {_low(a)}" if i else ""
        if phrase.startswith(_SET_PHRASES):
            continue
        adjs = _adjective_parses(a.text)
        parsed = _known_parses(_low(b))
        nouns = [p for p in parsed if p.tag.POS == "NOUN"]
        if not adjs or not nouns:
            continue
        if parsed[0].tag.POS != "NOUN" or b.text[0].isupper() and a.text[0].islower():
            continue
        if not any(_agree(x.tag, y.tag) for x in adjs for y in nouns):
            yield a, b


def _adjective_parses(word: str) -> list[Any]:
    """The parses of a word that is only ever a full adjective (not a pronoun), else none."""
    parses = _known_parses(word.lower().replace("ё", "е"))
    if any(p.tag.POS != "ADJF" or "Apro" in p.tag for p in parses):
        return []
    return list(parses)


def _known_parses(low: str) -> tuple[Any, ...]:
    """The dictionary's parses of a lower-case word; none for a word it only guesses.

    (A parse's ``is_known`` depends on the word alone: asking the cached ``morph.is_known``
    once is the same answer, without a dictionary walk per parse.)
    """
    return morph.parses(low) if morph.is_known(low) else ()


@dataclass(frozen=True, slots=True)
class _Tree:
    """One sentence's dependency tree with the character span of each of its tokens."""

    nodes: tuple[SyntaxToken, ...]
    spans: tuple[tuple[int, int], ...]

    def judge(self, adjective: Token) -> bool | Token | None:
        """Whether ``adjective`` agrees with its head noun in the tree.

        True: it agrees, or has no noun to agree with; a token: the head noun it does not
        agree with; None: the tree does not hold the adjective as one token.
        """
        index = next((i for i, (s, _) in enumerate(self.spans, 1) if s == adjective.start), None)
        if index is None or index > len(self.nodes):
            return None
        node = self.nodes[index - 1]
        coordinated = any(
            n.head == index and n.rel == "conj" and _adjective_parses(n.text) for n in self.nodes
        )
        while node.rel == "conj" and 0 < node.head <= len(self.nodes):
            first = self.nodes[node.head - 1]
            if not _adjective_parses(first.text):
                break
            node, coordinated = first, True  # «придомовой и дворовой»: the first one's head
        if node.rel != "amod" or not 0 < node.head <= len(self.nodes):
            return True  # used as a noun or as a predicate: there is no noun to agree with
        word = self.nodes[node.head - 1].text
        nouns = [p for p in _known_parses(word.lower()) if p.tag.POS == "NOUN"]
        if not nouns:
            return True
        agree = _agree_coordinated if coordinated else _agree
        adjectives = _adjective_parses(adjective.text)
        if any(agree(x.tag, y.tag) for x in adjectives for y in nouns):
            return True
        start, end = self.spans[node.head - 1]
        return Token(word, start, end)


def _tree_of(
    text: str, token: Token, models: LanguageModels, trees: dict[int, _Tree]
) -> _Tree | None:
    """The syntax tree of the sentence holding ``token`` (each sentence parsed once)."""
    sentence = next((s for s in sentences(text) if s.start <= token.start < s.end), None)
    if sentence is None:
        return None
    if sentence.start not in trees:
        trees[sentence.start] = _parse(sentence, models)
    return trees[sentence.start]


def _parse(sentence: Sentence, models: LanguageModels) -> _Tree:
    pieces = list(tokenize(sentence.text))
    return _Tree(
        models.parse([p.text for p in pieces]),
        tuple((sentence.start + p.start, sentence.start + p.stop) for p in pieces),
    )


def _is_numeral(token: Token) -> bool:
    return any(p.tag.POS == "NUMR" for p in morph.parses(_low(token))[:2])


def _agree(adj: Any, noun: Any) -> bool:
    """Whether one parse of an adjective can agree with one parse of a noun."""
    a_case, n_case = _g(adj.case), _g(noun.case)
    if a_case != n_case and not (
        {a_case, n_case} <= {"loct", "loc2"} or {a_case, n_case} <= {"gent", "gen2"}
    ):
        return False
    a_num, n_num = _g(adj.number), _g(noun.number)
    if a_num != n_num and "Pltm" not in noun and "Sgtm" not in noun:
        return False
    if a_num == "plur" or n_num == "plur" or "ms-f" in noun or "GNdr" in noun:
        return True
    return adj.gender is None or _g(adj.gender) == _g(noun.gender)


def _agree_coordinated(adj: Any, noun: Any) -> bool:
    """Agreement of one of several coordinated adjectives with their shared head noun.

    Each may be singular before a plural head («детская и спортивная площадки»), agreeing in
    case only; otherwise it agrees as a single adjective does.
    """
    if _g(adj.number) == "sing" and _g(noun.number) == "plur":
        cases = {_g(adj.case), _g(noun.case)}
        return len(cases) == 1 or cases <= {"loct", "loc2"} or cases <= {"gent", "gen2"}
    return _agree(adj, noun)


def _g(value: Any) -> str | None:
    # pymorphy3's tag attributes refuse comparison with unknown grammemes; plain strings do not.
    return None if value is None else str(value)


def rule_repeat(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """The same word twice in a row («в в», «работы работы»).

    A capital abbreviation repeated is a legal idiom, not a slip: «МО МО Парголово» is the
    municipal council of the municipal district.
    """
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.text.isupper() and len(a.text) > 1:
            continue
        if _low(a) == _low(b) and not a.text.isdigit() and _joined(text, a, b):
            yield GrammarError(
                "repeat", a.start, b.end, f"Слово «{b.text}» повторено дважды.", a.text
            )


_LOWER_START_RE = re.compile(r"(?:\A|(?<=[.!?])[\"»)]*\s+)([а-яёa-z])")
# «1. ремонт дороги;» — a numbered item of a list, not a sentence's end.
_LIST_NUMBER_RE = re.compile(r"(?:\A|\n|[:;])\s*\d{1,2}\.\Z")


def rule_lowercase_start(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """A sentence begins with a capital letter.

    The full stop of an abbreviation, an initial or a date («ул.», «т. е.», «И.», «2021г.»)
    ends no sentence (``tokens.abbreviation_before``), so a small letter may follow it.
    """
    for m in _LOWER_START_RE.finditer(text):
        before = text[: m.start(1)].rstrip()
        if before.endswith(("...", "…")) or text[m.end(1) : m.end(1) + 1] == ")":
            continue  # a continuation after an ellipsis, or a list item «а) …»
        stop = before.rstrip('"»)')
        if stop.endswith(".") and (
            abbreviation_before(stop, len(stop) - 1)
            or _LIST_NUMBER_RE.search(stop, max(0, len(stop) - 8))
        ):
            continue
        yield GrammarError(
            "lowercase_start",
            m.start(1),
            m.start(1) + 1,
            "Предложение начинается с заглавной буквы.",
            m.group(1).upper(),
        )


def rule_homoglyph(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """Latin letters inside a Cyrillic word («дopoга» with Latin o/p)."""
    for token in tokens:
        offset = token.start
        for part in re.split(r"([-'’])", token.text):
            if re.search("[а-яё]", part, re.I) and re.search("[a-z]", part, re.I):
                fixed = part.translate(_LATIN_TO_CYRILLIC)
                yield GrammarError(
                    "homoglyph",
                    offset,
                    offset + len(part),
                    f"В слове «{part}» латинские буквы среди кириллицы.",
                    fixed if not re.search("[a-z]", fixed, re.I) else None,
                )
            offset += len(part)


_PAIRS = (("«", "»"), ("(", ")"), ("“", "”"), ("„", "“"))
_LIST_MARKER_RE = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}|[а-яa-z])\)", re.MULTILINE)


def rule_brackets(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """Brackets and quotes come in pairs: («…», "…", (…)).

    Where an inner and an outer quote close together, the typographic norm lets one «»» close
    both: «Положение о «Благоустройстве» is balanced, as «Положение о «Благоустройстве»» is.
    """
    markers = {m.end() - 1 for m in _LIST_MARKER_RE.finditer(text)}
    for opening, closing in _PAIRS[:2]:
        # The marks still open: where each stands, and where the last mark inside it closed.
        stack: list[tuple[int, int | None]] = []
        for i, ch in enumerate(text):
            if ch == opening:
                stack.append((i, None))
            elif ch == closing and i not in markers:
                if stack:
                    stack.pop()
                    if stack:
                        stack[-1] = (stack[-1][0], i)
                else:
                    yield _unbalanced(i, closing)
        for i, inner_close in stack:
            merged = inner_close is not None and "\n" not in text[i:inner_close]
            if not (opening == "«" and merged):
                yield _unbalanced(i, opening)
    straight = [i for i, ch in enumerate(text) if ch == '"']
    if len(straight) % 2:
        yield _unbalanced(straight[-1], '"')


def _unbalanced(i: int, ch: str) -> GrammarError:
    return GrammarError("unbalanced", i, i + 1, f"Непарный знак «{ch}».")


def rule_polite_you(
    text: str, tokens: list[Token], models: LanguageModels | None
) -> Iterator[GrammarError]:
    """«Вы», «Ваш» с заглавной буквы в ответе одному человеку."""
    opening = text[:200].lower()
    if re.search(r"уважаемые|жители|коллеги|дорогие|здравствуйте,\s+\w+\s+и\s+\w+", opening):
        return  # addressed to several people: lower case is right
    for m in _POLITE_RE.finditer(text):
        yield GrammarError(
            "polite_you",
            m.start(),
            m.end(),
            "При обращении к одному человеку «Вы» и «Ваш» пишутся с заглавной буквы.",
            m.group()[0].upper() + m.group()[1:],
        )


RULES: tuple[Rule, ...] = (
    rule_v_techenie,
    rule_po_okonchanii,
    rule_dative_after,
    rule_tsya,
    rule_agreement,
    rule_repeat,
    rule_lowercase_start,
    rule_homoglyph,
    rule_brackets,
    rule_polite_you,
)
