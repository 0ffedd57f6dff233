"""Jira Service Management sink against a contract fake on 127.0.0.1 (REST v2)."""

from __future__ import annotations

import pytest

from sinks.store.ticket_outbox import CLAIM_S
from sinks.tickets.base import tag
from sinks.tickets.jira import JiraConfig, JiraSink
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle
from tests.sinks.tickets.fakes import FakeJira, Server


@pytest.fixture
def jira(monkeypatch):
    monkeypatch.setenv("JIRA_API_TOKEN", "tok")
    with Server(FakeJira()) as server:
        yield server


def make_sink(server, **extra) -> JiraSink:
    return JiraSink(JiraConfig(url=server.url, project="ITSM", user="bot@acme.test", timeout=2,
                               **extra))


@pytest.mark.slow
def test_create_comment_and_transition(jira, outbox):
    clock = SimClock()
    loop = deliverer(outbox, {"jira": make_sink(jira, resolve_transition="Resolve")}, clock)
    outbox.enqueue(lifecycle(updates=2), ["jira"], clock())
    assert loop.drain()["sent"] == 4
    [issue] = jira.tool.by_label(tag(KEY))
    assert issue["status"] == "Resolved" and len(issue["comments"]) == 3
    assert issue["fields"]["issuetype"] == {"name": "Incident"}
    assert outbox.ticket_id("jira", KEY) == "ITSM-1"


@pytest.mark.slow
def test_crash_after_create_and_retried_comment_do_not_duplicate(jira, outbox):
    sink, clock = make_sink(jira), SimClock()
    outbox.enqueue(lifecycle(updates=1), ["jira"], clock())
    first = outbox.due(clock())[0]
    sink.deliver(first, None)  # created, then the process died before storing the key
    clock.advance(CLAIM_S)  # the dead worker's claim expires
    loop = deliverer(outbox, {"jira": sink}, clock)
    loop.run_once()  # found by label, not re-created
    update = outbox.due(clock())[0]
    sink.deliver(update, "ITSM-1")  # comment added, answer lost
    clock.advance(CLAIM_S)
    loop.drain()
    [issue] = jira.tool.by_label(tag(KEY))
    assert len(jira.tool.issues) == 1 and len(issue["comments"]) == 2  # update + resolve


@pytest.mark.slow
def test_unknown_transition_is_a_dead_letter_naming_the_available_ones(jira, outbox):
    clock = SimClock()
    loop = deliverer(outbox, {"jira": make_sink(jira, resolve_transition="Done")}, clock)
    outbox.enqueue(lifecycle(updates=0), ["jira"], clock())
    loop.drain()
    dead = outbox.dead()
    assert dead[0]["kind"] == "resolved" and "Resolve" in dead[0]["body"]


@pytest.mark.slow
def test_wrong_project_is_a_dead_letter(jira, outbox, monkeypatch):
    clock = SimClock()
    sink = JiraSink(JiraConfig(url=jira.url, project="NOPE", user="bot@acme.test"))
    outbox.enqueue(lifecycle(updates=0), ["jira"], clock())
    deliverer(outbox, {"jira": sink}, clock).drain()
    assert outbox.dead()[0]["status"] == 400
    assert "valid project is required" in outbox.dead()[0]["body"]


@pytest.mark.slow
def test_timeouts_are_retried(jira, outbox):
    clock = SimClock()
    loop = deliverer(outbox, {"jira": JiraSink(JiraConfig(
        url=jira.url, project="ITSM", user="bot@acme.test", timeout=0.3))}, clock)
    outbox.enqueue(lifecycle(updates=0), ["jira"], clock())
    jira.tool.delay = 0.6
    assert loop.run_once()["retry"] == 1
    assert "timed out" in outbox.pending()[0]["error"]
    jira.tool.delay = 0
    clock.advance(10)
    assert loop.drain()["sent"] == 2
    assert len(jira.tool.issues) == 1  # the slow create may have landed: found, not duplicated
