"""The ``webcare`` command line starts light: importing it (what ``webcare --help`` does) loads
no config models, classifiers, web app, Kafka client or database driver, and the constants the
CLI keeps so that it need not import them agree with the real ones. No timing is asserted."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.imports import among, loaded_after

# Modules the CLI must not import before a command runs (prefixes: a package and its children).
HEAVY = ("fastapi", "uvicorn", "classify", "kafka", "bus", "spacy", "sklearn", "scipy",
         "onnxruntime", "psycopg", "tweepy", "pydantic", "webcare.job", "webcare.app",
         "webcare.knowledge", "webcare.outbound", "webcare.lab", "sinks", "ingest", "yaml")


def heavy(modules: list[str]) -> list[str]:
    return among(modules, HEAVY)


def test_importing_the_cli_loads_no_heavy_module():
    assert heavy(loaded_after("import webcare.cli.main")) == []


def test_help_loads_no_heavy_module():
    statement = ("from webcare.cli.main import main\n"
                 "for args in ([], ['users'], ['outbound'], ['engagement'], ['topics'],\n"
                 "             ['tickets'], ['alerts']):\n"
                 "    main.main(args + ['--help'], standalone_mode=False)")
    assert heavy(loaded_after(statement)) == []


def test_schema_needs_the_message_models_only():
    statement = ("from webcare.cli.main import main\n"
                 "main.main(['schema', '--model', 'Post'], standalone_mode=False)")
    loaded = heavy(loaded_after(statement))
    assert "pydantic" in loaded  # the models are pydantic ...
    assert [m for m in loaded if m.split(".")[0] in
            ("classify", "sklearn", "spacy", "fastapi", "kafka", "psycopg", "webcare")] == []


def test_schema_output_matches_the_pipeline():
    from webcare.cli.main import main
    from webcare.job import assembly

    for model in (None, "Post", "DeadLetter"):
        args = ["schema"] + (["--model", model] if model else [])
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == assembly.json_schemas(model)


def test_the_cli_constants_match_the_modules_they_copy():
    from bus import config as bus_config
    from ingest.bluesky import counts as bluesky
    from ingest.facebook import counts as facebook
    from ingest.x import source as x_source
    from sinks.store import app_store
    from webcare.cli import app, engagement, kafka, main
    from webcare.job import assembly

    assert main.SCHEMA_MODELS == assembly.SCHEMA_MODELS
    assert tuple(app.ROLES) == tuple(app_store.ROLES)
    assert kafka.BOOTSTRAP_ENV == bus_config.BOOTSTRAP_ENV
    assert tuple(kafka.STAGES) == tuple(bus_config.STAGES)
    assert engagement.PUBLIC_APPVIEW == bluesky.PUBLIC_APPVIEW
    assert engagement.X_API == x_source.API
    assert engagement.GRAPH == facebook.GRAPH


@pytest.mark.parametrize("module", ["app", "engagement", "kafka", "knowledge", "outbound",
                                    "alerts", "tickets_sync", "common"])
def test_sub_clis_never_import_main(module):
    """No cycles in webcare/cli: main imports the sub-CLIs, they import common only."""
    loaded = loaded_after(f"import webcare.cli.{module}")
    assert "webcare.cli.main" not in loaded


def test_cli_modules_import_only_public_names_of_each_other():
    for path in Path(__file__).resolve().parents[2].joinpath("webcare", "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("webcare.cli"):
                if path.name != "entry.py":  # the console script starts main; nothing else may
                    assert node.module != "webcare.cli.main", path.name
                assert not [a.name for a in node.names if a.name.startswith("_")], path.name
