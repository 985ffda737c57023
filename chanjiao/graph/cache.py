"""Values tagged with the store generation they were computed at.

Every committed write, from any process, changes a store's generation, so a value is
returned only for the generation it was computed from and an older one is never
served. The least recently used values go once their total weight passes the limit.
The embedded store caches its reads here and the API its encoded answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class GenerationCache:
    """A thread-safe LRU of (generation, value) by key; callers must not mutate values.

    Args:
        limit: the most total weight kept.
        weigh: the weight of a value (1 each by default; e.g. `len` for bytes).
    """

    def __init__(self, limit: int, weigh: Callable[[Any], int] = lambda value: 1) -> None:
        self._data: OrderedDict[Hashable, tuple[int, Any, int]] = OrderedDict()
        self._limit = limit
        self._weigh = weigh
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, generation: int, key: Hashable) -> Any:
        """The value computed at `generation`, or None."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None or entry[0] != generation:
                return None
            self._data.move_to_end(key)
            return entry[1]

    def put(self, generation: int, key: Hashable, value: Any) -> None:
        weight = self._weigh(value)
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._weight -= old[2]
            self._data[key] = (generation, value, weight)
            self._weight += weight
            while self._weight > self._limit and self._data:
                _, (_, _, dropped) = self._data.popitem(last=False)
                self._weight -= dropped
