"""Routes by area; each is a thin shell over one library call."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from chanjiao.api.errors import ErrorBody
from chanjiao.graph.cache import GenerationCache
from chanjiao.jsonbytes import compact_json


def library_json(data: Any, status_code: int = 200) -> JSONResponse:
    """A library result (already plain JSON data) sent as is.

    Returning a response skips FastAPI's validation and re-encoding of the value
    against ``dict[str, Any]``, which costs more than the analysis itself on a
    national-scale gap report (over 1 MB of JSON).
    """
    return JSONResponse(data, status_code=status_code)


def encode_json(data: Any) -> bytes:
    """Plain JSON data as UTF-8 bytes, compact, non-ASCII kept (one encoder for every route)."""
    return compact_json(data, non_str_keys=True)


class ResponseCache:
    """Encoded answers of read routes, valid for one store generation.

    A college platform asks the same alignments and gaps again and again; between two
    writes the answer cannot change, so the JSON is encoded once. Stores that cannot
    tell their generation (None) are never cached. Bounded by total bytes: the default
    holds every cluster × chain gap answer of a national graph (400 of about 1.5 MB),
    since a smaller LRU asked in rotation would drop each answer just before it is
    asked again (`Settings.response_cache_mb`).
    """

    def __init__(self, max_bytes: int = 1024 * 1024 * 1024) -> None:
        self._cache = GenerationCache(max_bytes, weigh=len)
        self._lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], _Flight] = {}
        #: One answer computed at a time: the analyses are CPU-bound Python, and two at
        #: once only trade the GIL back and forth (each then takes twice as long), while
        #: the event loop needs it too to send cached answers.
        self._one_at_a_time = threading.Lock()

    def get(self, key: tuple[Any, ...], generation: int) -> bytes | None:
        body: bytes | None = self._cache.get(generation, key)
        return body

    def put(self, key: tuple[Any, ...], generation: int, body: bytes) -> None:
        self._cache.put(generation, key, body)

    def compute(self, key: tuple[Any, ...], generation: int, make: Callable[[], bytes]) -> bytes:
        """The cached answer, else `make()` once however many requests ask it meanwhile.

        Requests for an answer being computed wait for it instead of computing it again
        (under load, several connections ask the same question at once). If the
        computation fails, each waiting request computes it itself (and gets its error).
        """
        body = self.get(key, generation)
        if body is not None:
            return body
        with self._lock:
            flight = self._computing.get((key, generation))
            leader = flight is None
            if flight is None:
                flight = self._computing[(key, generation)] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.body is not None:
                return flight.body
            return make()
        try:
            with self._one_at_a_time:
                flight.body = make()
            self.put(key, generation, flight.body)
            return flight.body
        finally:
            flight.done.set()
            with self._lock:
                self._computing.pop((key, generation), None)


class _Flight:
    """One answer being computed: its waiters, and its body once made."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.body: bytes | None = None


def cached_json(request: Request, compute: Callable[[], Any]) -> Response:
    """`library_json(compute())`, answered from the app's `ResponseCache` when still valid.

    `compute` returns plain JSON data, or that data already encoded (bytes). Stores that
    tell their generation give the answer an ETag (a client sending it back in
    If-None-Match gets 304 Not Modified until the next write), and a large answer is
    sent compressed when the client accepts it (br when brotli is installed, else gzip).
    """
    store = request.app.state.store
    cache: ResponseCache = request.app.state.response_cache
    generation = store.generation()
    key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
    coding = _coding(request.headers.get("accept-encoding", ""))
    headers = {"Vary": "Accept-Encoding"}

    def make() -> bytes:
        value = compute()
        return value if isinstance(value, bytes) else encode_json(value)

    if generation is None:
        body = make()
        if coding is not None and len(body) >= _COMPRESS_FROM:
            return _encoded(_compress(body, coding), coding, headers)
        return Response(body, media_type="application/json", headers=headers)
    headers["ETag"] = f'"g{generation}"'
    if _matches(request.headers.get("if-none-match"), generation):
        return Response(status_code=304, headers=headers)
    if coding is not None:
        packed = cache.get((*key, coding), generation)
        if packed is not None:
            return _encoded(packed, coding, headers)
    body = cache.compute(key, generation, make)
    if coding is not None and len(body) >= _COMPRESS_FROM:
        packed = cache.compute((*key, coding), generation, lambda: _compress(body, coding))
        return _encoded(packed, coding, headers)
    return Response(body, media_type="application/json", headers=headers)


