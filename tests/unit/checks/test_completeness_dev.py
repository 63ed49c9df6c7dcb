"""The completeness check on its development cases (what it was tuned on), and its threshold."""

from __future__ import annotations

from incident_bridge.checks.completeness_lexicon import groups_of
from incident_bridge.checks.completeness_synonyms import THRESHOLD
from incident_bridge.checks.language_models import LanguageModels
from tests.conftest import shared_checker
from tests.unit.checks.completeness_dev_cases import DEV_CASES, SYNONYM_PAIRS
from tests.unit.checks.completeness_scoring import agreement

# 38/39 at the change; the miss is a reply about another thing of the same topic group
# («горка» asked, «скамейки» answered): the table groups them, nothing sets them apart.
MIN_DEV_ACCURACY = 0.95


def test_development_cases() -> None:
    models: LanguageModels = shared_checker().models
    agree, total = agreement(DEV_CASES, models)
    print(f"development completeness accuracy: {agree}/{total} = {agree / total:.1%}")
    assert agree / total >= MIN_DEV_ACCURACY


def test_the_threshold_keeps_near_synonyms_precise_on_the_development_pairs() -> None:
    # Only the pairs the topic table leaves open: for the others the table decides.
    models: LanguageModels = shared_checker().models
    open_pairs = [(a, b, y) for a, b, y in SYNONYM_PAIRS if not (groups_of(a) and groups_of(b))]
    found = [(y, (models.similarity(a, b) or 0.0) >= THRESHOLD) for a, b, y in open_pairs]
    tp = sum(y and f for y, f in found)
    fp = sum(f and not y for y, f in found)
    print(f"near-synonyms at {THRESHOLD}: {tp} found, {fp} false, of {sum(y for y, _ in found)}")
    assert tp >= 3 and fp == 0
