"""The store as a :class:`schemas.protocols.Sink`: buffers decisions and dead letters.

The runner calls ``add`` per message and ``flush`` per batch; only after ``flush`` returns may
the source position be committed. A failed flush keeps the buffer, so retrying loses nothing.
"""

from __future__ import annotations

from typing import Protocol

from schemas import DeadLetter, Decision


class Store(Protocol):
    """What a store backend offers the pipeline (SQLite now; PostgreSQL implements the same)."""

    def write(self, decisions: list[Decision], dead_letters: list[DeadLetter]) -> None: ...

    def close(self) -> None: ...


class StoreSink:
    name = "store"

    def __init__(self, store: Store) -> None:
        self.store = store
        self._decisions: list[Decision] = []
        self._dead_letters: list[DeadLetter] = []

    def add(self, item: Decision | DeadLetter) -> None:
        if isinstance(item, DeadLetter):
            self._dead_letters.append(item)
        else:
            self._decisions.append(item)

    def flush(self) -> None:
        """Write the buffered batch in one transaction; on error the buffer is kept."""
        if not self._decisions and not self._dead_letters:
            return
        self.store.write(self._decisions, self._dead_letters)
        self._decisions, self._dead_letters = [], []

    def close(self) -> None:
        self.flush()
        self.store.close()
