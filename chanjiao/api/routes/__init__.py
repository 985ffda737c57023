"""Routes by area; each is a thin shell over one library call."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from chanjiao.api.errors import ErrorBody


def library_json(data: Any, status_code: int = 200) -> JSONResponse:
    """A library result (already plain JSON data) sent as is.

    Returning a response skips FastAPI's validation and re-encoding of the value
    against ``dict[str, Any]``, which costs more than the analysis itself on a
    national-scale gap report (over 1 MB of JSON).
    """
    return JSONResponse(data, status_code=status_code)


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
