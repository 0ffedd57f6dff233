"""deploy/ cannot run here (no Docker engine, no cluster), so check what can go wrong on paper:
the deployments run the whole product (live ingest, the stage workers, the sink with its
ticket delivery, the web app), every command is a valid ``webcare`` invocation, every
container has a health check, every env var is one the code or the config reads and the
required ones are set, ingest keeps its state on a persistent volume and gets time to drain,
replicas fit the partitions, and the configs are identical."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click
import pytest
import yaml

from bus.config import BOOTSTRAP_ENV, STAGES
from webcare.cli.main import main
from webcare.job.config import load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONFIG_IN_CONTAINER = "/etc/webcare/config.yaml"
CONFIG = load_config(DEPLOY / "config.yaml")
WORKERS = ("classify", "route", "sink")
INFRA = ("kafka", "postgres")  # third-party images, not webcare commands
MIN_GRACE_S = 30


def env_names(value) -> set[str]:
    """Every ``*_env`` value in a config section (tokens, DSN, ticket secrets...)."""
    if isinstance(value, dict):
        found = {v for k, v in value.items() if k.endswith("_env") and isinstance(v, str)}
        return found.union(*(env_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(env_names(v) for v in value))
    return set()


def cli_env_names(command: click.Command = main) -> set[str]:
    """Env vars the CLI's options read (``envvar=``), over every command."""
    found = set()
    for param in command.params:
        envvar = getattr(param, "envvar", None)
        found |= {envvar} if isinstance(envvar, str) else set(envvar or ())
    for sub in getattr(command, "commands", {}).values():
        found |= cli_env_names(sub)
    return found


SOURCE_ENV = env_names([s.model_dump() for s in CONFIG.sources])
TICKET_ENV = env_names([t.model_dump() for t in CONFIG.tickets])
DSN_ENV = CONFIG.store.dsn_env
CONFIG_ENV = SOURCE_ENV | TICKET_ENV | {DSN_ENV}
# a secret is read from $NAME or from the file named by $NAME_FILE (schemas.plumbing.credentials.secret)
READ_BY_CODE = cli_env_names() | CONFIG_ENV | {f"{name}_FILE" for name in SOURCE_ENV | TICKET_ENV}
LIVE_SOURCES = [s for s in CONFIG.sources if s.type != "replay"]
RECEIVER_PORTS = {s.port for s in LIVE_SOURCES if hasattr(s, "port")}
STATE_DIRS = {str(PurePosixPath(s.state_path).parent) for s in LIVE_SOURCES}


def needed_env(role: str) -> set[str]:
    """What each role must be given: the broker, the store, its sources' and tickets' secrets."""
    return {"ingest": {BOOTSTRAP_ENV} | SOURCE_ENV, "classify": {BOOTSTRAP_ENV},
            "route": {BOOTSTRAP_ENV}, "sink": {BOOTSTRAP_ENV, DSN_ENV} | TICKET_ENV,
            "serve": {DSN_ENV}, "topics create": {BOOTSTRAP_ENV}}[role]


def has_secret(env: set[str], name: str) -> bool:
    return name in env or f"{name}_FILE" in env


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def k8s_docs() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def parse_command(argv: list[str]) -> tuple[str, dict]:
    """Parse like the real CLI (without running): returns (command path, params)."""
    assert argv[0] == "webcare", argv
    command, args, path = main, argv[1:], []
    while isinstance(command, click.Group):
        name, command, args = command.resolve_command(click.Context(command), args)
        path.append(name)
    context = command.make_context(" ".join(path), list(args))
    return " ".join(path), context.params


def role_of(argv: list[str]) -> str:
    """ingest/classify/route/sink for a worker, else the command path (serve, topics create)."""
    path, params = parse_command(argv)
    return params["stage"] if path == "worker" else path


