"""Validators shared by config sections that are lists of named components (ticket sinks,
alerts): called by pydantic when the config is loaded; a failure is a config error naming the
duplicates."""

from __future__ import annotations

from collections.abc import Callable


def unique_by(name_of: Callable[[object], str], what: str) -> Callable[[list], list]:
    """A validator refusing a list in which two components share a name (``what`` says which
    names, e.g. "alert names")."""

    def check(configs: list) -> list:
        names = [name_of(c) for c in configs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{what} must be unique: {duplicates}")
        return configs

    return check
