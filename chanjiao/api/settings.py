"""Settings of the HTTP API, from the environment (prefix ``CHANJIAO_``).

Why pydantic-settings: one typed object, documented in one place, that a container
fills from its environment. API keys are `SecretStr`, so no repr, log line or error
message ever shows one. Like the CLI, the server reads environment variables only,
never a ``.env`` file: ``docker compose`` passes ``.env`` into the container's
environment, and a shell loads it with ``set -a; . ./.env; set +a`` — so
``chanjiao stats`` and ``chanjiao serve`` always see the same store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chanjiao.api.errors import ConfigError

#: Uploads and JSON bodies larger than this are refused (413) unless configured.
DEFAULT_MAX_BODY = 50 * 1024 * 1024


def _split(value: object) -> object:
    """``a,b`` or ``a;b`` or one per line (as env vars hold lists) → a list."""
    if isinstance(value, str):
        parts = value.replace(";", ",").replace("\n", ",").split(",")
        return [p.strip() for p in parts if p.strip()]
    return value


class Settings(BaseSettings):
    """How the API server runs.

    Attributes:
        store: the store location (as ``--store``); None means ``./chanjiao.db``.
        api_keys: keys that may write (``CHANJIAO_API_KEYS=k1,k2``).
        api_keys_file: a file with more keys, one per line (``#`` starts a comment);
            a Docker or Kubernetes secret mounted as a file, say.
        read_requires_key: whether reads need a key too (default: reads are open).
        student_keys: keys that may read students (personal data, DESIGN §4b) but not
            write (``CHANJIAO_STUDENT_KEYS=k1,k2``), e.g. for the employment office.
            Reading a student, or anything that shows one, always needs a key, open
            reads or not: one of these or one of `api_keys`. With neither set, no
            student can be read over HTTP.
        talent_threshold: the readiness at which a student counts as ready (§4b).
        certificate_level: the level a held certificate gives its abilities (§4b).
        cors_origins: origins browsers may call the API from (``*`` for any).
        max_body_bytes: the largest request body accepted (uploads included).
        warm_cache: fill the store's read cache in a background thread at start.
        threads: how many requests run library code at once in one process. The
            analysis is CPU-bound Python: more threads than cores only contend for
            the GIL (and each opens its own SQLite connection with a cold page
            cache), so a small number serves more requests per second.
        response_cache_mb: how many MB of encoded read answers (gaps, alignments) are
            kept for the current store generation. The default holds every cluster ×
            chain gap answer of a national graph (about 400 × 1.5 MB plus compressed
            copies); a cache smaller than the answers asked in rotation drops each just
            before it is asked again.
    """

    # extra="ignore": the environment also holds other services' settings (NEO4J_AUTH …).
    model_config = SettingsConfigDict(env_prefix="CHANJIAO_", extra="ignore")

    store: str | None = None
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    api_keys_file: Path | None = None
    read_requires_key: bool = False
    student_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    talent_threshold: float = Field(default=0.8, ge=0, le=1)
    certificate_level: int = Field(default=3, ge=1, le=4)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY, gt=0)
    warm_cache: bool = True
    threads: int = Field(default=2, ge=1, le=256)
    response_cache_mb: int = Field(default=1024, ge=0)

    _split_keys = field_validator("api_keys", "student_keys", "cors_origins", mode="before")(_split)

    def personal_keys(self) -> list[bytes]:
        """Keys that may read students but not write (`student_keys`)."""
        return [k.get_secret_value().encode() for k in self.student_keys if k.get_secret_value()]

    def keys(self) -> list[bytes]:
        """Every key that may write: from the setting and from the keys file.

        Raises:
            ConfigError: the keys file is set but cannot be read (the server must
                not start with fewer keys than its operator meant).
        """
        found = [k.get_secret_value().encode() for k in self.api_keys if k.get_secret_value()]
        if self.api_keys_file is not None:
            try:
                text = self.api_keys_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(
                    f"无法读取 API 密钥文件 {self.api_keys_file}：{exc.strerror}",
                    f"cannot read the API keys file {self.api_keys_file}: {exc.strerror}",
                ) from None
            for line in text.splitlines():
                key = line.split("#", 1)[0].strip()
                if key:
                    found.append(key.encode())
        return found
