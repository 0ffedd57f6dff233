"""Building, testing and reporting on the configured sources (CLI support).

* :func:`build_sources` — one object per ``sources`` entry, by ``type`` (the registry in
  :mod:`ingest.registry`); missing credentials raise :class:`AuthFailed` naming the variable.
  Their records are merged into time-bounded batches by :class:`ingest.batches.MultiSource`.
* :func:`test_sources` / :func:`status_rows` — ``webcare sources test`` / ``status``.
"""

from __future__ import annotations

from typing import Any

from ingest.registry import source_class
from schemas.errors import AuthFailed
from schemas.protocols import Source
from sinks.store.source_state import DEFAULT_STATE_PATH, StateStore


def build_sources(configs: list[Any]) -> list[Source]:
    """Instantiate every configured source (called once at the start of ``webcare run`` and
    of the Kafka ingest worker); none configured raises :class:`FileNotFoundError`."""
    if not configs:
        raise FileNotFoundError("no sources configured (add a `sources:` list or use --replay)")
    return [source_class(config.type)(config) for config in configs]


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


def test_sources(configs: list[Any]) -> list[dict[str, Any]]:
    """Build and probe each live source; one row per source with ``ok`` and ``detail``."""
    results = []
    for config in configs:
        if config.type == "replay":
            continue
        label = getattr(config, "name", None) or config.type
        try:
            source = source_class(config.type)(config)
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
