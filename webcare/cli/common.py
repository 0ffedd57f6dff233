"""What every ``webcare`` command shares: the ``--config`` and ``--store`` options, reading the
config (a bad file becomes one clear error line, exit 1), the check that a read command's SQLite
store exists, and opening the app's tables.

Imported by :mod:`webcare.cli.main` and every sub-CLI module when the ``webcare`` command starts,
so it imports only click and the standard library at module level: ``webcare --help`` must not
pay for pydantic configs, the classifiers or the web app. The config models and stores are
imported inside the functions below, i.e. only when a command runs. For the same reason
:class:`StoreNotFound`, which derives from :class:`schemas.errors.WebcareError` (importing
``schemas`` loads pydantic), is built on first use (module ``__getattr__``, PEP 562).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # names for annotations only; importing them is what --help must avoid
    from sinks.store.app_store import AppStore
    from webcare.job.config import WebcareConfig

CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=None,
    help="YAML config file (default: the shipped default_config.yaml)")

STORE_OPTION = click.option(
    "--store", "store_path", default=None,
    help="SQLite file to read (overrides store.path); a missing file is refused")

# --store of a command that may start a store (``users add``): a missing file is created.
NEW_STORE_OPTION = click.option(
    "--store", "store_path", default=None,
    help="SQLite file (overrides store.path); created when missing")


def _store_not_found() -> type[click.ClickException]:
    from schemas.errors import WebcareError

    class StoreNotFound(WebcareError, click.ClickException):
        """A command that needs an existing store was pointed at a SQLite file that is not
        there (exit 1 with the message below)."""

        def __init__(self, path: str) -> None:
            super().__init__(f"store not found: {path} "
                             "(run the pipeline first or check --store / store.path)")
            self.path = path

    StoreNotFound.__module__ = __name__
    return StoreNotFound


def __getattr__(name: str):
    """``StoreNotFound`` is made (once) when first asked for, not when the CLI starts."""
    if name == "StoreNotFound":
        globals()[name] = _store_not_found()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_config(config_path: Path | None, store_path: str | None = None, *,
                existing_store: bool = False) -> WebcareConfig:
    """The validated config of ``config_path`` (None: the shipped default), its store replaced
    by the SQLite file ``store_path`` when given.

    ``existing_store=True`` is for commands that read (or change) what is already stored: they
    fail with :class:`StoreNotFound` instead of silently creating an empty SQLite file (a typo
    in ``--store`` would otherwise show an empty queue). Commands that fill the store (``run``,
    ``classify``, ``demo``, the Kafka workers, ``users add``) pass False.
    """
    from sinks.store.config import SqliteStoreConfig
    from webcare.job.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    if store_path:
        config = config.model_copy(update={"store": SqliteStoreConfig(path=store_path)})
    if existing_store:
        require_store(config)
    return config


def missing_store(config: WebcareConfig) -> str | None:
    """The path of the configured SQLite store when its file does not exist, else None
    (PostgreSQL stores and ``:memory:`` are never "missing": there is no file to look for)."""
    store = config.store
    if getattr(store, "type", None) != "sqlite" or store.path == ":memory:":
        return None
    return None if Path(store.path).is_file() else store.path


def require_store(config: WebcareConfig) -> None:
    """Raise :class:`StoreNotFound` when the configured SQLite store does not exist."""
    path = missing_store(config)
    if path is not None:
        raise __getattr__("StoreNotFound")(path)


def open_app(config: WebcareConfig) -> AppStore:
    """The app's tables (users, sessions, relabels, audit, ...) on the configured store; the
    caller closes ``.store``."""
    from sinks.store.app_store import AppStore
    from sinks.store.registry import open_store

    return AppStore(open_store(config.store))
