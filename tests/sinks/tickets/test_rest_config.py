"""``type: rest`` config errors at load (with the key), and JSON-safe rendering of any text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import Incident
from sinks.tickets.base import Entry
from sinks.tickets.rest_templates import context
from sinks.tickets.templated import RestTicketConfig
from tests.conftest import T0
from tests.sinks.tickets.test_rest_tools import DEPLOY
from webcare.job.config import ConfigError, load_config

GOOD = """
tickets:
  - type: rest
    url: https://itsm.example.com
    auth: {auth}
    create:
      path: {path}
      body: '{body}'
      id: {id}
"""
DEFAULTS = {"auth": "{type: none}", "path": "/api/tickets",
            "body": '{"title": {{ incident.title | tojson }}}', "id": "{jsonpath: $.id}"}


def load(tmp_path, **changes):
    path = tmp_path / "c.yaml"
    path.write_text(GOOD.format(**{**DEFAULTS, **changes}), "utf-8")
    return load_config(path)


def test_the_good_one_loads(tmp_path):
    assert load(tmp_path).tickets[0].sink_name == "rest"


@pytest.mark.parametrize("changes, key, reason", [
    ({"body": '{"title": {{ incident.title | tojson }'}, "tickets.0.rest.create.0",
     "body: template syntax error on line 1"),
    ({"path": "'/api/{{ incident.nope }}'"}, "tickets.0.rest",
     "create.0.path: template failed: UndefinedError"),
    ({"body": '{"title": "{{ incident.title }}"}'}, "tickets.0.rest",
     "create.0.body: rendered body is not valid JSON"),
    ({"body": "{{ params.missing | tojson }}"}, "tickets.0.rest", "has no attribute 'missing'"),
    ({"id": "{jsonpath: '$.[['}"}, "tickets.0.rest.create.0.id", "bad JSONPath"),
    ({"id": "{header: Location, regex: '(['}"}, "tickets.0.rest.create.0.id", "bad regular"),
    ({"id": "{jsonpath: $.id, header: Location}"}, "tickets.0.rest.create.0.id",
     "exactly one of"),
    ({"auth": "{type: kerberos}"}, "tickets.0.rest.auth", "does not match any of the expected"),
    ({"auth": "{type: oauth2, client_id: x}"}, "tickets.0.rest.auth.oauth2.token_url",
     "Field required"),
    ({"auth": "{type: login, user: u, token_from: jsonpath}"}, "tickets.0.rest.auth.login",
     "needs `token_jsonpath`"),
])
def test_config_errors_fail_at_load_with_key_and_reason(tmp_path, changes, key, reason):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, **changes)
    message = str(error.value)
    assert f"  {key}:" in message and reason in message, message


def test_sandbox_refuses_python_internals(tmp_path):
    body = '{"x": {{ incident.title.__class__.__mro__ | tojson }}}'
    with pytest.raises(ConfigError, match="SecurityError: access to attribute .__class__"):
        load(tmp_path, body=body.replace("'", "''"))


def test_secrets_are_never_in_the_config_or_its_dump(tmp_path, monkeypatch):
    monkeypatch.setenv("HELIX_PASSWORD", "helix-pass")
    [config] = load_config(DEPLOY / "bmc-helix.yaml").tickets
    assert "helix-pass" not in repr(config) + json.dumps(config.model_dump(mode="json"))


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(title=texts, reason=texts, brand=texts, key=texts.filter(bool))
def test_any_incident_text_renders_valid_json_bodies(title, reason, brand, key):
    """Quotes, backslashes, newlines, control characters and any unicode stay valid JSON."""
    incident = Incident(key=key, kind="single", brand=brand or None, topic="outage",
                        urgency="high", title=title, first_seen=T0,
                        last_seen=T0 + timedelta(minutes=1), post_count=1, reasons=[reason])
    for name in ("bmc-helix", "efecte"):
        [config] = load_config(DEPLOY / f"{name}.yaml").tickets
        for kind in ("opened", "updated", "resolved"):
            entry = Entry(1, name, "e-1", kind, incident.model_copy(
                update={"status": "resolved" if kind == "resolved" else "open"}), T0)
            calls = {"opened": config.create, "updated": config.update,
                     "resolved": config.resolve_calls}[kind]
            for call in calls:
                ctx = context(entry, "INC000000000001", {"request_id": "1|1"}, config.params)
                prepared = call.prepare(ctx)
                if prepared.data is not None:
                    body = json.loads(prepared.data)
                    assert isinstance(body, dict)
    generic = RestTicketConfig.model_validate({
        "url": "http://x", "create": {"path": "/t", "id": {"jsonpath": "$.id"}, "body":
                                      '{"t": {{ incident.title | tojson }}, "b": '
                                      '{{ incident.brand | tojson }}, "d": '
                                      '{{ incident.description | tojson }}}'}})
    entry = Entry(1, "rest", "e-1", "opened", incident, T0)
    body = json.loads(generic.create[0].prepare(context(entry, None, {}, {})).data)
    assert body["t"] == title and body["b"] == (brand or None) and title in body["d"]
