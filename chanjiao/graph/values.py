"""What a stored property may hold, the same on every backend.

Why one check: SQLite would store a NUL character or a 400-digit integer, a graph
server refuses the one and clamps the other, so the backends would disagree. Every
store runs this check on every value before it writes anything; the ingest
validation refuses such values earlier, with a message for the user, so reaching
this check means a caller bypassed validation (a `TypeError`, a bug).
"""

from __future__ import annotations

import math

#: The integer range every backend stores exactly (a signed 64-bit integer).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_SCALARS = (str, bool, int, float)


def check_property(value: object, where: str, key: str) -> None:
    """Raise TypeError for a value some store cannot hold exactly (before any write)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise TypeError(f"{where}: property {key} is outside the 64-bit integer range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where}: property {key} is not a finite number: {value!r}")
        return
    if isinstance(value, str):
        if "\x00" in value:
            raise TypeError(f"{where}: property {key} holds a NUL character")
        return
    if isinstance(value, list | tuple) and all(isinstance(v, _SCALARS) for v in value):
        for item in value:
            check_property(item, where, key)
        return
    raise TypeError(f"{where}: property {key} cannot hold a {type(value).__name__}")
