"""Live latency: webhook → store → queue API, with real processes, in-process and on Kafka.

Run: ``.venv/bin/python benchmarks/live_latency.py [--mode inprocess|kafka|both]
[--rates 10,100,1000] [--seconds 30] [--slow 3] [--soak 200000]``.

For each mode it starts the product as a user would (``webcare run --config`` with a webhook
source, or ``webcare run --bus kafka`` against a Tansu broker, plus ``webcare serve`` on the
same store), then for each offered rate a sender (keep-alive connections, retrying like a
platform) posts realistic, distinct complaints for ``--seconds`` (``--slow`` posts one
minute apart first: the quiet brand). It prints, per rate, p50/p99/max of

* accept → stored: the sender's 2xx to the post's ``stored_at`` in the store;
* accept → visible: the 2xx to the first ``GET /api/v1/items/{id}`` answering 200, for a
  sample of about two posts a second, polled every 50 ms (so up to 50 ms late: the polls
  are load on the one machine too).

``--soak N`` then sends N posts as fast as the path takes them and prints posts/s and the
pipeline process's RSS every 10 s (flat = bounded windows, intake and caches).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.job.live.harness import (
    TOKEN,
    WEBCARE,
    free_port,
    kafka_section,
    post_json,
    start_run,
    stop,
    stored,
    stored_at,
    wait_listening,
    wait_until,
    write_config,
)

PROBES_PER_S = 2  # sampled posts a second (each polled every POLL_S: load on the one machine)
POLL_S = 0.05  # how often a pending probe is asked for


@dataclass
class Product:
    """A running product: where to post, where it stores, how to ask the queue API."""

    port: int
    store: Path
    app_port: int
    token: str
    pipeline: subprocess.Popen


def _webcare(*args: str, stdin: str = "") -> str:
    done = subprocess.run([WEBCARE, *args], input=stdin, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def _app(config: Path, directory: Path) -> tuple[int, str, subprocess.Popen]:
    """A user with an API token and ``webcare serve`` on the pipeline's store."""
    _webcare("users", "add", "--name", "bench", "--role", "agent", "--config", str(config),
             stdin="bench-password\n")
    token = _webcare("users", "token", "--name", "bench", "--config", str(config))
    port = free_port()
    log = open(directory / "serve.log", "ab")
    serve = subprocess.Popen([WEBCARE, "serve", "--port", str(port), "--config", str(config)],
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_listening(port, serve)
    return port, token, serve


@contextlib.contextmanager
def inprocess(directory: Path) -> Iterator[Product]:
    port = free_port()
    with _serving(directory, port, write_config(directory, port), ("run",)) as product:
        yield product


@contextlib.contextmanager
def on_kafka(directory: Path) -> Iterator[Product]:
    from bus import tansu

    with tansu.running(directory / "tansu.log") as broker:
        port = free_port()
        config = write_config(directory, port, kafka_section(broker, "live", partitions=4))
        _webcare("topics", "create", "--config", str(config))
        with _serving(directory, port, config, ("run", "--bus", "kafka")) as product:
            yield product


@contextlib.contextmanager
def _serving(directory: Path, port: int, config: Path, command: tuple[str, ...]
             ) -> Iterator[Product]:
    """The pipeline (``webcare`` + ``command``) and the app on one store; SIGTERM at the end."""
    pipeline = start_run(config, directory / "run.log", command)
    wait_listening(port, pipeline)
    app_port, token, serve = _app(config, directory)
    try:
        yield Product(port, directory / "store.sqlite", app_port, token, pipeline)
    finally:
        print(f"  SIGTERM: exit {stop(pipeline)}")
        stop(serve)


class Sender:
    """Posts bodies to the webhook from ``connections`` keep-alive connections of one asyncio
    loop in a thread (a platform's sender is not on our machine: this one should cost as
    little CPU as it can), each post retried until answered 2xx, optionally paced at
    ``rate`` posts/s in all. ``acked`` maps a body's index to the monotonic and wall time of
    its 2xx; ``order`` lists the indexes in the order they were acknowledged."""

    def __init__(self, port: int, bodies: list[bytes], connections: int = 8,
                 rate: float = 0.0) -> None:
        self.port, self.bodies, self.connections, self.rate = port, bodies, connections, rate
        self.acked: dict[int, tuple[float, float]] = {}
        self.order: list[int] = []
        self.retries = 0
        self._thread = threading.Thread(target=lambda: asyncio.run(self._send_all()),
                                        daemon=True)

    def start(self) -> "Sender":
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    async def _send_all(self) -> None:
        started = time.monotonic()
        await asyncio.gather(*(self._send_share(k, started) for k in range(self.connections)))

    async def _send_share(self, k: int, started: float) -> None:
        stream = None
        for index in range(k, len(self.bodies), self.connections):
            if self.rate > 0 and (ahead := started + index / self.rate - time.monotonic()) > 0:
                await asyncio.sleep(ahead)
            while True:
                try:
                    stream = stream or await asyncio.open_connection("127.0.0.1", self.port)
                    status = await self._post(stream, self.bodies[index])
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status, stream = 0, _closed(stream)
                if 200 <= status < 300:
                    self.acked[index] = (time.monotonic(), time.time())
                    self.order.append(index)
                    break
                self.retries += 1
                stream = _closed(stream)
                await asyncio.sleep(0.05)
        _closed(stream)

    async def _post(self, stream, body: bytes) -> int:
        reader, writer = stream
        writer.write(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                     b"Content-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head
                       if line.lower().startswith("content-length:")), 0)
        await reader.readexactly(length)
        if any(line.lower() == "connection: close" for line in head):
            raise ValueError("the receiver closed the connection")
        return int(head[0].split(" ", 2)[1])


