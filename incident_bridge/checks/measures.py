"""Whether an answer reports the measures taken or how the matter stands.

The answer to a repeat message (Lipetsk п. 15, Leningrad 8.10, Sobolevo п. 18) must
say what has been done or where the matter stands: «проведена проверка», «выполнен
ремонт», «направлено предписание», «работы запланированы на май», «в настоящее время
ведутся работы», «вопрос находится на контроле». A greeting with «ваше обращение
рассмотрено», or a redirection («обращение направлено в управляющую компанию»), does
not. The check reads sentence by sentence, by lemmas (pymorphy3), and quotes the
sentence that reports a measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from incident_bridge.checks import morph

#: Verbs of a measure taken («проведена», «устранён», «заделаны»), by lemma.
ACTIONS = frozenset(
    [
        "провести",
        "выполнить",
        "устранить",
        "отремонтировать",
        "заменить",
        "вывезти",
        "убрать",
        "восстановить",
        "установить",
        "произвести",
        "организовать",
        "возобновить",
        "завершить",
        "заделать",
        "засыпать",
        "очистить",
        "подключить",
        "починить",
        "включить",
        "демонтировать",
        "покрасить",
        "нанести",
        "обрезать",
        "спилить",
        "скосить",
        "обработать",
        "промыть",
        "прочистить",
        "откачать",
        "асфальтировать",
        "отсыпать",
        "выдать",
        "вынести",
        "составить",
        "привлечь",
        "наложить",
        "обследовать",
        "осмотреть",
        "выехать",
        "проверить",
        "обновить",
        "смонтировать",
        "запустить",
        "выделить",
        "закупить",
        "уложить",
        "оборудовать",
        "изменить",
        "скорректировать",
        "наладить",
        "решить",
        "исправить",
        "ликвидировать",
        "начать",
        "приступить",
        "направить",
        "вручить",
        "оштрафовать",
        "расчистить",
        "подсыпать",
        "откорректировать",
        "благоустроить",
        "построить",
        "освободить",
        "увеличить",
        "согласовать",
        "заключить",
    ]
)
#: Verbs of work under way or of the matter's standing («ведутся», «проводятся», «запланированы»).
UNDER_WAY = frozenset(
    [
        "вестись",
        "проводиться",
        "выполняться",
        "осуществляться",
        "продолжаться",
        "производиться",
        "решаться",
        "запланировать",
        "планироваться",
        "планировать",
        "предусмотреть",
        "готовиться",
        "прорабатываться",
    ]
)
#: Nouns of a plan or of the matter kept in view («на контроле», «в план работ», «по графику»).
STANDING = frozenset(["контроль", "план", "график"])
#: The appeal itself: «обращение направлено …» is a redirection, not a measure.
APPEAL = frozenset(["обращение", "сообщение", "жалоба", "запрос", "вопрос"])
#: Verbs that say the appeal was read, not acted on.
RECEIPT = frozenset(["рассмотреть", "рассматриваться", "зарегистрировать", "получить", "принять"])
_MONTHS = r"январ|феврал|март|апрел|ма[яйе]|июн|июл|август|сентябр|октябр|ноябр|декабр|квартал"
# A date or a term: «до 15 ноября», «в мае», «15.11.2025», «в течение двух недель», «в срок до».
_TERM = re.compile(
    rf"\b(?:\d{{1,2}}\.\d{{1,2}}(?:\.\d{{2,4}})?|(?:до|в|во|на|к)\s+(?:\d{{1,2}}\s+)?(?:конц[аеу]\s+)?(?:{_MONTHS})\w*"
    r"|в\s+течение\b|в\s+срок\s+до\b|\d{4}\s+год)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*")
_WORD = re.compile(r"[а-яёА-ЯЁ]+")


@dataclass(frozen=True, slots=True)
class MeasuresResult:
    """The verdict: ``ok`` when the answer reports a measure (or the check does not apply).

    ``applicable`` is False when the message is no repeat (or the regulation is silent):
    then the check did not read the answer. ``evidence`` quotes the sentence found.
    """

    ok: bool
    applicable: bool = True
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"ok": self.ok, "applicable": self.applicable, "evidence": self.evidence}


NOT_APPLICABLE = MeasuresResult(ok=True, applicable=False)


def check_measures(draft: str) -> MeasuresResult:
    """Whether ``draft`` reports the measures taken or how the matter stands."""
    for match in _SENTENCE.finditer(draft):
        sentence = match.group(0).strip()
        if sentence and _reports(sentence):
            return MeasuresResult(ok=True, evidence=sentence)
    return MeasuresResult(ok=False)


def _reports(sentence: str) -> bool:
    words = [w.lower() for w in _WORD.findall(sentence)]
    lemmas = [morph.lemma(w) for w in words]
    found = set(lemmas)
    about_appeal = bool(found & APPEAL)
    future = "быть" in found or "будут" in words
    for i, lem in enumerate(lemmas):
        if (i and words[i - 1] == "не") or _attributive(words[i]):
            continue  # «работы не проводились»; «в установленном порядке»
        if lem == "принять" and "мера" in found:
            return True
        if lem in RECEIPT:
            continue
        if lem in ACTIONS:
            if lem == "направить" and about_appeal:
                continue  # the appeal sent on to someone else: a redirection
            return True
        if lem in UNDER_WAY:
            return True
        if lem == "контроль" or (lem in STANDING and not about_appeal):
            return True
    return bool(_TERM.search(sentence) and (future or "работа" in found or "срок" in found))


def _attributive(word: str) -> bool:
    """A full participle outside the nominative («в установленном порядке») describes, not reports."""
    parses = morph.parses(word)
    if not parses:
        return False
    tag = parses[0].tag
    return "PRTF" in tag and "nomn" not in tag
