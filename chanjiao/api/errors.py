"""One JSON error body for every error the API returns.

Every `ChanjiaoError` already knows its HTTP status and its message in Chinese and
English; here each becomes ``{code, message, message_en, details}``. Request
validation errors get the same shape (422). Anything else is a bug: the client gets
a 500 with the same shape and no stack trace or internal path, the log gets the
traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chanjiao.errors import (
    HTTP_STATUS,
    ChanjiaoError,
    InvalidInput,
    StoreFull,
    StoreUnavailable,
)

log = logging.getLogger("chanjiao.api")


class Unauthorized(ChanjiaoError):
    """No API key, or not a key this server knows."""

    code = "unauthorized"


class WritesDisabled(ChanjiaoError):
    """The server has no API key configured, so nobody may write."""

    code = "writes_disabled"


class BodyTooLarge(ChanjiaoError):
    code = "body_too_large"


class ConfigError(ChanjiaoError):
    """The server's own settings are wrong (found at start, never caused by a client)."""

    code = "config_error"


class ErrorBody(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "not_found",
                    "message": "找不到课程 C-X",
                    "message_en": "no course C-X",
                    "details": {},
                }
            ]
        },
    )

    code: str = Field(description="机器可读的错误类别 machine-readable error kind")
    message: str = Field(description="中文说明")
    message_en: str = Field(description="English message")
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="细节，如数据集错误的 file/row/column (details, e.g. file/row/column)",
    )


def error_response(
    status: int, code: str, zh: str, en: str, details: dict[str, Any] | None = None
) -> JSONResponse:
    body = {"code": code, "message": zh, "message_en": en, "details": details or {}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def chanjiao_error_response(exc: ChanjiaoError) -> JSONResponse:
    if isinstance(exc, StoreFull):
        log.error("store full: %s", exc.en)
        return error_response(
            exc.status,
            exc.code,
            "服务器磁盘已满，本次写入未生效，数据保持原样；请联系管理员",
            "the server's disk is full; nothing of this write was applied; tell the operator",
        )
    if isinstance(exc, StoreUnavailable):
        # Store messages name files and drivers: log them, tell the client less.
        log.error("store unavailable: %s", exc.en)
        return error_response(
            exc.status,
            exc.code,
            "数据库暂时不可用，请稍后再试",
            "the store is unavailable; try again later",
        )
    return error_response(exc.status, exc.code, exc.zh, exc.en, exc.details)


_HTTP_CODES = {
    HTTP_STATUS["not_found"]: ("not_found", "找不到这个地址", "no such URL"),
    HTTP_STATUS["method_not_allowed"]: (
        "method_not_allowed",
        "该地址不支持这个请求方法",
        "method not allowed here",
    ),
}


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        errors.append({"loc": loc, "message": str(err.get("msg", "")), "type": err.get("type")})
    return {"errors": errors}


def install_error_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to one body shape."""

    async def on_chanjiao(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ChanjiaoError)
        return chanjiao_error_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = _validation_details(exc)
        where = "、".join(".".join(e["loc"]) for e in details["errors"][:5])
        return error_response(
            InvalidInput.status,
            InvalidInput.code,
            f"请求参数无效：{where}",
            f"invalid request parameters: {where}",
            details,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code, zh, en = _HTTP_CODES.get(
            exc.status_code, ("http_error", "请求无法处理", "the request cannot be handled")
        )
        response = error_response(exc.status_code, code, zh, en)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    app.add_exception_handler(ChanjiaoError, on_chanjiao)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


class _BodyLimitExceeded(Exception):
    pass


class GuardMiddleware:
    """The outermost layer: a request body size limit, and a 500 without internals.

    Starlette's own handler for unexpected exceptions re-raises after answering; this
    one answers with the common error body, logs the traceback, and stops there.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await self._too_large(send)
                    return
        received = 0
        started = False
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyLimitExceeded
            return message

        async def guarded_send(message: Message) -> None:
            # A parser may turn the limit into its own error: answer 413 instead.
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._too_large(send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyLimitExceeded:
            if not started:
                started = True
                await self._too_large(send)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(
                    HTTP_STATUS["internal_error"],
                    "internal_error",
                    "服务器内部错误，已记录；请联系管理员",
                    "internal server error; it has been logged",
                )
                await response(scope, receive, send)

    async def _too_large(self, send: Send) -> None:
        mib = self.max_body_bytes / (1024 * 1024)
        response = error_response(
            BodyTooLarge.status,
            BodyTooLarge.code,
            f"请求体过大：上限为 {mib:.1f} MiB",
            f"the request body is too large; the limit is {mib:.1f} MiB",
        )
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
