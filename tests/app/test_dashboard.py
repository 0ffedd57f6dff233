"""Dashboard figures, chart endpoints, the API view and `webcare report` (HTML + SVG + CSV)."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from tests.app.conftest import api_token, post_action
from webcare.app import analytics
from webcare.app.report import write_report


@pytest.mark.slow
def test_series_incidents_themes_and_response_times(app_store, config, client_for):
    lo, hi = analytics.window(app_store, None, None)
    series = analytics.series(app_store, lo, hi, "platform")
    assert series["total"] == 4 and set(series["volume"]) == {"x", "reddit"}
    assert sum(series["sentiment"]["negative"]) == 4
    assert [i["incident_key"] for i in analytics.incidents(app_store, lo, hi)] == ["single:t-4"]
    themes = analytics.negative_themes(app_store, lo, hi)
    assert dict(themes["topics"])["outage"] == 2 and ("internet", 1) in themes["words"]
    post_action(client_for("alice"), "reply", "t-1", body="on it")
    at = analytics.parse_iso(hi)
    response = analytics.response_times(app_store, config.app, lo, hi, at)
    assert response["replied"] == 1 and response["per_urgency"]["high"]["replied"] == 1


@pytest.mark.slow
def test_dashboard_page_and_charts_for_comms(client_for):
    client = client_for("carl")
    page = client.get("/dashboard?by=lang")
    assert page.status_code == 200 and "single:t-4" in page.text
    chart = client.get("/dashboard/chart/volume.svg?by=lang")
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in chart.text and "<script" not in chart.text
    assert client.get("/dashboard/chart/nope.svg").status_code == 404
    assert client.get("/dashboard?start=yesterday").status_code == 400
    assert client_for("alice").get("/dashboard/chart/volume.svg").status_code == 403


def test_dashboard_api(client_for, app_store):
    client = client_for()
    data = client.get("/api/v1/dashboard", headers=api_token(app_store, "carl")).json()
    assert data["series"]["total"] == 4 and data["incidents"][0]["incident_key"] == "single:t-4"
    assert client.get("/api/v1/dashboard",
                      headers=api_token(app_store, "alice")).status_code == 403


def test_report_writes_html_svg_and_csv(app_store, config, tmp_path):
    files = write_report(app_store, config.app, tmp_path / "r", None, None)
    names = {f.name for f in files}
    assert {"index.html", "volume.svg", "sentiment.svg", "themes.svg", "volume.csv",
            "incidents.csv", "response_times.csv"} <= names
    html = (tmp_path / "r" / "index.html").read_text()
    assert '<img src="volume.svg"' in html and "<script" not in html
    rows = list(csv.DictReader((tmp_path / "r" / "response_times.csv").open()))
    assert {r["post_id"] for r in rows} == {"t-1", "t-2", "t-3", "t-4"}


def test_report_cli_with_a_window(config, tmp_path):
    if config.store.type != "sqlite":
        return  # the CLI's --store names a SQLite file; the PostgreSQL path is covered above
    from webcare.cli.main import main

    result = CliRunner().invoke(main, [
        "report", "--from", "2026-11-20T12:02Z", "--to", "2026-11-20T13:00Z",
        "--output", str(tmp_path / "out"), "--store", config.store.path])
    assert result.exit_code == 0, result.output
    volume = list(csv.DictReader((tmp_path / "out" / "volume.csv").open()))
    assert sum(int(r["posts"]) for r in volume) == 4  # trends are hourly buckets
    bad = CliRunner().invoke(main, ["report", "--from", "nope", "--store", config.store.path])
    assert bad.exit_code != 0 and "not an ISO date" in bad.output
