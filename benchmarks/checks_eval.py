"""Measure the draft checks: spelling precision/recall on RUSpellRU, false alarms, speed, memory.

Also the spelling false alarms on official prose nobody here wrote: the regulation texts of
``--seeds`` (published documents, so every word flagged in them is a false alarm). Hunspell,
pymorphy3 and Natasha's models are all loaded, as in a worker, so the memory figure is honest.

Usage: python benchmarks/checks_eval.py [--data DIR] [--seeds DIR] [--limit N]
The last line printed is a JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import resource
import statistics
import sys
import time
from pathlib import Path

from incident_bridge.checks.report import DraftChecker
from incident_bridge.checks.spelling import check_spelling
from incident_bridge.domain.review import Check

# Punctuation is stripped from both sides before comparing (the corrections lack most of it);
# hyphens inside words stay, as the checker sees «как-то» as one word.
_WORD_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:[-'’][0-9A-Za-zА-Яа-яЁё]+)*")

MESSAGE = (
    "Добрый день! Во дворе дома 12 по улице Советской уже месяц не вывозят мусор, "
    "контейнерная площадка переполнена. Когда вывезут мусор и кто за это отвечает?"
)
CORRECT_DRAFT = (
    "Здравствуйте, Анна Сергеевна! Благодарим Вас за обращение. Сообщаем, что вывоз мусора с "
    "контейнерной площадки у дома № 12 по улице Советской выполнен 14 марта. За своевременный "
    "вывоз твёрдых коммунальных отходов отвечает региональный оператор, с которым заключён "
    "договор на обслуживание нашего района. Задержка была вызвана поломкой мусоровоза; машина "
    "отремонтирована, и график вывоза восстановлен: контейнеры опустошаются ежедневно, кроме "
    "воскресенья, до 10 часов утра. Мы направили региональному оператору письмо с требованием "
    "не допускать подобных задержек и будем проверять состояние площадки еженедельно. "
    "Кроме того, управляющая компания проведёт уборку территории вокруг контейнеров до конца "
    "недели, а также установит дополнительный контейнер для крупногабаритных отходов. "
    "Если мусор снова не вывезут вовремя, пожалуйста, напишите нам в ответ на это сообщение "
    "или позвоните по телефону горячей линии 8 (47467) 2-22-22, и мы примем меры в тот же день. "
    "Также Вы можете оставить заявку через портал «Госуслуги. Решаем вместе». Мы ценим Ваше "
    "неравнодушие к состоянию нашего города и надеемся, что теперь площадка будет в порядке. "
    "С уважением, администрация городского округа."
)
# The checks the default (Yelets) profile blocks approval on; style and format are reported only.
BLOCKING = frozenset({Check.GREETING, Check.SPELLING, Check.GRAMMAR, Check.COMPLETENESS})
# Three misspellings a hurried executor makes.
DRAFT_WITH_ERRORS = (
    CORRECT_DRAFT.replace("обслуживание", "обслужевание")
    .replace("отремонтирована", "отремантирована")
    .replace("территории", "територии")
)


def error_positions(source: list[str], corrected: list[str]) -> set[int]:
    """Indices of source words that differ from their aligned corrected words."""
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in source], b=corrected, autojunk=False)
    bad: set[int] = set()
    for op, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if op != "equal":
            bad.update(range(i1, i2))
    return bad


def score_spelling(checker: DraftChecker, data: Path, limit: int | None = None) -> dict[str, float]:
    """Word-level precision/recall of check_spelling and false alarms on already-correct lines."""
    sources = (data / "ruspellru" / "sources.txt").read_text(encoding="utf-8").splitlines()
    corrections = (data / "ruspellru" / "corrections.txt").read_text(encoding="utf-8").splitlines()
    tp = fp = fn = 0
    tp_spell = fp_spell = 0
    correct_words = correct_alarms = 0
    for src, cor in list(zip(sources, corrections, strict=True))[:limit]:
        matches = list(_WORD_RE.finditer(src))
        bad = error_positions(
            [m.group() for m in matches], [w.lower() for w in _WORD_RE.findall(cor)]
        )
        starts = {m.start(): i for i, m in enumerate(matches)}
        errors = check_spelling(src, checker.lexicon, models=checker.models).errors
        flagged = {starts[e.start] for e in errors if e.start in starts}
        spelt = {starts[e.start] for e in errors if e.start in starts and e.kind == "spelling"}
        tp, fp, fn = tp + len(flagged & bad), fp + len(flagged - bad), fn + len(bad - flagged)
        tp_spell, fp_spell = tp_spell + len(spelt & bad), fp_spell + len(spelt - bad)
        if not bad:
            correct_words += len(matches)
            correct_alarms += len(spelt)
    total_bad = tp + fn
    return {
        "spelling_precision": round(tp_spell / max(1, tp_spell + fp_spell), 4),
        "spelling_recall": round(tp_spell / max(1, total_bad), 4),
        "with_colloquial_precision": round(tp / max(1, tp + fp), 4),
        "with_colloquial_recall": round(tp / max(1, total_bad), 4),
        "false_alarms_per_1000_words": round(1000 * correct_alarms / max(1, correct_words), 2),
        "error_words": total_bad,
    }


def score_seeds(checker: DraftChecker, seeds: Path) -> dict[str, float]:
    """Spelling false alarms per 1,000 words of the published regulation texts in ``seeds``."""
    words = alarms = 0
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        words += len(_WORD_RE.findall(text))
        for e in check_spelling(text, checker.lexicon, models=checker.models).errors:
            if e.kind == "spelling":
                alarms += 1
                context = " ".join(text[max(0, e.start - 40) : e.end + 20].split())
                print(f"seeds: {path.name}: «{e.word}» in «{context}»", file=sys.stderr)
    print(f"seeds: {alarms} flagged in {words} words", file=sys.stderr)
    return {
        "seeds_false_alarms_per_1000_words": round(1000 * alarms / max(1, words), 2),
        "seeds_words": words,
    }


def time_drafts(checker: DraftChecker, runs: int = 60) -> dict[str, float]:
    """Median milliseconds per draft (all checks) for a correct draft and one with 3 errors."""

    def median_ms(draft: str) -> float:
        # Warm the caches of this draft's words.
        checker.check(MESSAGE, draft, blocking=BLOCKING, author="Анна Сергеевна")
        samples = []
        for _ in range(runs):
            _clear_result_caches(checker)
            t = time.perf_counter()
            checker.check(MESSAGE, draft, blocking=BLOCKING, author="Анна Сергеевна")
            samples.append((time.perf_counter() - t) * 1000)
        return round(statistics.median(samples), 2)

    ok = median_ms(CORRECT_DRAFT)
    bad = median_ms(DRAFT_WITH_ERRORS)
    return {"median_ms_per_draft": ok, "median_ms_with_3_errors": bad}


def _clear_result_caches(checker: DraftChecker) -> None:
    # The lexicon remembers suggestions per word; forget them so every run pays for its own.
    checker.lexicon.suggestions.clear()


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print the figures, the last line as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "eval"
    )
    parser.add_argument(
        "--seeds", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "seeds"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    checker = DraftChecker()
    # Load pymorphy3, Hunspell, the frequency list and Natasha's models, as a worker does.
    checker.lexicon.load()
    checker.models.load()
    check_spelling("прогрев словарей: малаком", checker.lexicon, models=checker.models)
    print(f"dictionaries and models loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    seeds = score_seeds(checker, args.seeds)
    t = time.perf_counter()
    figures = score_spelling(checker, args.data, args.limit)
    lines = args.limit or 2000
    print(f"{lines} RUSpellRU lines in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    drafts = time_drafts(checker)
    t = time.perf_counter()
    for _ in range(50):
        _clear_result_caches(checker)
        checker.check(MESSAGE, DRAFT_WITH_ERRORS, blocking=BLOCKING)
    drafts_per_second = round(50 / (time.perf_counter() - t), 1)
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    extra = {"drafts_per_second": drafts_per_second, **figures, **seeds}
    print(json.dumps(extra, ensure_ascii=False))
    headline = {
        "spelling_precision": figures["spelling_precision"],
        "spelling_recall": figures["spelling_recall"],
        "false_alarms_per_1000_words": figures["false_alarms_per_1000_words"],
        "seeds_false_alarms_per_1000_words": seeds["seeds_false_alarms_per_1000_words"],
        **drafts,
        "peak_rss_mb": peak,
    }
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
