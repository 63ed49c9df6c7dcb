"""Does the draft answer every question of the message (Yelets cl.7, third check)?

Each question or request of the message is matched to the draft sentence (or two
neighbouring sentences) that answers it. A sentence answers when it is on the question's
topic and gives what the question asks for: a date or term for «когда», a number for
«сколько», a body for «кто», a reason for «почему», a place for «где», a decision or an
action for the rest. The topic is the question's own content words, or, when it has
none («Сколько можно ждать?»), those of the sentences around it; words are compared by
lemma and through a table of municipal topics (дорога ~ яма ~ асфальт).

A message without any question is one implicit request: the complaint itself, which
needs a substantive on-topic reply. Greetings, thanks, signatures and statements about
the appeal («Ваше обращение рассмотрено», «взято на контроль») answer nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from incident_bridge.checks.completeness_lexicon import (
    NUMBER_RE,
    WHEN_RE,
    WHERE_RE,
    WHO_RE,
    WHY_RE,
    content,
    groups_of,
    has_action,
    is_courtesy,
    is_non_answer,
    split_sentences,
)
from incident_bridge.checks.completeness_questions import Ask, extract
from incident_bridge.checks.morph import parses
from incident_bridge.checks.tokens import Sentence, Token

# Weight of a word shared through a topic group rather than by lemma.
_GROUP_WEIGHT = 0.6
# Weight of a context word (from the sentences around the question).
_CONTEXT_WEIGHT = 0.5


# Perfective verbs that do not report the matter fixed.
_NOT_DONE = {
    "прекратить", "отключить", "приостановить", "остановить", "перенести", "отложить",
    "закрыть", "отказать", "сообщить", "направить", "передать", "поступить", "рассмотреть",
    "принять", "произойти", "сломаться", "выйти", "возникнуть", "образоваться", "выявить",
    "обнаружить", "получить", "зарегистрировать", "поручить", "запланировать", "предусмотреть",
    "включить", "назначить", "взять", "поставить", "обратиться", "проинформировать",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Question:
    """A question or request of the message and whether the draft answers it."""

    text: str
    start: int
    end: int
    kind: str
    answered: bool
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view: the question, the verdict and the answering text."""
        return {"text": self.text, "answered": self.answered, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class CompletenessResult:
    """The verdict on a draft: every question with its answer, if any."""

    questions: list[Question] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every question is answered."""
        return all(q.answered for q in self.questions)

    @property
    def missing(self) -> list[Question]:
        """The questions the draft leaves unanswered."""
        return [q for q in self.questions if not q.answered]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of the verdict."""
        return {"ok": self.ok, "questions": [q.to_dict() for q in self.questions]}


@dataclass(frozen=True, slots=True)
class _Topic:
    own: frozenset[str]
    context: frozenset[str]
    groups: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    text: str
    lemmas: frozenset[str]
    groups: frozenset[str]
    action: bool
    non_answer: bool
    size: int


def check_completeness(message: str, draft: str) -> CompletenessResult:
    """Match every question and request of ``message`` to the ``draft`` text that answers it."""
    sents, asks = extract(message)
    if not asks:
        stripped = message.strip()
        if not stripped:
            return CompletenessResult([])
        start = message.find(stripped)
        asks = [Ask(stripped, start, start + len(stripped), "complaint", -1)]
    units = _units(draft)
    questions = []
    for ask in asks:
        topic = _topic(ask, sents)
        best = _best_unit(ask.kind, topic, units)
        questions.append(
            Question(
                ask.text,
                ask.start,
                ask.end,
                ask.kind,
                best is not None,
                best.text if best else None,
                best.start if best else None,
                best.end if best else None,
            )
        )
    return CompletenessResult(questions)


def _topic(ask: Ask, sents: list[Sentence]) -> _Topic:
    """What the question is about: its own words, its neighbours', and their topic groups."""
    own_words = content(_tokens_in(sents, ask.start, ask.end))
    if ask.sentence_index < 0:
        near = sents
    else:
        i = ask.sentence_index
        near = [s for s in sents[max(0, i - 2) : i + 2] if not is_courtesy(s)]
    ctx_words = [w for s in near for w in content(s.tokens)]
    own = frozenset(lem for lem, _ in own_words)
    context = frozenset(lem for lem, _ in ctx_words) - own
    groups = _main_groups(own_words) or _main_groups(ctx_words)
    if not any(gs and _is_noun(lem) for lem, gs in own_words):
        # «Когда посыпят?»: the verb names the work, the context names the thing.
        groups |= frozenset(g for lem, gs in ctx_words if _is_noun(lem) for g in gs)
    if not groups and ask.sentence_index >= 0:
        groups = _main_groups([w for s in sents for w in content(s.tokens)])
    return _Topic(own, context, groups)


def _is_noun(lem: str) -> bool:
    ps = parses(lem)
    return bool(ps) and ps[0].tag.POS == "NOUN"


def _main_groups(found: list[tuple[str, frozenset[str]]]) -> frozenset[str]:
    """The topic groups most of the words point to («уберут снег во дворе» -> snow)."""
    counts = Counter(g for _, groups in found for g in groups)
    if not counts:
        return frozenset()
    top = max(counts.values())
    return frozenset(g for g, n in counts.items() if n == top)


def _tokens_in(sents: list[Sentence], start: int, end: int) -> list[Token]:
    return [t for s in sents for t in s.tokens if start <= t.start and t.end <= end]


def _units(draft: str) -> list[_Unit]:
    """Substantive draft sentences, alone and in neighbouring pairs."""
    sents = split_sentences(draft)
    info = [(s, content(s.tokens), has_action(s.tokens), is_non_answer(s)) for s in sents]
    keep = [not is_courtesy(s) for s in sents]
    units: list[_Unit] = []
    for i in range(len(sents)):
        if keep[i]:
            units.append(_unit(draft, info[i : i + 1]))
        if i + 1 < len(sents) and keep[i] and keep[i + 1]:
            units.append(_unit(draft, info[i : i + 2]))
    return units


def _unit(
    draft: str, group: list[tuple[Sentence, list[tuple[str, frozenset[str]]], bool, bool]]
) -> _Unit:
    words = [w for _, ws, _, _ in group for w in ws]
    start, end = group[0][0].start, group[-1][0].end
    return _Unit(
        start,
        end,
        draft[start:end],
        frozenset(lem for lem, _ in words),
        frozenset(g for _, gs in words for g in gs),
        any(action for _, _, action, _ in group),
        all(non_answer for _, _, _, non_answer in group),
        len(group),
    )


def _best_unit(kind: str, topic: _Topic, units: list[_Unit]) -> _Unit | None:
    """The best-matching sentence; a pair of sentences only when no single one answers."""
    for size in (1, 2):
        fits = [u for u in units if u.size == size and _on_topic(topic, u) and _gives(kind, u)]
        if fits:
            return max(fits, key=lambda u: _score(topic, u))
    return None


def _score(topic: _Topic, u: _Unit) -> float:
    def weight(lem: str) -> float:
        if lem in u.lemmas:
            return 1.0
        return _GROUP_WEIGHT if groups_of(lem) & u.groups else 0.0

    own = sum(weight(lem) for lem in topic.own)
    return own + _CONTEXT_WEIGHT * sum(weight(lem) for lem in topic.context)


def _on_topic(topic: _Topic, u: _Unit) -> bool:
    """The unit talks about the question's topic group, or shares its own words."""
    if topic.groups:
        return bool(topic.groups & u.groups)
    shared_own = len(topic.own & u.lemmas)
    shared_ctx = len(topic.context & u.lemmas)
    return shared_own >= 1 or shared_ctx >= 2


def _gives(kind: str, u: _Unit) -> bool:
    """The unit gives the kind of answer the question asks for."""
    low = u.text.lower()
    if u.non_answer and not WHEN_RE.search(low):
        return kind == "who" and bool(WHO_RE.search(low))
    if kind == "when":
        return bool(WHEN_RE.search(low)) or _reports_done(u.text)
    if kind == "how_much":
        return bool(NUMBER_RE.search(low))
    if kind == "who":
        return bool(WHO_RE.search(low))
    if kind == "why":
        return bool(WHY_RE.search(low))
    if kind == "where":
        return bool(WHERE_RE.search(low))
    return u.action or bool(WHEN_RE.search(low))


def _reports_done(text: str) -> bool:
    """«Яма устранена», «бригада восстановила подачу»: already done answers «когда»."""
    toks = re.findall(r"[а-яё]+", text.lower())
    for i, word in enumerate(toks):
        ps = parses(word)
        if not ps:
            continue
        g = ps[0].tag.grammemes
        if "perf" not in g or not ("PRTS" in g or ("VERB" in g and "past" in g)):
            continue
        # «будет произведена», «не выполнена», «подача прекращена» are not done.
        if ps[0].normal_form in _NOT_DONE or set(toks[max(0, i - 2) : i]) & {
            "будет",
            "будут",
            "не",
        }:
            continue
        return True
    return False
