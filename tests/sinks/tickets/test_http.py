"""Response parsing and status classification, including hypothesis properties."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemas.plumbing import http
from sinks.tickets import jira, rt, servicenow, webhook

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["result", "sys_id", "key", "issues", "id",
                                                       "items", "ticket_id", "transitions",
                                                       "name", "x"]), inner, max_size=4),
                    max_leaves=20)
PARSERS = [servicenow.parse_record, servicenow.parse_lookup, jira.parse_created,
           jira.parse_search, jira.parse_transitions, rt.parse_id, rt.parse_search]


@given(st.integers(min_value=0, max_value=10**9))
def test_retry_after_seconds(value):
    assert http.parse_retry_after(str(value), NOW) == float(value)


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_retry_after_http_date_is_never_negative(offset):
    moment = NOW + timedelta(seconds=offset)
    wait = http.parse_retry_after(format_datetime(moment, usegmt=True), NOW)
    assert wait == max(0.0, float(offset))


@given(st.text(max_size=40))
@example("²")  # a unicode digit: str.isdigit() says yes, float() says no
def test_retry_after_garbage_never_raises(value):
    wait = http.parse_retry_after(value, NOW)
    assert wait is None or wait >= 0


@given(st.integers(min_value=100, max_value=599), st.text(max_size=50))
def test_check_classifies_every_status(status, body):
    response = http.Response(status, body, {"retry-after": "7"})
    if 200 <= status < 300:
        assert http.check(response) is response
    elif status in (408, 429) or status >= 500:
        with pytest.raises(http.Retryable) as caught:
            http.check(response)
        assert caught.value.retry_after == 7.0 and caught.value.status == status
    else:
        with pytest.raises(http.Rejected) as caught:
            http.check(response)
        assert caught.value.body == body and caught.value.status == status


@pytest.mark.slow
@pytest.mark.parametrize("parse", PARSERS)
@given(value=JSON)
def test_parsers_return_an_id_or_reject(parse, value):
    import json

    response = http.Response(200, json.dumps(value))
    try:
        result = parse(response)
    except http.Rejected as error:
        assert error.body == response.body
        return
    assert result is None or isinstance(result, (str, dict))


@given(st.text(max_size=60))
def test_parsers_reject_non_json_bodies(body):
    response = http.Response(201, body)
    for parse in PARSERS:
        try:
            parse(response)
        except http.Rejected:
            pass


@given(st.text(max_size=60), st.text(min_size=1, max_size=10))
def test_webhook_ticket_parser_falls_back(body, fallback):
    assert isinstance(webhook.parse_ticket(http.Response(200, body), fallback), str)


def test_known_answers_parse():
    assert servicenow.parse_record(http.Response(201, '{"result": {"sys_id": "abc"}}')) == "abc"
    assert servicenow.parse_lookup(http.Response(200, '{"result": []}')) is None
    assert jira.parse_created(http.Response(201, '{"id": "1", "key": "ITSM-1"}')) == "ITSM-1"
    assert rt.parse_id(http.Response(201, '{"type": "ticket", "id": "7"}')) == "7"
    assert rt.parse_search(http.Response(200, '{"items": [{"id": "9"}, {"id": "4"}]}')) == "4"
    assert jira.parse_transitions(http.Response(200, '{"transitions": [{"id": "31", '
                                                     '"name": "Resolve"}]}'))["Resolve"] == "31"
