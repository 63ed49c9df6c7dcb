"""The measures check: does the answer to a repeat say what was done or how the matter stands?"""

from __future__ import annotations

from incident_bridge.checks.measures import check_measures
from incident_bridge.checks.report import check_draft
from incident_bridge.checks.spelling_lexicon import SpellingLexicon
from incident_bridge.domain.review import Check
from tests.unit.checks.measures_cases import MEASURES_CASES

#: Agreement with the labelled table, as last measured: 38 of 38.
AGREEMENT = 0.9


def test_agrees_with_the_labelled_answers() -> None:
    wrong = [(text, label) for text, label in MEASURES_CASES if check_measures(text).ok != label]
    agreement = 1 - len(wrong) / len(MEASURES_CASES)
    assert len(MEASURES_CASES) >= 30
    assert {label for _, label in MEASURES_CASES} == {True, False}
    assert agreement >= AGREEMENT, wrong


def test_quotes_the_sentence_that_reports_a_measure() -> None:
    result = check_measures("Здравствуйте, Анна! Спасибо за обращение. Яма заделана 12 ноября.")
    assert result.ok
    assert result.evidence == "Яма заделана 12 ноября."


def test_an_answer_that_only_says_the_appeal_was_read_or_sent_on_fails() -> None:
    assert not check_measures("Здравствуйте, Анна! Ваше обращение рассмотрено.").ok
    assert not check_measures("Здравствуйте! Ваше обращение направлено в управление ЖКХ.").ok
    assert not check_measures("Здравствуйте! Работы на участке не проводились.").ok


def test_blocks_the_report_only_for_a_repeat(lexicon: SpellingLexicon) -> None:
    message = "Повторно пишу по № 2025-000101: яма на улице Ленина так и осталась."
    draft = "Здравствуйте, Иван! Ваше обращение рассмотрено."
    blocking = {Check.GREETING, Check.MEASURES}
    repeat = check_draft(message, draft, lexicon=lexicon, blocking=blocking, repeat=True)
    assert not repeat.passed(Check.MEASURES) and not repeat.ok
    assert repeat.to_dict()["measures"] == {"ok": False, "applicable": True, "evidence": None}
    plain = check_draft(message, draft, lexicon=lexicon, blocking=blocking)
    assert plain.passed(Check.MEASURES) and not plain.measures.applicable
