"""Headless chromium (Playwright): a lead logs in, finds the draft on the outbound page, edits
it, approves it, and the X fake receives exactly that text; the page then shows the published
tweet and the personal replies waiting. Screenshot in ``var/test-artifacts/outbound.png``."""

from __future__ import annotations

import pytest

from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.app.browser import ARTIFACTS, Server
from tests.app.conftest import PASSWORD
from tests.app.test_browser import browser, login  # noqa: F401 - the shared chromium
from tests.outbound.conftest import apply, event, outbound, seed
from webcare.app.security import hash_password
from webcare.job.config import WebcareConfig

EDITED = "Lumen Telecom: internet is down in Utrecht since 12:00. Engineers are on site."


@pytest.fixture
def served(tmp_path, channel_fakes, clock):
    store_config = SqliteStoreConfig(path=str(tmp_path / "outbound.sqlite"))
    store = SqliteStore(store_config)
    seed(store, 4)
    config = WebcareConfig(store=store_config, app={"clock": "latest_post"},
                           outbound=outbound(channel_fakes["urls"], "x", "bluesky").model_dump())
    apply(store, config.outbound, [event()], clock)
    app = AppStore(store)
    app.add_user("lena", "lead", hash_password(PASSWORD))
    app.add_user("alice", "agent", hash_password(PASSWORD))
    store.close()
    from webcare.app.web import create_app

    server = Server(create_app(config)).start()
    yield server
    server.stop()


def test_a_lead_edits_and_approves_a_draft_and_exactly_that_text_is_published(
        browser, served, channel_fakes):
    agent = login(browser, served, "alice")
    agent.click("nav >> text=Outbound")
    assert agent.locator("section.draft").count() == 2
    assert agent.locator("button.approve").count() == 0  # agents only look

    lead = login(browser, served, "lena")
    lead.click("nav >> text=Outbound")
    draft = lead.locator("section.draft[data-channel=x]")
    assert "we are aware of a disruption (outage)" in draft.locator("textarea").input_value()
    draft.locator("textarea").fill(EDITED)
    with lead.expect_navigation():
        draft.locator("button.approve").click()
    assert channel_fakes["x"].sent == [{"text": EDITED}]
    assert channel_fakes["bluesky"].sent == []  # the other draft still waits
    row = lead.locator("tr.post.state-published")
    assert row.count() == 1 and EDITED in row.inner_text()
    assert lead.locator("a.published").get_attribute("href") == "https://x.com/i/status/2001"
    assert "Personal replies (4)" in lead.locator("main").inner_text()
    assert lead.locator("section.draft").count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lead.screenshot(path=str(ARTIFACTS / "outbound.png"), full_page=True)
