"""Building, merging, testing and reporting on the configured sources (CLI support).

* :func:`build_sources` — one object per ``sources`` entry, by ``type`` (the registry in
  ``webcare.config``); missing credentials raise :class:`AuthFailed` naming the variable.
* :class:`MultiSource` — runs several sources in threads and merges their records for the
  runner; ``checkpoint`` fans the global position back out to each source's own position.
  An auth failure stops only that source; it is re-raised after the others finished, so the
  run still ends loudly (non-zero exit).
* :func:`test_sources` / :func:`status_rows` — ``webcare sources test`` / ``status``.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from ingest.health import AuthFailed
from ingest.state import DEFAULT_STATE_PATH, StateStore
from schemas.protocols import RawRecord, Source

log = logging.getLogger("webcare.ingest")
_END = object()


def build_sources(configs: list[Any], types: dict[str, type]) -> list[Source]:
    """Instantiate every configured source (called once at ``webcare run`` start)."""
    return [types[config.type](config) for config in configs]


class MultiSource:
    """Merges sources running in their own threads; bounded queue = backpressure."""

    def __init__(self, sources: list[Source], buffer: int = 1000) -> None:
        self.sources = sources
        self.name = "+".join(source.name for source in sources)
        self._queue: queue.Queue = queue.Queue(maxsize=buffer)
        self._map: deque[tuple[int, int, int]] = deque()
        self._lock = threading.Lock()

    def _pump(self, index: int, source: Source) -> None:
        try:
            for record in source.records():
                self._queue.put((index, record))
            self._queue.put((index, _END))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            self._queue.put((index, error))

    def records(self) -> Iterator[RawRecord]:
        """Yield every source's records as they arrive; global positions count from 1."""
        for index, source in enumerate(self.sources):
            threading.Thread(target=self._pump, args=(index, source), daemon=True,
                             name=f"source-{source.name}").start()
        running, failures, position = len(self.sources), [], 0
        try:
            while running:
                index, item = self._queue.get()
                if item is _END or isinstance(item, BaseException):
                    running -= 1
                    if isinstance(item, BaseException):
                        log.error("source %s stopped: %s", self.sources[index].name, item)
                        failures.append(item)
                    continue
                position += 1
                with self._lock:
                    self._map.append((position, index, item.position))
                yield RawRecord(payload=item.payload, source=item.source, position=position)
        finally:
            for source in self.sources:
                getattr(source, "close", lambda: None)()
        if failures:
            raise next((f for f in failures if isinstance(f, AuthFailed)), failures[0])

    def checkpoint(self, position: int) -> None:
        """Checkpoint each source at its last record at or before ``position``."""
        latest: dict[int, int] = {}
        with self._lock:
            while self._map and self._map[0][0] <= position:
                _, index, own = self._map.popleft()
                latest[index] = own
        for index, own in latest.items():
            self.sources[index].checkpoint(own)


def state_paths(configs: list[Any]) -> list[str]:
    """The distinct state files the configured live sources write."""
    paths = {getattr(config, "state_path", None) for config in configs} - {None}
    return sorted(paths) or [DEFAULT_STATE_PATH]


def status_rows(configs: list[Any]) -> list[dict[str, Any]]:
    """Health rows of every source that ever ran against the configured state files."""
    rows = []
    for path in state_paths(configs):
        store = StateStore(path)
        try:
            rows += [{**row, "state_path": path} for row in store.health()]
        finally:
            store.close()
    return rows


def test_sources(configs: list[Any], types: dict[str, type]) -> list[dict[str, Any]]:
    """Build and probe each live source; one row per source with ``ok`` and ``detail``."""
    results = []
    for config in configs:
        if config.type == "replay":
            continue
        label = getattr(config, "name", None) or config.type
        try:
            source = types[config.type](config)
            label = source.name
            detail = source.probe()
            getattr(source, "close", lambda: None)()
            results.append({"source": label, "ok": True, "detail": detail})
        except AuthFailed as error:
            results.append({"source": label, "ok": False, "detail": f"auth: {error}"})
        except Exception as error:  # noqa: BLE001 - reported per source
            results.append({"source": label, "ok": False,
                            "detail": f"unreachable: {type(error).__name__}: {error}"})
    return results


def format_status(rows: list[dict[str, Any]]) -> str:
    """The ``webcare sources status`` table."""
    if not rows:
        return "no source has run yet"
    lines = [f"{'state':13} {'records':>8}  {'updated':25} source / detail"]
    for row in rows:
        lines.append(f"{row['state']:13} {row['records']:>8}  {row['updated_at']:25} "
                     f"{row['source']}: {row['detail']}")
    return "\n".join(lines)
