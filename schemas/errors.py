"""The project's exception tree: every error the product raises on purpose derives from
:class:`WebcareError`, so a caller can catch "ours" apart from bugs and library errors.

The classes here are the ones several packages share (a platform refused our credentials, a
platform asked us to wait); each package's own errors derive from the root in their module.
"""

from __future__ import annotations


class WebcareError(Exception):
    """Root of every error the product raises on purpose."""


class AuthFailed(WebcareError, RuntimeError):
    """Credentials were rejected or are missing; the source must stop, not retry."""


class RateLimited(WebcareError, RuntimeError):
    """The platform asked us to wait ``wait`` seconds (from its reset header)."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = max(0.0, wait)
