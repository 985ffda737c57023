"""The HTTP API (FastAPI): thin routes over the library, one JSON error body, keyed writes."""

from __future__ import annotations

from chanjiao.api.app import create_app
from chanjiao.api.settings import Settings

__all__ = ["Settings", "create_app"]
