"""Remembering per object: a value loaded once on first use, and a bounded memo of answers.

They let one object (a lexicon) own its dictionaries and its remembered answers, so two
objects never share them and dropping the object frees them, which module-level caches
(``functools.cache`` on a function) cannot do.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lazy(Generic[T]):
    """A value built by ``load`` on first use, once, even when several threads ask at once."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._box: tuple[T] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the value has been built."""
        return self._box is not None

    def get(self) -> T:
        """The value, building it first if no one has yet."""
        box = self._box
        if box is None:
            with self._lock:
                box = self._box
                if box is None:
                    box = self._box = (self._load(),)
        return box[0]


class Memo(Generic[K, V]):
    """The latest ``maxsize`` answers of one owner, safe to share between threads."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"A memo must hold at least one answer, not {maxsize}.")
        self._maxsize = maxsize
        self._answers: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The remembered answer for ``key``, or ``compute()``'s, remembered from now on."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        # Computed outside the lock: a slow answer never holds up the other threads'
        # look-ups; two threads asking the same new key both compute the same answer.
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self._maxsize:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._answers.clear()