def seconds(text: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    unit = next(u for u in sorted(units, key=len, reverse=True) if text.endswith(u))
    return float(text[: -len(unit)]) * units[unit]


# -- the config ----------------------------------------------------------------------------
def test_deploy_config_is_live_and_uses_postgres():
    assert CONFIG.store.type == "postgres" and CONFIG.store.dsn is None  # DSN from env only
    assert CONFIG.kafka.metrics_port == 9100
    assert "webhook" in {s.type for s in LIVE_SOURCES}, "a live webhook source at least"
    assert not any(s.type == "replay" for s in CONFIG.sources), "replay is a demo option"
    for source in LIVE_SOURCES:
        if hasattr(source, "host"):
            assert source.host == "0.0.0.0", f"{source.name}: unreachable outside the container"
        assert PurePosixPath(source.state_path).is_absolute(), "state must be on the volume"
    assert CONFIG.tickets, "ticket delivery is part of the deployment"
    for secret in SOURCE_ENV | TICKET_ENV:
        assert secret.isupper(), f"env var names, never values, in the config: {secret!r}"


def test_the_image_owns_the_state_directory():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for directory in STATE_DIRS:
        assert f"chown webcare {directory}" in dockerfile


def test_the_app_offers_the_health_endpoint_the_probes_call(monkeypatch):
    """No login redirect; here without a database it must say unavailable (503), not 404."""
    from fastapi.testclient import TestClient

    from webcare.app.web import create_app

    monkeypatch.delenv(DSN_ENV, raising=False)
    with TestClient(create_app(CONFIG)) as client:
        response = client.get("/healthz", follow_redirects=False)
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


# -- Docker Compose ------------------------------------------------------------------------
def test_compose_runs_the_whole_product_with_real_commands_and_env_the_code_reads():
    services = compose()["services"]
    assert {*INFRA, "topics", *STAGES, "app"} <= set(services)
    roles = {}
    for name, service in services.items():
        if name in INFRA:
            continue
        assert service["image"] == "webcare:latest" and "build" in service
        role = role_of(service["command"])
        assert parse_command(service["command"])[1]["config_path"] == Path(CONFIG_IN_CONTAINER)
        assert any(v.endswith(f":{CONFIG_IN_CONTAINER}:ro") for v in service["volumes"])
        env = set(service["environment"])
        assert env <= READ_BY_CODE, f"{name} sets env the code never reads: {env - READ_BY_CODE}"
        missing = {n for n in needed_env(role) if not has_secret(env, n)}
        assert not missing, f"{name} lacks {missing}"
        roles[role] = name
    assert set(roles) == {"topics create", *STAGES, "serve"}


def test_compose_every_long_running_service_has_a_health_check():
    services = compose()["services"]
    for name, service in services.items():
        if service.get("restart", "no") == "no":
            assert name == "topics", f"{name} would not come back after a crash"
            continue
        assert service["restart"] == "unless-stopped"
        assert service["healthcheck"]["test"], f"{name} has no health check"
    kafka = services["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"] and "ZOOKEEPER" not in str(kafka)
    assert services["kafka"]["image"].startswith("apache/kafka")
    for stage in STAGES:
        port = services[stage]["environment"]["WEBCARE_METRICS_PORT"]
        assert f":{port}/healthz" in " ".join(services[stage]["healthcheck"]["test"])
    _, params = parse_command(services["app"]["command"])
    assert params["host"] == "0.0.0.0"
    assert f":{params['port']}/healthz" in " ".join(services["app"]["healthcheck"]["test"])
    assert f"{params['port']}:{params['port']}" in services["app"]["ports"]
    assert services["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_ingest_is_live_with_receivers_state_volume_and_grace_period():
    spec = compose()
    ingest = spec["services"]["ingest"]
    _, params = parse_command(ingest["command"])
    assert params["replay"] is None, "ingest must run the configured live sources"
    published = {int(p.split(":")[-1]) for p in ingest.get("ports", [])}
    assert RECEIVER_PORTS <= published
    health = " ".join(ingest["healthcheck"]["test"])
    assert all(str(port) in health for port in RECEIVER_PORTS), "health checks the receivers"
    mounts = dict(v.split(":")[:2][::-1] for v in ingest["volumes"])
    for directory in STATE_DIRS:
        assert mounts.get(directory) in spec["volumes"], f"{directory} is not a named volume"
    assert seconds(ingest["stop_grace_period"]) >= MIN_GRACE_S
    assert ingest.get("deploy", {}).get("replicas", 1) == 1


def test_compose_sink_delivers_tickets():
    sink = compose()["services"]["sink"]
    assert all(has_secret(set(sink["environment"]), n) for n in TICKET_ENV)


# -- Kubernetes ----------------------------------------------------------------------------
def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in k8s_docs() if doc["kind"] == kind}


def pods() -> list[tuple[dict, dict, dict]]:
    """(workload, pod spec, first container) of every Deployment, StatefulSet and Job."""
    return [(doc, doc["spec"]["template"]["spec"], doc["spec"]["template"]["spec"]
             ["containers"][0]) for doc in k8s_docs()
            if doc["kind"] in ("Deployment", "StatefulSet", "Job")]


def test_k8s_manifests_run_the_whole_product():
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in k8s_docs()}
    assert {("ConfigMap", "webcare-config"), ("Secret", "webcare-secrets"),
            ("Job", "webcare-topics"), ("StatefulSet", "webcare-ingest"),
            ("Service", "webcare-ingest"), ("Service", "webcare-app")} <= kinds
    assert set(by_kind("Deployment")) == {f"webcare-{s}" for s in (*WORKERS, "app")}
    assert not any(doc["kind"] == "Job" and "ingest" in doc["metadata"]["name"]
                   for doc in k8s_docs()), "ingest is live, not a one-shot Job"
    roles = set()
    partitions = CONFIG.kafka.topics.partitions
    for doc, pod, container in pods():
        role = role_of(container["command"])
        assert parse_command(container["command"])[1]["config_path"] == Path(CONFIG_IN_CONTAINER)
        env = {item["name"]: item for item in container.get("env", [])}
        assert set(env) <= READ_BY_CODE, f"{doc['metadata']['name']} sets unread env"
        missing = {n for n in needed_env(role) if not has_secret(set(env), n)}
        assert not missing, f"{doc['metadata']['name']} lacks {missing}"
        for item in env.values():
            if "valueFrom" in item:
                assert item["valueFrom"]["secretKeyRef"]["name"] == "webcare-secrets"
        config_volume = next(v for v in pod["volumes"] if v["name"] == "config")
        assert config_volume["configMap"]["name"] == "webcare-config"
        if role in WORKERS:
            assert doc["spec"]["replicas"] <= partitions
        roles.add(role)
    assert roles == {"topics create", *STAGES, "serve"}


