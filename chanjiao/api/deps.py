"""What routes share: the store, API-key checks, the write gate, label names.

Routes get these through FastAPI dependencies, so each route body is one library call.
The dependencies are ``async`` because none of them blocks: a plain ``def`` would cost
each request a hop through the thread pool per dependency.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi import Path as PathParam
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from chanjiao.api.errors import Unauthorized, WritesDisabled
from chanjiao.edit import file_of, label_named
from chanjiao.graph.schema import Label
from chanjiao.graph.store import GraphStore
from chanjiao.ingest.formats import LABEL_SPELLINGS

__all__ = ["LABEL_CHOICES", "Gate", "LabelPath", "Store", "WriteGate", "file_of", "label_named"]


async def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


Store = Annotated[GraphStore, Depends(get_store)]

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


def _presented(bearer: HTTPAuthorizationCredentials | None, header: str | None) -> bytes | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials.encode()
    if header:
        return header.encode()
    return None


def key_matches(presented: bytes, keys: list[bytes]) -> bool:
    """Compare against every key in constant time (no early exit reveals which failed)."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(presented, key)
    return found


def _check(request: Request, presented: bytes | None, *, reading: bool = False) -> None:
    keys: list[bytes] = request.app.state.student_keys if reading else request.app.state.api_keys
    if not keys:
        raise WritesDisabled(
            "服务器未配置 API 密钥（CHANJIAO_API_KEYS 或 CHANJIAO_API_KEYS_FILE），此操作已禁用",
            "the server has no API key configured (CHANJIAO_API_KEYS or "
            "CHANJIAO_API_KEYS_FILE), so this is disabled",
        )
    if presented is None:
        raise Unauthorized(
            "需要 API 密钥：请在请求头 Authorization: Bearer <密钥> 或 X-API-Key 中提供",
            "an API key is required: send Authorization: Bearer <key> or X-API-Key",
        )
    if not key_matches(presented, keys):
        raise Unauthorized("API 密钥无效", "the API key is not valid")


def _web_session(request: Request, *, write: bool) -> bool:
    """A browser logged in to the web workbench (its writes carry the CSRF token)."""
    sessions = getattr(request.app.state, "web_sessions", None)
    return sessions is not None and bool(sessions.authorises(request, write=write))


def key_name(presented: bytes) -> str:
    """How the change log names a key: a fingerprint that does not reveal it."""
    return f"API 密钥 {hashlib.sha256(presented).hexdigest()[:8]}"


async def require_write_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> None:
    """Writes always need a key (or a web session and its CSRF token); the key's name
    (or the session's) is kept for the change log."""
    presented = _presented(bearer, header)
    if presented is None and _web_session(request, write=True):
        request.state.author = "网页工作台会话 web session"
        return
    _check(request, presented)
    request.state.author = key_name(presented) if presented is not None else None


async def get_author(request: Request) -> str | None:
    """Who is writing: the name of the request's API key (after `require_write_key`)."""
    author: str | None = getattr(request.state, "author", None)
    return author


Author = Annotated[str | None, Depends(get_author)]


async def require_read_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> None:
    """Reads need a key only when the server is set so (`read_requires_key`)."""
    if request.app.state.settings.read_requires_key:
        presented = _presented(bearer, header)
        if presented is None and _web_session(request, write=False):
            return
        _check(request, presented, reading=True)


class StudentAccess:
    """Whether a request may see students (personal data, DESIGN §4b).

    Students need a key even when other reads are open: a write key or a student key
    (`Settings.student_keys`). Routes that only sometimes show students (a course's
    neighbours, an export) leave them out when `allowed` is false; routes about
    students call `require()`.
    """

    def __init__(self, request: Request, presented: bytes | None) -> None:
        self._request = request
        self._presented = presented
        self.allowed = presented is not None and key_matches(
            presented, request.app.state.student_keys
        )

    def require(self) -> None:
        """Raise the error that explains why students cannot be read, unless they can."""
        if self.allowed:
            return
        if not self._request.app.state.student_keys:
            raise WritesDisabled(
                "服务器未配置 API 密钥（CHANJIAO_API_KEYS 或 CHANJIAO_STUDENT_KEYS），"
                "学生数据（个人信息）不能读取",
                "the server has no API key configured (CHANJIAO_API_KEYS or "
                "CHANJIAO_STUDENT_KEYS), so students (personal data) cannot be read",
            )
        if self._presented is None:
            raise Unauthorized(
                "学生数据属于个人信息，读取需要 API 密钥：请在请求头 Authorization: Bearer <密钥> "
                "或 X-API-Key 中提供",
                "students are personal data: reading them needs an API key "
                "(Authorization: Bearer <key> or X-API-Key)",
            )
        raise Unauthorized("API 密钥无效", "the API key is not valid")


async def student_access(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> StudentAccess:
    return StudentAccess(request, _presented(bearer, header))


Students = Annotated[StudentAccess, Depends(student_access)]


async def require_student_key(access: Students) -> None:
    """Routes about students: a write key or a student key, always."""
    access.require()


class WriteGate:
    """Serialises the API's read-check-write sections (create, update, ingest, delete).

    The store makes each write atomic, but a route first reads (does the node
    exist? what are its required columns?) and then writes; two such routes at
    once could act on a stale read. A thread lock covers one process; for an
    embedded store, an advisory file lock beside the database covers every server
    worker process on that file.
    """

    def __init__(self, location: str) -> None:
        self._lock = threading.Lock()
        self._file: Path | None = None
        if "://" not in location:
            candidate = Path(f"{location}.api-lock")
            if candidate.parent.is_dir():
                self._file = candidate

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._file is None:
                yield
                return
            fd = os.open(self._file, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


async def get_gate(request: Request) -> WriteGate:
    gate: WriteGate = request.app.state.write_gate
    return gate


Gate = Annotated[WriteGate, Depends(get_gate)]


# --- label names in paths -----------------------------------------------------------------

#: Every spelling a path accepts for a label, for the OpenAPI enum.
LABEL_CHOICES = LABEL_SPELLINGS


async def _label_param(
    label: Annotated[
        str,
        PathParam(
            description="节点类型：英文标签、文件名或中文名 (label, file name or Chinese name)",
            json_schema_extra={"enum": LABEL_CHOICES},
            examples=["courses"],
        ),
    ],
) -> Label:
    return label_named(label)


LabelPath = Annotated[Label, Depends(_label_param)]
