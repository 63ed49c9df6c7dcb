"""Near-synonyms for the completeness check, from word embeddings (Natasha's navec).

Navec was trained on news, so its similarity is relatedness more than synonymy: «школа» ~
«больница» scores as high as «машина» ~ «автомобиль». Two guards keep it honest: the
threshold is high, and when the topic table knows both words and puts them in different
topics, the table wins. Look-ups are bounded: only nouns, only when nothing else matched,
at most ``MAX_PAIRS`` pairs a check, each pair remembered per ``LanguageModels``.
"""

from __future__ import annotations

import weakref

from incident_bridge.checks.caching import Memo
from incident_bridge.checks.completeness_lexicon import Word
from incident_bridge.checks.language_models import LanguageModels

# Chosen on the development pairs (tests/unit/checks/completeness_dev_cases.py,
# SYNONYM_PAIRS) among the pairs the topic table does not decide; see
# test_completeness_synonyms.py for the precision and recall it gives there.
THRESHOLD = 0.5
# Pairs one check may compare; beyond it the check answers without embeddings.
MAX_PAIRS = 120

_memos: weakref.WeakKeyDictionary[LanguageModels, Memo[tuple[str, str], float]] = (
    weakref.WeakKeyDictionary()
)


class Synonyms:
    """Near-synonym look-ups for one check, within its budget of pairs."""

    def __init__(self, models: LanguageModels, budget: int = MAX_PAIRS) -> None:
        self._models = models
        self._budget = budget
        memo = _memos.get(models)
        if memo is None:
            memo = _memos[models] = Memo(50_000)
        self._memo = memo

    def near(self, a: Word, b: Word) -> bool:
        """Whether ``a`` and ``b`` are near-synonyms (never when the table sets them apart)."""
        if a.lemma == b.lemma:
            return True
        if a.groups and b.groups and not a.groups & b.groups:
            return False
        key = (a.lemma, b.lemma) if a.lemma < b.lemma else (b.lemma, a.lemma)
        return self.similarity(key, a.form, b.form) >= THRESHOLD

    def similarity(self, key: tuple[str, str], form_a: str, form_b: str) -> float:
        """Cosine similarity of two lemmas (their forms when navec lacks a lemma), or 0."""
        if self._budget <= 0:
            # Out of budget: no look-up (and nothing remembered as 0 for later checks).
            return 0.0

        def look() -> float:
            self._budget -= 1
            found = self._models.similarity(*key)
            if found is None:
                found = self._models.similarity(form_a, form_b)
            return found or 0.0

        return self._memo.get(key, look)
