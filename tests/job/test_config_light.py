"""Loading the config is light (issue 19): ``webcare.job.config`` imports config models only,
never the components they configure, so every command that reads the config (``webcare
queue``, ``sources status``, ...) starts without spaCy, scikit-learn, the platform clients, the
database driver, the web app or Kafka. The registries name each component's class and import
it when it is built. No timing is asserted: what is imported is what makes start-up slow."""

from __future__ import annotations

import json

import pytest

from tests.imports import among, loaded_after

# Libraries a config load must not import (a package and its children).
HEAVY = ("sklearn", "spacy", "scipy", "tweepy", "praw", "mastodon", "psycopg", "onnxruntime",
         "fastapi", "kafka", "confluent_kafka")


def heavy(modules: list[str]) -> list[str]:
    return among(modules, HEAVY)


def test_loading_the_default_config_imports_no_heavy_library():
    statement = ("from webcare.job.config import load_config\n"
                 "config = load_config()\n"
                 "assert config.classify.topic.labels and config.store.type")
    assert heavy(loaded_after(statement)) == []


def test_a_config_naming_every_source_store_and_ticket_type_stays_light(tmp_path):
    """Validating every kind of section needs only the config models."""
    path = tmp_path / "all.yaml"
    path.write_text(json.dumps({  # JSON is YAML
        "store": {"type": "postgres", "dsn": "host=db"},
        "sources": [
            {"type": "replay", "path": "posts.jsonl"},
            {"type": "x", "query": "lumen"},
            {"type": "reddit", "subreddits": ["techsupport"]},
            {"type": "mastodon", "api_base_url": "https://mastodon.example"},
            {"type": "bluesky"},
            {"type": "facebook"},
            {"type": "webhook"},
            {"type": "chat", "port": 8082},
            {"type": "feed", "urls": ["https://status.example.com/history.atom"]},
            {"type": "engage", "groups": ["1"]},
        ],
        "tickets": [{"type": "servicenow", "url": "https://acme.service-now.com"},
                    {"type": "jira", "url": "https://acme.atlassian.net", "project": "IT"},
                    {"type": "rt", "url": "https://rt.example.com"},
                    {"type": "webhook", "url": "https://hooks.example.com/webcare"}],
        "knowledge": {"grouping": {"threshold": 0.3}},
        "classify": {"sentiment": {"cascade": {"enabled": True}}},
    }), "utf-8")
    statement = ("from pathlib import Path\n"
                 "from webcare.job.config import load_config\n"
                 f"config = load_config(Path({str(path)!r}))\n"
                 "assert len(config.sources) == 10 and len(config.tickets) == 4")
    assert heavy(loaded_after(statement)) == []


def test_every_source_type_names_a_source_class_of_its_config():
    from ingest.config import ReplayConfig
    from ingest.registry import LIVE_CONFIGS, SOURCE_CLASSES, source_class

    types = {model.model_fields["type"].default for model in (ReplayConfig, *LIVE_CONFIGS)}
    assert types == set(SOURCE_CLASSES)
    for source_type in SOURCE_CLASSES:
        assert isinstance(source_class(source_type), type)
    with pytest.raises(KeyError):
        source_class("carrier-pigeon")


def test_every_store_type_names_its_backend():
    from sinks.store.config import PostgresStoreConfig, SqliteStoreConfig
    from sinks.store.postgres import PostgresStore
    from sinks.store.registry import STORE_TYPES, store_class
    from sinks.store.sqlite import SqliteStore

    assert set(STORE_TYPES) == {SqliteStoreConfig().type, PostgresStoreConfig().type}
    assert store_class("sqlite") is SqliteStore and store_class("postgres") is PostgresStore


def test_opening_a_sqlite_store_does_not_load_the_postgresql_driver(tmp_path):
    statement = ("from sinks.store.config import SqliteStoreConfig\n"
                 "from sinks.store.registry import open_store\n"
                 f"open_store(SqliteStoreConfig(path={str(tmp_path / 's.sqlite')!r})).close()")
    assert heavy(loaded_after(statement)) == []


def test_reading_the_queue_loads_no_classifier(tmp_path):
    """``webcare queue`` / ``incidents`` read the store through the assembly, which imports
    the classifiers only when it builds a pipeline."""
    statement = ("from webcare.job import assembly\n"
                 "from webcare.job.config import load_config\n"
                 "from sinks.store.config import SqliteStoreConfig\n"
                 f"store = SqliteStoreConfig(path={str(tmp_path / 'q.sqlite')!r})\n"
                 "config = load_config().model_copy(update={'store': store})\n"
                 "assert assembly.read_queue(config, 10) == []\n"
                 "assert assembly.read_incidents(config) == []")
    loaded = loaded_after(statement)
    assert heavy(loaded) == [] and "classify.pipeline" not in loaded
