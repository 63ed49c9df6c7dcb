"""Per-object remembering: a value loaded once however many threads ask, a bounded memo."""

from __future__ import annotations

import threading
import time

import pytest

from incident_bridge.checks.caching import Lazy, Memo


def test_a_lazy_value_is_loaded_once_when_threads_ask_together() -> None:
    calls: list[int] = []

    def load() -> str:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it loads
        return "словарь"

    lazy = Lazy(load)
    assert not lazy.loaded
    start = threading.Barrier(8)
    seen: list[str] = []

    def ask() -> None:
        start.wait()
        seen.append(lazy.get())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["словарь"] * 8
    assert len(calls) == 1
    assert lazy.loaded


def test_a_memo_keeps_the_latest_answers_and_forgets_on_clear() -> None:
    memo: Memo[str, int] = Memo(maxsize=2)
    computed: list[str] = []

    def answer(key: str) -> int:
        def compute() -> int:
            computed.append(key)
            return len(key)

        return memo.get(key, compute)

    assert [answer("а"), answer("бб"), answer("а"), answer("ввв")] == [1, 2, 1, 3]
    assert computed == ["а", "бб", "ввв"]
    assert len(memo) == 2
    answer("бб")  # the least recently used, so pushed out by «ввв»
    assert computed == ["а", "бб", "ввв", "бб"]
    memo.clear()
    assert len(memo) == 0


def test_a_memo_must_hold_something() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Memo(maxsize=0)
