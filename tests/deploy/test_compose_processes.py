"""The Compose deployment's own commands, env and health checks, run as local processes.

No Docker engine here, so this starts what ``deploy/docker-compose.yml`` would: a
Kafka-protocol broker (Tansu) for ``kafka``, the machine's PostgreSQL for ``postgres``, and
every webcare service with its exact command and environment (host names, ports and paths
mapped to this machine; ``deploy/config.yaml`` with its live webhook source, the state file
in a temp dir and a schema of its own). Then: the one-shot ``topics`` exits 0, every
long-running service passes its own Compose health check, a post sent to the webhook
receiver reaches the queue the app serves, and SIGTERM stops every service, ingest included,
with exit 0 within its ``stop_grace_period``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import yaml

from bus import tansu
from tests.deploy.test_deploy import CONFIG_IN_CONTAINER, DEPLOY, compose, seconds
from tests.pg import drop_schema, pg_dsn, unique_schema

pytestmark = pytest.mark.integration
WEBCARE = str(Path(sys.executable).with_name("webcare"))
TOKEN = "deploy-test-token"
SECRETS = {"WEBCARE_WEBHOOK_TOKEN": TOKEN, "WEBCARE_TICKET_WEBHOOK_SECRET": "ticket-key",
           "POSTGRES_PASSWORD": "unused"}
LONG_RUNNING = ("ingest", "classify", "route", "sink", "app")


def interpolate(value: str) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` from SECRETS."""
    def one(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in SECRETS:
            return SECRETS[name]
        assert op == ":-", f"${{{name}}} is required by Compose: {rest}"
        return rest
    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


@pytest.fixture
def stack(tmp_path):
    """Ports, config and env of every service; the processes are stopped afterwards."""
    try:
        tansu.binary()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    dsn, schema = pg_dsn(), unique_schema()
    config = yaml.safe_load((DEPLOY / "config.yaml").read_text())
    ports = {8080: tansu.free_port(), 9100: None}
    for source in config["sources"]:
        ports[source["port"]] = source["port"] = tansu.free_port()
        source["host"] = "127.0.0.1"
        source["state_path"] = str(tmp_path / "state" / "ingest-state.sqlite")
    config["store"]["schema_name"] = schema
    config["kafka"]["topic_prefix"] = f"deploy{uuid.uuid4().hex[:8]}"
    for ticket in config["tickets"]:
        ticket["url"] = f"http://127.0.0.1:{tansu.free_port()}/tickets"  # refused: retried
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    processes: dict[str, subprocess.Popen] = {}
    with tansu.running(tmp_path / "tansu.log") as broker:
        yield {"tmp": tmp_path, "dsn": dsn, "broker": broker, "ports": ports,
               "config": tmp_path / "config.yaml", "processes": processes}
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    drop_schema(dsn, schema)


def service_run(stack: dict, name: str) -> tuple[list[str], dict[str, str], dict[int, int]]:
    """argv, env and port mapping of a Compose service on this machine."""
    service = compose()["services"][name]
    ports = {**stack["ports"], 9100: tansu.free_port()}
    argv = [str(stack["config"]) if arg == CONFIG_IN_CONTAINER else
            str(ports.get(int(arg), arg)) if arg.isdigit() else arg
            for arg in service["command"]]
    env = {key: interpolate(str(value)) for key, value in service["environment"].items()}
    env = {**os.environ, **env, "WEBCARE_METRICS_PORT": str(ports[9100])}
    if "WEBCARE_KAFKA_BOOTSTRAP" in env:
        env["WEBCARE_KAFKA_BOOTSTRAP"] = stack["broker"]
    if "WEBCARE_POSTGRES_DSN" in env:
        env["WEBCARE_POSTGRES_DSN"] = stack["dsn"]
    return [WEBCARE, *argv[1:]], env, ports


def health_check(name: str, ports: dict[int, int]) -> list[str]:
    """The service's Compose health check command, its ports mapped."""
    test = compose()["services"][name]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python"
    code = re.sub(r"\b(8080|8081|9100)\b", lambda m: str(ports[int(m.group(1))]), test[3])
    return [sys.executable, test[2], code]


def wait_for(what: str, check, timeout: float, processes: dict) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            assert process.poll() is None, f"{name} exited with {process.returncode}"
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout}s")


def test_the_compose_services_run_the_product_and_stop_cleanly(stack):
    logs = stack["tmp"]
    argv, env, _ = service_run(stack, "topics")
    topics = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert topics.returncode == 0, topics.stderr

    checks = {}
    for name in LONG_RUNNING:
        argv, env, ports = service_run(stack, name)
        with (logs / f"{name}.log").open("wb") as out:
            stack["processes"][name] = subprocess.Popen(argv, env=env, stdout=out,
                                                        stderr=subprocess.STDOUT)
        checks[name] = health_check(name, ports)

    def healthy() -> bool:
        return all(subprocess.run(check, capture_output=True, timeout=10).returncode == 0
                   for check in checks.values())

    wait_for("every service healthy", healthy, 240, stack["processes"])

    webhook = next(s for s in yaml.safe_load(stack["config"].read_text())["sources"]
                   if s["type"] == "webhook")
    post = {"id": "deploy-1", "platform": "webhook", "created_at": "2026-12-07T09:00:00Z",
            "author": {"handle": "@ann"},
            "text": "@LumenCare my internet has been down since this morning, nothing works"}
    request = urllib.request.Request(
        f"http://127.0.0.1:{webhook['port']}{webhook['path']}", json.dumps(post).encode(),
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200

    _, app_env, _ = service_run(stack, "app")

    def queued() -> bool:
        shown = subprocess.run([WEBCARE, "queue", "--json", "--config", str(stack["config"])],
                               env=app_env, capture_output=True, text=True, timeout=60)
        return shown.returncode == 0 and "deploy-1" in shown.stdout

    wait_for("the post in the queue", queued, 120, stack["processes"])

    # the documented first user, then the app itself serves the post
    cli = [WEBCARE, "users", "add", "--name", "ann", "--role", "admin", "--config",
           str(stack["config"])]
    added = subprocess.run(cli, env=app_env, input="correct horse battery staple\n",
                           capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    token = subprocess.run([WEBCARE, "users", "token", "--name", "ann", "--config",
                            str(stack["config"])], env=app_env, capture_output=True,
                           text=True, timeout=60).stdout.strip()
    app_port = stack["ports"][8080]
    request = urllib.request.Request(f"http://127.0.0.1:{app_port}/api/v1/queue",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert "deploy-1" in answer.read().decode()

    services = compose()["services"]
    for name, process in stack["processes"].items():
        process.send_signal(signal.SIGTERM)
    for name, process in stack["processes"].items():
        grace = seconds(services[name].get("stop_grace_period", "10s"))
        try:
            code = process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name} did not stop within its {grace:.0f} s grace period")
        log = (logs / f"{name}.log").read_text()
        if name == "app":  # uvicorn shuts down, then re-raises the signal it caught
            assert code in (0, -signal.SIGTERM) and "Application shutdown complete" in log
            continue
        assert code == 0, f"{name} exited {code}: {log[-2000:]}"
