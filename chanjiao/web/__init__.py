"""The web workbench for curriculum designers, served by `chanjiao serve` at ``/``.

A shell like the CLI and the API: every page renders, with autoescaping, the same
objects the JSON API returns from the same library calls, and its scripts call the
API for every interaction. Front-end libraries are vendored under ``static/vendor``
at pinned npm versions with their licences (no network, no build step). Every page
is sent with a Content-Security-Policy that allows only this server's own scripts,
styles and connections.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chanjiao.web.auth import Sessions

STATIC = Path(__file__).parent / "static"

#: The workbench's pages: own scripts, styles and connections only; no inline script.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Swagger UI and Redoc set inline styles and Redoc starts a worker from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Reports and views under /api/v1 are self-contained files with inline scripts: they
#: may run their own inline code but load nothing from anywhere.
FILE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


def _policy(path: str) -> str:
    if path in ("/docs", "/redoc", "/api/v1/docs"):
        return DOCS_CSP
    if path.startswith("/api/"):
        return FILE_CSP
    return PAGE_CSP


class SecurityHeaders:
    """Adds the CSP and the usual hardening headers to every HTML answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kinds = [v for k, v in headers if k == b"content-type"]
                if any(v.startswith(b"text/html") for v in kinds):
                    headers.append((b"content-security-policy", _policy(path).encode()))
                    headers.append(
                        (
                            b"x-frame-options",
                            b"DENY" if not path.startswith("/api/") else b"SAMEORIGIN",
                        )
                    )
                    headers.append((b"referrer-policy", b"no-referrer"))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, keys: list[bytes]) -> None:
    """Mount the workbench on `app`: pages, static files, offline API docs, headers."""
    from chanjiao.web import pages

    app.state.web_sessions = Sessions(keys)
    pages.compile_templates()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.add_middleware(SecurityHeaders)