#: Read routes whose answers are the same for every reader (no personal data), so a
#: cached one may be sent without running the route (`CachedAnswers`).
_SHARED_ANSWERS = ("/api/v1/gaps", "/api/v1/align/courses/", "/api/v1/align/positions/")


class CachedAnswers:
    """Sends a cached gap or alignment answer from the event loop, before any route runs.

    Under load a cached answer would otherwise wait for a worker thread behind answers
    being computed (a national gap report's first ask takes tens of milliseconds), so a
    repeated question is answered in well under a millisecond whatever else is running.
    Only when reads are open (`read_requires_key` false: then the route checks nothing
    about the reader) and only for the answers of `_SHARED_ANSWERS`, which are the same
    for every reader; anything not cached goes to the route as usual.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path == _SHARED_ANSWERS[0] or path.startswith(_SHARED_ANSWERS[1:]):
                response = _cached_answer(Request(scope))
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _cached_answer(request: Request) -> Response | None:
    """The cached answer to this request (or its 304), None if the route must run."""
    state = request.app.state
    store = state.store
    if store is None or state.settings.read_requires_key:
        return None
    try:
        generation = store.generation()
    except Exception:  # the route answers the store's error in the common shape
        return None
    if generation is None:
        return None
    headers = {"Vary": "Accept-Encoding", "ETag": f'"g{generation}"'}
    key = (request.url.path, tuple(sorted(request.query_params.multi_items())))
    cache: ResponseCache = state.response_cache
    body = cache.get(key, generation)
    if body is None:
        return None
    if _matches(request.headers.get("if-none-match"), generation):
        return Response(status_code=304, headers=headers)
    coding = _coding(request.headers.get("accept-encoding", ""))
    if coding is None or len(body) < _COMPRESS_FROM:
        return Response(body, media_type="application/json", headers=headers)
    packed = cache.get((*key, coding), generation)
    return None if packed is None else _encoded(packed, coding, headers)


#: Answers shorter than this are sent as they are (compressing costs more than it saves).
_COMPRESS_FROM = 1024


def _coding(accept: str) -> str | None:
    """The content coding to answer with: br if accepted and available, else gzip, else None."""
    offered = {}
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            field_name, _, value = param.strip().partition("=")
            if field_name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered[name.strip()] = quality
    if offered.get("br", 0) > 0 and _brotli() is not None:
        return "br"
    if offered.get("gzip", 0) > 0:
        return "gzip"
    return None


def _brotli() -> Any:
    try:
        import brotli  # type: ignore[import-untyped]
    except ImportError:
        return None
    return brotli


#: Answers this long are compressed at the fastest level: 1.5 MB at gzip level 5 takes
#: 45 ms (more than scoring the gap report), at level 1 about 10 ms for a 25 % larger body.
_COMPRESS_FAST_FROM = 256 * 1024


def _compress(body: bytes, coding: str) -> bytes:
    fast = len(body) >= _COMPRESS_FAST_FROM
    if coding == "br":
        compressed: bytes = _brotli().compress(body, quality=1 if fast else 4)
        return compressed
    return gzip.compress(body, compresslevel=1 if fast else 5, mtime=0)


def _encoded(body: bytes, coding: str | None, headers: dict[str, str]) -> Response:
    if coding is None:
        return Response(body, media_type="application/json", headers=headers)
    return Response(
        body, media_type="application/json", headers={**headers, "Content-Encoding": coding}
    )


def _matches(if_none_match: str | None, generation: int) -> bool:
    """Whether If-None-Match names the answer of this store generation (or is *)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_none_match.split(",")}
    return "*" in tags or f"g{generation}" in tags


_WHAT = {
    400: "请求的各部分不一致 Inconsistent request",
    401: "缺少或无效的 API 密钥 Missing or wrong API key",
    403: "服务器未配置 API 密钥，写操作已禁用 Writes disabled (no key configured)",
    404: "找不到 Not found",
    409: "已存在 Exists already",
    413: "请求体过大 Body too large",
    415: "不支持的上传文件 Unsupported upload",
    422: "请求或数据无效 Invalid request or dataset",
    503: "数据库不可用 Store unavailable",
}

#: Errors any read can answer (401/403 when the server keys reads).
READ = (401, 403, 422, 503)
#: Errors any write can answer.
WRITE = (401, 403, 413, 422, 503)


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, all with the one error body."""
    return {code: {"model": ErrorBody, "description": _WHAT[code]} for code in sorted(set(codes))}
