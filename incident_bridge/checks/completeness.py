"""Does the draft answer every question of the message (Yelets cl.7, third check)?

Each question or request of the message is matched to the draft sentence (or two
neighbouring sentences) that answers it. A sentence answers when it is on the question's
topic and gives what the question asks for: a date or term for «когда», a number for
«сколько», a body for «кто», a reason for «почему», a place for «где», a decision or an
action for the rest. The topic is the question's own content words, or, when it has
none («Сколько можно ждать?»), those of the sentences around it; words are compared by
lemma and through a table of municipal topics (дорога ~ яма ~ асфальт); a noun or verb of
the question that recurs in the sentence counts whatever the table says, unless the table
puts it in a side topic of the question; with word embeddings (``LanguageModels``), a
near-synonym counts too («машина» ~ «автомобиль»), looked up only when nothing else fits.

A message without any question is one implicit request: the complaint itself, which
needs a substantive on-topic reply; a statement that it was resolved is one («граффити
удалены»), and «Замечание устранено» or «информация не подтвердилась» settle it whatever
its words. Greetings, thanks, signatures and statements about the appeal («Ваше
обращение рассмотрено», «взято на контроль») answer nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from incident_bridge.checks.completeness_lexicon import (
    DECIDED_RE,
    NUMBER_RE,
    WHEN_RE,
    WHERE_RE,
    WHO_RE,
    WHY_RE,
    Word,
    groups_of,
    has_action,
    is_courtesy,
    is_generic_resolution,
    is_non_answer,
    same_root,
    split_sentences,
    words_of,
)
from incident_bridge.checks.completeness_questions import Ask, extract
from incident_bridge.checks.completeness_synonyms import Synonyms
from incident_bridge.checks.language_models import LanguageModels
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
    # Matter words whose recurrence in a sentence is evidence whatever the topic table says.
    shared: frozenset[str]
    # The matter words whose relatives are looked for when nothing else fits.
    matter: tuple[Word, ...]


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
    matter: tuple[Word, ...]
    # «Замечание устранено», «информация не подтвердилась»: settles a complaint by itself.
    resolved: bool
    # Reports the matter done («яма устранена», «бригада восстановила подачу»).
    done: bool
    # Done or decided, or promised by a term («удалены», «включено в план», «до 1 июня»).
    settles: bool


def check_completeness(
    message: str, draft: str, *, models: LanguageModels | None = None
) -> CompletenessResult:
    """Match every question and request of ``message`` to the ``draft`` text that answers it.

    With ``models``, near-synonyms found by word embeddings count as the same topic;
    without, the check runs on lemmas and the topic table alone.
    """
    sents, asks = extract(message)
    if not asks:
        stripped = message.strip()
        if not stripped:
            return CompletenessResult([])
        start = message.find(stripped)
        asks = [Ask(stripped, start, start + len(stripped), "complaint", -1)]
    units = _units(draft)
    synonyms = Synonyms(models) if models is not None else None
    words = [words_of(s.tokens) for s in sents]
    courtesy = [is_courtesy(s, ws) for s, ws in zip(sents, words, strict=True)]
    questions = []
    for ask in asks:
        topic = _topic(ask, sents, words, courtesy)
        best = _best_unit(ask.kind, topic, units, synonyms)
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


def _topic(
    ask: Ask, sents: list[Sentence], words: list[list[Word]], courtesy: list[bool]
) -> _Topic:
    """What the question is about: its own words, its neighbours', and their topic groups.

    ``words`` and ``courtesy`` are the content words of each message sentence and whether
    it is a greeting or thanks.
    """
    own_words = words_of(_tokens_in(sents, ask.start, ask.end))
    if ask.sentence_index < 0:
        near = range(len(sents))
    else:
        i = ask.sentence_index
        near = range(max(0, i - 2), min(len(sents), i + 2))
    ctx_words = [w for k in near if ask.sentence_index < 0 or not courtesy[k] for w in words[k]]
    own = frozenset(w.lemma for w in own_words)
    context = frozenset(w.lemma for w in ctx_words) - own
    groups = _main_groups(own_words) or _main_groups(ctx_words)
    if not any(w.groups and w.noun for w in own_words):
        # «Когда посыпят?»: the verb names the work, the context names the thing.
        groups |= frozenset(g for w in ctx_words if w.noun for g in w.groups)
    if not groups and ask.sentence_index >= 0:
        groups = _main_groups([w for ws in words for w in ws])
    matter = [w for w in own_words if w.matter]
    if not any(w.noun for w in matter):
        matter += [w for w in ctx_words if w.matter and w.noun and w.lemma not in own]
    # A word the table puts only in a side topic («заливает дорогу» in a complaint about a
    # burst pipe) does not make a sentence about that side topic an answer.
    shared = frozenset(w.lemma for w in matter if not w.groups or w.groups & groups)
    kept = {w.lemma: w for w in matter if w.lemma in shared}
    return _Topic(own, context, groups, shared, tuple(kept.values()))


def _main_groups(found: list[Word]) -> frozenset[str]:
    """The topic groups most of the words point to («уберут снег во дворе» -> snow)."""
    counts = Counter(g for w in found for g in w.groups)
    if not counts:
        return frozenset()
    top = max(counts.values())
    return frozenset(g for g, n in counts.items() if n == top)


def _tokens_in(sents: list[Sentence], start: int, end: int) -> list[Token]:
    return [t for s in sents for t in s.tokens if start <= t.start and t.end <= end]


def _units(draft: str) -> list[_Unit]:
    """Substantive draft sentences, alone and in neighbouring pairs."""
    sents = split_sentences(draft)
    info = []
    for s in sents:
        done = _reports_done(s.text)
        info.append(
            _Sent(
                s,
                words_of(s.tokens),
                has_action(s.tokens),
                is_non_answer(s),
                is_generic_resolution(s),
                done,
                done or _decided(s.text),
            )
        )
    keep = [not is_courtesy(s.sent, s.words) for s in info]
    units: list[_Unit] = []
    for i in range(len(sents)):
        if keep[i]:
            units.append(_unit(draft, info[i : i + 1]))
        if i + 1 < len(sents) and keep[i] and keep[i + 1]:
            units.append(_unit(draft, info[i : i + 2]))
    return units


@dataclass(frozen=True, slots=True)
class _Sent:
    sent: Sentence
    words: list[Word]
    action: bool
    non_answer: bool
    resolved: bool
    done: bool
    settles: bool


def _unit(draft: str, group: list[_Sent]) -> _Unit:
    words = [w for s in group for w in s.words]
    start, end = group[0].sent.start, group[-1].sent.end
    return _Unit(
        start,
        end,
        draft[start:end],
        frozenset(w.lemma for w in words),
        frozenset(g for w in words for g in w.groups),
        any(s.action for s in group),
        all(s.non_answer for s in group),
        len(group),
        tuple({w.lemma: w for w in words if w.matter}.values()),
        any(s.resolved for s in group),
        any(s.done for s in group),
        any(s.settles for s in group),
    )


def _best_unit(
    kind: str, topic: _Topic, units: list[_Unit], synonyms: Synonyms | None
) -> _Unit | None:
    """The best-matching sentence; a pair of sentences only when no single one answers.

    Near-synonyms are looked up last, only among the sentences that give the right kind
    of answer, so the embeddings are consulted for the few questions nothing else settles.
    """
    for size in (1, 2):
        fits = [
            u for u in units if u.size == size and _on_topic(kind, topic, u) and _gives(kind, u)
        ]
        if fits:
            return max(fits, key=lambda u: _score(topic, u))
    if not topic.matter:
        return None
    # Same root («продукт» ~ «продукция»), then near-synonyms (nouns only). Where the
    # table sets the topics apart, only a sentence that settles the matter may use them.
    candidates = sorted(
        (u for u in units if (u.settles or not topic.groups) and _gives(kind, u)),
        key=lambda u: u.size,
    )
    for u in candidates:
        if any(same_root(a.lemma, b.lemma) for a in topic.matter for b in u.matter):
            return u
    if synonyms is not None:
        nouns = [a for a in topic.matter if a.noun]
        for u in candidates:
            if any(synonyms.near(a, b) for a in nouns for b in u.matter if b.noun):
                return u
    return None


def _score(topic: _Topic, u: _Unit) -> float:
    def weight(lem: str) -> float:
        if lem in u.lemmas:
            return 1.0
        return _GROUP_WEIGHT if groups_of(lem) & u.groups else 0.0

    own = sum(weight(lem) for lem in topic.own)
    return own + _CONTEXT_WEIGHT * sum(weight(lem) for lem in topic.context)


# Kinds of ask that «Замечание устранено» answers on its own.
_SETTLED_BY_RESOLUTION = {"complaint", "request", "yes_no", "what", "when"}


def _on_topic(kind: str, topic: _Topic, u: _Unit) -> bool:
    """The unit talks about the question's topic group, or shares its matter words."""
    if u.resolved and kind in _SETTLED_BY_RESOLUTION:
        return True
    if topic.shared & u.lemmas and (u.settles or not topic.groups):
        # The table sets them apart, the shared word joins them: trusted when the sentence
        # reports the matter resolved («Граффити удалены»), not when it merely names it.
        return True
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
        return bool(WHEN_RE.search(low)) or u.resolved or u.done
    if kind == "how_much":
        return bool(NUMBER_RE.search(low))
    if kind == "who":
        return bool(WHO_RE.search(low))
    if kind == "why":
        return bool(WHY_RE.search(low))
    if kind == "where":
        return bool(WHERE_RE.search(low))
    return u.action or bool(WHEN_RE.search(low))


def _decided(text: str) -> bool:
    """The sentence reports a decision («принято решение», «включено в план») or a term."""
    low = text.lower().replace("ё", "е")
    return bool(DECIDED_RE.search(low) or WHEN_RE.search(low))


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
