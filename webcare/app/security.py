"""Passwords, session/API tokens, login rate limiting and inert rendering of post text.

Passwords are hashed with Argon2id (argon2-cffi); session cookies and API tokens are random
(``secrets``) and only their SHA-256 is stored, so a leaked database holds no usable secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
# A hash of a random password: verifying unknown users costs the same time as known ones.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password too short (at least {MIN_PASSWORD} characters)")
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


class LoginLimiter:
    """Failed logins per key (user name, client address) in a sliding window, in memory."""

    def __init__(self, max_failures: int, window_seconds: float) -> None:
        self.max_failures, self.window = max_failures, window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= at - self.window:
            times.popleft()
        return times

    def blocked(self, user_key: str, address_key: str, address_factor: int = 4) -> bool:
        """Too many failures for this user, or (x ``address_factor``) from this address."""
        at = time.monotonic()
        with self._lock:
            return (len(self._recent(user_key, at)) >= self.max_failures or
                    len(self._recent(address_key, at)) >= self.max_failures * address_factor)

    def failed(self, *keys: str) -> None:
        at = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, at).append(at)

    def succeeded(self, user_key: str, address_key: str) -> None:
        with self._lock:
            self._failures.pop(user_key, None)


# Characters that reorder or hide text: bidi embeddings/overrides/isolates, marks, and the
# zero-width set. Shown as a visible code point so agents see the trick instead of obeying it.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff"
                        "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]")


def neutralise(text: str | None) -> str:
    """Post text with direction/invisible controls made visible (``[U+202E]``); not escaped."""
    if not text:
        return ""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def is_web_url(url: str | None) -> bool:
    """Only http(s) links from posts are rendered (never ``javascript:`` or ``data:``)."""
    return bool(url) and url.lower().startswith(("https://", "http://")) and len(url) < 2048
