"""A real Request Tracker 5 for the tests: installed from Debian and started on 127.0.0.1.

:func:`real_rt` installs ``request-tracker5 rt5-db-sqlite rt5-standalone`` with apt when
``rt-server`` is missing (root only; bounded by ``INSTALL_TIMEOUT``; a file lock keeps
parallel pytest workers from running apt twice), starts ``rt-server --port P`` in its own
process group and waits until ``/REST/2.0/`` answers for root/password. Any step that cannot
work here skips the test with the reason. ``WEBCARE_TEST_RT_URL`` uses an RT you started
yourself; ``WEBCARE_TEST_RT=0`` skips without trying.
"""

from __future__ import annotations

import base64
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
PACKAGES = ["request-tracker5", "rt5-db-sqlite", "rt5-standalone"]
INSTALL_TIMEOUT = 300
START_TIMEOUT = 90
AUTH = "Basic " + base64.b64encode(b"root:password").decode()


def _install() -> None:
    if RT_SERVER.exists():
        return
    if os.environ.get("WEBCARE_TEST_RT") == "0":
        pytest.skip("WEBCARE_TEST_RT=0: real Request Tracker tests disabled")
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip("real Request Tracker needs apt-get as root (Debian packages) to install")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with open("/tmp/webcare-rt-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if RT_SERVER.exists():
            return
        deadline = time.monotonic() + INSTALL_TIMEOUT
        for step in (["apt-get", "update", "-q"],
                     ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]):
            left = deadline - time.monotonic()
            try:
                done = subprocess.run(step, env=env, capture_output=True, text=True,
                                      timeout=max(left, 1))
            except subprocess.TimeoutExpired:
                pytest.skip(f"installing Request Tracker took over {INSTALL_TIMEOUT} s")
            if done.returncode != 0:
                pytest.skip(f"cannot install Request Tracker ({' '.join(step)}): "
                            f"{(done.stderr or done.stdout).strip()[-300:]}")
    if not RT_SERVER.exists():
        pytest.skip(f"{RT_SERVER} missing after installing {PACKAGES}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url + "/REST/2.0/queues/all", headers={"Authorization": AUTH})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def real_rt():
    """Yield the base URL of a running RT 5 (user root, password password), or skip."""
    if os.environ.get("WEBCARE_TEST_RT_URL"):
        yield os.environ["WEBCARE_TEST_RT_URL"].rstrip("/")
        return
    _install()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(f"/tmp/webcare-rt-{port}.log", "w")
    process = subprocess.Popen([str(RT_SERVER), "--port", str(port)], stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"rt-server did not serve /REST/2.0/ within {START_TIMEOUT} s "
                            f"(exit {process.poll()}, log {log.name})")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
