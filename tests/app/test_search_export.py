"""Search and CSV export of the queue (issue 21), on SQLite and PostgreSQL: the page's search
box, ``GET /api/v1/queue?q=``, ``GET /api/v1/search``, the streamed, spreadsheet-safe CSV;
an unreadable search is a 400 saying so, never a 500."""

from __future__ import annotations

import csv
import io

import pytest

from tests.app.conftest import api_token


@pytest.mark.slow
def test_queue_page_searches_and_bad_search_is_400(client_for):
    client = client_for("alice")
    page = client.get("/", params={"q": "billing"})
    assert page.status_code == 200
    assert "billing is wrong" in page.text and "phishing" not in page.text
    assert 'name="q" value="billing"' in page.text
    bad = client.get("/", params={"q": '"unbalanced'})
    assert bad.status_code == 400 and "unbalanced quotes" in bad.text


def test_api_queue_q_and_search(client_for, app_store):
    client = client_for()
    headers = api_token(app_store, "alice")
    found = client.get("/api/v1/queue", params={"q": "phishing", "status": "open"},
                       headers=headers)
    assert found.status_code == 200
    assert [row["post_id"] for row in found.json()] == ["t-4"]
    assert client.get("/api/v1/queue", params={"q": 'a "b'}, headers=headers).status_code == 400
    hits = client.get("/api/v1/search", params={"q": "billing OR phishing"}, headers=headers)
    assert hits.status_code == 200
    assert sorted(h["post_id"] for h in hits.json()) == ["t-3", "t-4"]
    assert {"text", "status", "action", "author_handle"} <= set(hits.json()[0])
    bad = client.get("/api/v1/search", params={"q": "-billing"}, headers=headers)
    assert bad.status_code == 400 and "bad search" in bad.json()["detail"]
    assert client.get("/api/v1/search", params={"q": "x"}).status_code == 401


def test_csv_export_is_filtered_safe_and_audited(client_for, app_store):
    client = client_for()
    headers = api_token(app_store, "carl")  # comms: read-only, may export
    answer = client.get("/api/v1/queue.csv", params={"q": "alert"}, headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["post_id"] for r in rows] == ["t-2"]
    everything = list(csv.DictReader(io.StringIO(
        client.get("/api/v1/queue.csv", headers=headers).text)))
    assert len(everything) == 4 and everything[0]["priority"] == "95"
    assert client.get("/api/v1/queue.csv", params={"q": '"x'},
                      headers=headers).status_code == 400
    entries = app_store.audit_entries()
    assert any(e["action"] == "queue.export" and e["actor"] == "carl" for e in entries)


def test_csv_cells_cannot_run_as_formulas(config, client_for):
    from route.rules import RouteConfig, Router
    from tests.conftest import make_classification, make_post
    from tests.sinks.conftest import open_store

    store = open_store(config.store)
    post = make_post(50, text='=HYPERLINK("http://evil") printer')
    router = Router(RouteConfig.model_validate({"rules": [
        {"name": "all", "when": {}, "action": "webcare"}]}))
    store.write([router(post, make_classification(post))], [])
    store.close()
    client = client_for("alice")
    answer = client.get("/queue.csv", params={"q": "printer"})
    assert answer.status_code == 200
    (row,) = csv.DictReader(io.StringIO(answer.text))
    assert row["text"].startswith("'=HYPERLINK")
    anonymous = client_for().get("/queue.csv", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
