"""The ``webcare`` console script. A SIGTERM that arrives while the program is still starting
(imports, config) ends it cleanly with exit 0: nothing has been accepted yet. Long-running
commands replace this handler with their graceful stop (:func:`ingest.signals.stop_on_signals`:
stop accepting, drain, flush, checkpoint) before their first source starts."""

from __future__ import annotations

import signal


def _stop_while_starting(signum: int, frame: object) -> None:
    raise SystemExit(0)


def run() -> None:
    """Called by the console script: install the start-up SIGTERM handler, then the CLI."""
    signal.signal(signal.SIGTERM, _stop_while_starting)
    from webcare.cli.main import main

    main()
