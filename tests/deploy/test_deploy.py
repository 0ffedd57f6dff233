"""deploy/ cannot run here (no Docker engine, no cluster), so check what can go wrong on paper:
every service's command is a valid ``webcare`` invocation, every env var is one the code
reads, required ones are present, replicas fit the partitions, configs are identical."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import yaml

from bus.config import BOOTSTRAP_ENV, STAGES
from sinks.postgres_store import PostgresStoreConfig
from webcare.cli import main
from webcare.config import load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
READ_BY_CODE = {BOOTSTRAP_ENV, PostgresStoreConfig().dsn_env, "WEBCARE_METRICS_PORT",
                "WEBCARE_LOG_LEVEL"}
CONFIG_IN_CONTAINER = "/etc/webcare/config.yaml"


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


def stage_of(argv: list[str]) -> str:
    path, params = parse_command(argv)
    return params["stage"] if path == "worker" else path


def test_deploy_config_is_valid_and_uses_postgres():
    config = load_config(DEPLOY / "config.yaml")
    assert config.store.type == "postgres" and config.store.dsn is None  # DSN from env only
    assert config.kafka.metrics_port == 9100


def test_compose_services_run_real_commands_with_env_the_code_reads():
    services = compose()["services"]
    assert {"kafka", "postgres", "topics", *STAGES} <= set(services)
    seen = set()
    for name, service in services.items():
        if name in ("kafka", "postgres"):
            continue
        assert service["image"] == "webcare:latest" and "build" in service
        stage = stage_of(service["command"])
        assert parse_command(service["command"])[1]["config_path"] == Path(CONFIG_IN_CONTAINER)
        assert any(v.endswith(f":{CONFIG_IN_CONTAINER}:ro") for v in service["volumes"])
        env = service["environment"]
        assert set(env) <= READ_BY_CODE, f"{name} sets env the code never reads"
        assert BOOTSTRAP_ENV in env
        if stage == "sink":
            assert "WEBCARE_POSTGRES_DSN" in env
        seen.add(stage)
    assert seen == {"topics create", *STAGES}


def test_compose_kafka_is_kraft_and_workers_probe_the_metrics_port():
    services = compose()["services"]
    kafka = services["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"] and "ZOOKEEPER" not in str(kafka)
    assert services["kafka"]["image"].startswith("apache/kafka")
    for stage in ("classify", "route", "sink"):
        service = services[stage]
        port = service["environment"]["WEBCARE_METRICS_PORT"]
        assert f":{port}/healthz" in " ".join(service["healthcheck"]["test"])


def test_k8s_manifests():
    docs = k8s_docs()
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    assert {("ConfigMap", "webcare-config"), ("Secret", "webcare-secrets"),
            ("Job", "webcare-topics")} <= kinds
    deployments = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Deployment"}
    assert set(deployments) == {"webcare-classify", "webcare-route", "webcare-sink"}
    partitions = load_config(DEPLOY / "config.yaml").kafka.topics.partitions
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        container = pod["containers"][0]
        stage = stage_of(container["command"])
        env = {item["name"]: item for item in container.get("env", [])}
        assert set(env) <= READ_BY_CODE and BOOTSTRAP_ENV in env
        if stage == "sink":
            assert env["WEBCARE_POSTGRES_DSN"]["valueFrom"]["secretKeyRef"]["name"] == \
                "webcare-secrets"
        assert pod["volumes"][0]["configMap"]["name"] == "webcare-config"
        if doc["kind"] == "Deployment":
            assert doc["spec"]["replicas"] <= partitions
            assert container["livenessProbe"]["httpGet"]["port"] == \
                int(env["WEBCARE_METRICS_PORT"]["value"])


def test_kustomization_lists_every_manifest():
    listed = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"]
    on_disk = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk


def test_k8s_configmap_matches_deploy_config():
    configmap = next(doc for doc in k8s_docs() if doc["kind"] == "ConfigMap")
    assert configmap["data"]["config.yaml"] == (DEPLOY / "config.yaml").read_text()


def test_k8s_secret_keys_are_the_ones_referenced():
    docs = k8s_docs()
    secret = next(doc for doc in docs if doc["kind"] == "Secret")
    referenced = {item["valueFrom"]["secretKeyRef"]["key"] for doc in docs
                  if doc["kind"] in ("Deployment", "Job")
                  for item in doc["spec"]["template"]["spec"]["containers"][0].get("env", [])
                  if "valueFrom" in item}
    assert referenced == set(secret["stringData"])


@pytest.mark.parametrize("argv", [["webcare", "worker", "--stage", "nope"],
                                  ["webcare", "topics", "delete"]])
def test_the_checker_rejects_bad_commands(argv):
    with pytest.raises((click.UsageError, click.BadParameter)):
        parse_command(argv)
