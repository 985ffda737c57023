"""JSON kept for a store's lifetime is held at its own size.

orjson's bytes keep the encoder's whole output buffer (4 KB and more for a six-byte
id); the gap layouts keep hundreds of thousands of small fragments and the response
cache counts an answer by its length, so both copy to exact-size bytes. Measured with
tracemalloc: 1,000 short fragments must take well under the 4 MB orjson's own would.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from chanjiao.analysis.gaparrays import _j
from chanjiao.api.routes import encode_json


@pytest.mark.parametrize("encode", [_j, encode_json], ids=["gap-fragment", "api-answer"])
def test_short_json_takes_its_own_size(encode: Callable[[Any], bytes]) -> None:
    assert encode({"id": "C00001"}) == b'{"id":"C00001"}'
    tracemalloc.start()
    try:
        kept = [encode(f"C{i:05d}") for i in range(1000)]
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kept[7] == b'"C00007"'
    assert used < 200_000, f"{used} bytes for 1,000 eight-byte fragments"
