"""Logins of the web workbench: an API key once, then a signed session cookie.

A person types an API key on the login page; the server answers with a session
cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and never keeps or shows the key.
The cookie is ``expiry.nonce.signature``, signed with HMAC-SHA256 under a secret
derived from the configured keys, so every worker process accepts it and changing
the keys logs everyone out. Each session has its CSRF token, HMAC(secret, nonce):
a page carries it in ``<meta name="csrf-token">`` and in every form, and every write
sends it back (``X-CSRF-Token`` header or ``csrf`` form field). A read that the
server keys (``read_requires_key``) accepts the cookie alone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from starlette.requests import Request
from starlette.responses import Response

from chanjiao.api.deps import key_matches

SESSION_COOKIE = "cj_session"
LOGIN_COOKIE = "cj_login"
CSRF_HEADER = "x-csrf-token"
#: How long a login lasts.
SESSION_SECONDS = 8 * 3600


class Sessions:
    """Issues and checks session cookies and their CSRF tokens."""

    def __init__(self, keys: list[bytes]) -> None:
        self._keys = keys
        material = b"chanjiao-web-session\n" + b"\n".join(sorted(keys))
        self._secret = hashlib.sha256(material).digest() if keys else secrets.token_bytes(32)
        self._revoked: set[str] = set()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether anyone can log in (the server has keys)."""
        return bool(self._keys)

    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def check_key(self, key: str) -> bool:
        return bool(key) and key_matches(key.encode(), self._keys)

    def issue(self) -> str:
        body = f"{int(time.time()) + SESSION_SECONDS}.{secrets.token_hex(16)}"
        return f"{body}.{self._sign(body)}"

    def nonce(self, token: str | None) -> str | None:
        """The session's nonce if `token` is a valid, unexpired, unrevoked session."""
        if not token or not self._keys:
            return None
        expiry, _, rest = token.partition(".")
        nonce, _, signature = rest.partition(".")
        if not expiry.isdigit() or not nonce or not signature:
            return None
        if not hmac.compare_digest(self._sign(f"{expiry}.{nonce}"), signature):
            return None
        if int(expiry) < time.time():
            return None
        with self._lock:
            if nonce in self._revoked:
                return None
        return nonce

    def revoke(self, token: str | None) -> None:
        nonce = self.nonce(token)
        if nonce is not None:
            with self._lock:
                self._revoked.add(nonce)

    def csrf(self, nonce: str) -> str:
        return self._sign(f"csrf\n{nonce}")[:40]

    def login_csrf(self, pre: str) -> str:
        """The token of the login form, bound to the browser's pre-login cookie."""
        return self._sign(f"login\n{pre}")[:40]

    # --- requests ---------------------------------------------------------------------

    def session_of(self, request: Request) -> str | None:
        return self.nonce(request.cookies.get(SESSION_COOKIE))

    def csrf_ok(self, request: Request, nonce: str, sent: str | None) -> bool:
        token = sent if sent is not None else request.headers.get(CSRF_HEADER)
        return bool(token) and hmac.compare_digest(self.csrf(nonce), token or "")

    def authorises(self, request: Request, *, write: bool) -> bool:
        """A logged-in browser: any read; a write only with the session's CSRF token."""
        nonce = self.session_of(request)
        if nonce is None:
            return False
        return not write or self.csrf_ok(request, nonce, None)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