def test_k8s_every_long_running_pod_is_probed():
    for doc, pod, container in pods():
        if doc["kind"] == "Job":
            continue
        name = doc["metadata"]["name"]
        for probe in ("livenessProbe", "readinessProbe"):
            assert probe in container, f"{name} has no {probe}"
        role = role_of(container["command"])
        if role == "serve":
            port = int(parse_command(container["command"])[1]["port"])
        else:
            port = int({e["name"]: e for e in container["env"]}["WEBCARE_METRICS_PORT"]["value"])
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
        assert port in {p["containerPort"] for p in container["ports"]}
        assert pod["terminationGracePeriodSeconds"] >= MIN_GRACE_S


def test_k8s_ingest_is_one_live_pod_with_a_volume_receivers_and_a_grace_period():
    ingest = by_kind("StatefulSet")["webcare-ingest"]
    pod = ingest["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert role_of(container["command"]) == "ingest"
    assert parse_command(container["command"])[1]["replay"] is None
    assert ingest["spec"]["replicas"] == 1
    claims = {t["metadata"]["name"] for t in ingest["spec"]["volumeClaimTemplates"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    for directory in STATE_DIRS:
        assert mounts.get(directory) in claims, f"{directory} is not on a PersistentVolume"
    assert pod["securityContext"]["fsGroup"] == 10001  # the image's user may write the volume
    assert pod["terminationGracePeriodSeconds"] >= 60
    ports = {p["containerPort"]: p["name"] for p in container["ports"]}
    service = by_kind("Service")["webcare-ingest"]
    assert ingest["spec"]["serviceName"] == "webcare-ingest"
    assert service["spec"]["selector"].items() <= pod_labels(ingest).items()
    served = {p["targetPort"] for p in service["spec"]["ports"]}
    for port in RECEIVER_PORTS:
        assert port in ports and ports[port] in served, f"receiver port {port} not exposed"


def pod_labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


def test_k8s_app_is_served_on_postgres():
    app = by_kind("Deployment")["webcare-app"]
    container = app["spec"]["template"]["spec"]["containers"][0]
    path, params = parse_command(container["command"])
    assert path == "serve" and params["host"] == "0.0.0.0"
    service = by_kind("Service")["webcare-app"]
    assert service["spec"]["selector"].items() <= pod_labels(app).items()
    target = service["spec"]["ports"][0]["targetPort"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports[target] == int(params["port"])


def test_k8s_sink_replicas_share_the_ticket_outbox():
    sink = by_kind("Deployment")["webcare-sink"]
    partitions = load_config(DEPLOY / "config.yaml").kafka.topics.partitions
    assert 2 <= sink["spec"]["replicas"] <= partitions  # outbox entries are claimed per worker


def test_kustomization_lists_every_manifest():
    listed = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"]
    on_disk = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk


def test_k8s_configmap_matches_deploy_config():
    configmap = next(doc for doc in k8s_docs() if doc["kind"] == "ConfigMap")
    assert configmap["data"]["config.yaml"] == (DEPLOY / "config.yaml").read_text()


def test_k8s_secret_keys_are_the_ones_referenced():
    secret = by_kind("Secret")["webcare-secrets"]
    referenced = {item["valueFrom"]["secretKeyRef"]["key"] for _, _, container in pods()
                  for item in container.get("env", []) if "valueFrom" in item}
    assert referenced == set(secret["stringData"])


@pytest.mark.parametrize("argv", [["webcare", "worker", "--stage", "nope"],
                                  ["webcare", "topics", "delete"],
                                  ["webcare", "serve", "--port", "http"]])
def test_the_checker_rejects_bad_commands(argv):
    with pytest.raises((click.UsageError, click.BadParameter)):
        parse_command(argv)


def test_the_env_checker_knows_what_the_code_reads():
    assert {BOOTSTRAP_ENV, "WEBCARE_METRICS_PORT", "WEBCARE_LOG_LEVEL", DSN_ENV,
            "WEBCARE_WEBHOOK_TOKEN", "WEBCARE_WEBHOOK_TOKEN_FILE"} <= READ_BY_CODE
    assert "WEBCARE_NO_SUCH_VAR" not in READ_BY_CODE


# -- the docs --------------------------------------------------------------------------------
DOCS = [DEPLOY.parent / "docs" / "live.md", DEPLOY / "README.md"]


def shell_lines(path: Path) -> list[str]:
    """The lines of the ``sh`` blocks, backslash continuations joined."""
    lines, inside, pending = [], False, ""
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```sh" and not inside
            continue
        if not inside:
            continue
        text = line.split(" #")[0].rstrip()
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        lines.append(pending + text)
        pending = ""
    return lines


def commands_in(path: Path) -> list[list[str]]:
    import re
    import shlex

    found = []
    for line in shell_lines(path):
        for start in re.finditer(r"(?:^|(?<=[\s|(]))webcare\s", line):
            if re.search(r"(-n|--namespace)\s*$", line[:start.start()]):
                continue  # kubectl -n webcare ...: the namespace, not the command
            argv = shlex.split(re.match(r"[^|<>&;`)]*", line[start.start():]).group(0))
            if len(argv) > 1 and not argv[1].startswith("-") and "/" not in argv[1]:
                found.append(argv)
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_parses_with_the_real_cli(doc):
    commands = commands_in(doc)
    assert commands, f"no webcare commands found in {doc}"
    for argv in commands:
        parse_command(argv)


def test_the_live_setup_covers_embedded_compose_kubernetes_and_replay():
    text = (DEPLOY.parent / "docs" / "live.md").read_text()
    assert "## Live setup in minutes" in text
    roles = {parse_command(argv)[0] for argv in commands_in(DOCS[0])}
    assert {"run", "queue", "users add", "serve", "worker"} <= roles
    assert "docker compose -f deploy/docker-compose.yml up" in text
    assert "kubectl apply -k deploy/k8s" in text


def test_the_documented_embedded_config_is_valid_and_live(tmp_path):
    text = (DEPLOY.parent / "docs" / "live.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "my.yaml").write_text(block)
    config = load_config(tmp_path / "my.yaml")
    assert config.store.type == "sqlite" and [s.type for s in config.sources] == ["webhook"]
    assert config.route.rules, "without rules every post is only monitored: the queue stays empty"
