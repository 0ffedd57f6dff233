"""Real-browser helpers: Debian's chromium (installed through apt when missing, as CI runs as
root), Playwright for Python pointed at it, and the app served by uvicorn in a thread."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-quic", "--no-first-run",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("WEBCARE_TEST_ARTIFACTS", "var/test-artifacts"))


def chromium_path() -> str:
    """Path of a chromium binary, installing Debian's package when possible; else skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be installed here "
                    "(needs root and apt-get: apt-get install chromium chromium-driver)")
    command = ("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
               "--no-install-recommends chromium chromium-driver")
    try:
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                                timeout=900)
    except subprocess.TimeoutExpired:
        pytest.skip("installing chromium through apt took longer than 15 minutes")
    found = shutil.which("chromium")
    if result.returncode != 0 or not found:
        pytest.skip(f"installing chromium through apt failed: {result.stderr.strip()[-300:]}")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``webcare serve`` in a background thread (stopped by :meth:`stop`)."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (a module imports this fixture to use it)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
