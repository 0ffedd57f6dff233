"""Credentials from the environment or secret files, held as ``SecretStr``.

A source config names *where* a secret is (``token_env: X_BEARER_TOKEN``, or
``token_file: /run/secrets/x``), never the secret itself. Resolution happens when a source is
built; a missing secret raises :class:`MissingCredential` naming the variable or file (never a
value), which the runner treats like an auth failure: the source stops loudly.
``SecretStr`` prints as ``**********`` in reprs, logs and config dumps.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import SecretStr

from schemas.errors import AuthFailed


class MissingCredential(AuthFailed):
    """A configured secret is not set (empty env var, unreadable or empty file)."""


def secret(env: str | None, file: str | None = None, *, required: bool = True,
           environ: dict[str, str] | None = None) -> SecretStr | None:
    """Resolve one secret: ``file`` first, then ``$env``, then the file named by ``$env_FILE``.

    Called once when a source is constructed. Returns None only when ``required`` is False and
    nothing is configured.
    """
    environ = os.environ if environ is None else environ
    if file:
        return SecretStr(_read(Path(file), f"secret file {file}"))
    if env and environ.get(env, "").strip():
        return SecretStr(environ[env].strip())
    if env and environ.get(f"{env}_FILE"):
        return SecretStr(_read(Path(environ[f"{env}_FILE"]), f"${env}_FILE"))
    if required:
        where = f"${env} (or ${env}_FILE)" if env else "a secret file"
        raise MissingCredential(f"credential not configured: set {where}")
    return None


def _read(path: Path, what: str) -> str:
    try:
        value = path.read_text("utf-8").strip()
    except OSError as error:
        raise MissingCredential(f"{what} is not readable: {error.strerror}") from error
    if not value:
        raise MissingCredential(f"{what} is empty")
    return value