def _closed(stream) -> None:
    if stream is not None:
        stream[1].close()
    return None


class Visibility:
    """Polls the queue API for sampled posts; ``seen`` maps a post id to the Unix time its
    item first answered 200."""

    def __init__(self, product: Product) -> None:
        self.product, self.pending, self.seen = product, {}, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> "Visibility":
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, post_id: str, deadline: float = 30.0) -> None:
        self.pending[post_id] = time.monotonic() + deadline

    def _poll(self) -> None:
        connection = None
        while not self._stop.wait(POLL_S):
            for post_id, deadline in list(self.pending.items()):
                connection = connection or http.client.HTTPConnection(
                    "127.0.0.1", self.product.app_port, timeout=10)
                try:
                    status = self._status(connection, post_id)
                except (OSError, http.client.HTTPException):  # an idle keep-alive was closed
                    connection.close()
                    connection = None
                    continue
                if status == 200:
                    self.seen[post_id] = time.time()
                if status == 200 or time.monotonic() > deadline:
                    self.pending.pop(post_id, None)

    def _status(self, connection: http.client.HTTPConnection, post_id: str) -> int:
        connection.request("GET", f"/api/v1/items/{post_id}",
                           headers={"Authorization": f"Bearer {self.product.token}"})
        response = connection.getresponse()
        response.read()
        return response.status


def _percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (f"p50 {statistics.median(ordered) * 1000:7.0f} ms  p99 {p99 * 1000:7.0f} ms  "
            f"max {ordered[-1] * 1000:7.0f} ms")


def measure(product: Product, label: str, rate: float, count: int) -> dict:
    """Offer ``count`` posts at ``rate``/s; latency figures of what was accepted."""
    bodies = [post_json(n, label) for n in range(count)]
    ids = [json.loads(body)["id"] for body in bodies]
    every = max(1, int(rate / PROBES_PER_S)) if rate >= PROBES_PER_S else 1
    started = time.monotonic()
    with Visibility(product) as visible:
        sender = Sender(product.port, bodies, connections=max(1, min(16, int(rate // 60) + 1)),
                        rate=rate).start()
        seen = 0
        while not sender.done or seen < len(sender.order):
            new = sender.order[seen:]
            for index in new:
                if index % every == 0:
                    visible.watch(ids[index])
            seen += len(new)
            time.sleep(0.01)
        sent_s = time.monotonic() - started
        wait_until(lambda: len(set(ids) & set(stored(product.store))) == count, timeout=300,
                   what=f"{count} posts stored")
        wait_until(lambda: not visible.pending, timeout=60, what="probes seen")
    at = stored_at(product.store)
    to_store = [at[ids[i]] - wall for i, (_, wall) in sender.acked.items()]
    to_queue = [visible.seen[ids[i]] - wall for i, (_, wall) in sender.acked.items()
                if ids[i] in visible.seen]
    return {"rate": rate, "posts": count, "achieved": count / sent_s, "stored": to_store,
            "visible": to_queue, "retries": sender.retries}


def report(mode: str, result: dict) -> None:
    print(f"  {mode:9} {result['rate']:>8.3f}/s offered  {result['achieved']:7.1f}/s sent  "
          f"{result['posts']:6} posts  retries {result['retries']}")
    print(f"            accept→stored   {_percentiles(result['stored'])}")
    print(f"            accept→visible  {_percentiles(result['visible'])}  "
          f"({len(result['visible'])} probes)")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def soak(product: Product, count: int) -> None:
    """As many posts as the path takes; posts/s and RSS every 10 s."""
    bodies = (post_json(n, "soak") for n in range(count))
    sender = Sender(product.port, list(bodies), connections=8).start()
    started, last = time.monotonic(), 0
    print(f"  soak: {count} posts, unpaced; RSS of the pipeline process every 10 s")
    while not sender.done:
        time.sleep(10)
        done = len(sender.acked)
        print(f"    t={time.monotonic() - started:6.0f} s  accepted {done:8}  "
              f"{(done - last) / 10:7.0f} posts/s  RSS {rss_mb(product.pipeline.pid):7.0f} MB")
        last = done
    wait_until(lambda: len(stored(product.store)) >= count, timeout=900, every=2,
               what="soak stored")
    seconds = time.monotonic() - started
    print(f"  soak: {count} posts accepted and stored in {seconds:.0f} s: "
          f"{count / seconds:.0f} posts/s; RSS at the end {rss_mb(product.pipeline.pid):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("inprocess", "kafka", "both"), default="both")
    parser.add_argument("--rates", default="10,100,1000")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--slow", type=int, default=3, help="posts one minute apart first")
    parser.add_argument("--soak", type=int, default=0, help="posts in the soak (0: none)")
    args = parser.parse_args()
    modes = {"inprocess": inprocess, "kafka": on_kafka}
    for mode in (modes if args.mode == "both" else [args.mode]):
        with tempfile.TemporaryDirectory() as directory, modes[mode](Path(directory)) as product:
            print(f"{mode}: webhook :{product.port} → store {product.store.name} → "
                  f"queue API :{product.app_port}")
            if args.slow:
                report(mode, measure(product, f"{mode}-slow", 1 / 60, args.slow))
            for rate in (float(r) for r in args.rates.split(",") if r):
                report(mode, measure(product, f"{mode}-{rate:g}", rate,
                                     max(1, int(rate * args.seconds))))
            if args.soak:
                soak(product, args.soak)


if __name__ == "__main__":
    main()
