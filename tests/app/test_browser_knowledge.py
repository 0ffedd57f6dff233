"""Headless chromium on the demo day: the engagement section of the dashboard and the
/knowledge page (FAQ candidates with the brand's official answers); screenshots in
``var/test-artifacts/``."""

from __future__ import annotations

from tests.app.browser import ARTIFACTS
from tests.app.test_browser import browser, login, served  # noqa: F401 - shared fixtures


def test_comms_sees_engagement_and_agent_sees_faq_candidates(browser, served):  # noqa: F811
    carl = login(browser, served, "carl")
    carl.wait_for_load_state("load")
    section = carl.locator("p.engagement-totals").inner_text()
    assert "reach" in section and "interactions" in section
    assert carl.locator("table.top-posts tbody tr").count() == 10
    shown = carl.eval_on_selector_all(
        ".charts img[src*='engagement'], .charts img[src*='reach']",
        "imgs => imgs.map(i => i.naturalWidth)")
    assert len(shown) == 2 and all(w > 0 for w in shown)
    alice = login(browser, served, "alice")
    alice.click("nav a[href='/knowledge']")
    alice.wait_for_url("**/knowledge")
    rows = alice.locator("table.knowledge tbody tr")
    asked_twice = rows.count()
    assert asked_twice >= 1 and "official" in rows.first.inner_text()
    alice.fill("input[name=min_count]", "1")
    alice.click("form.filters button[type=submit]")
    alice.wait_for_url("**/knowledge?min_count=1")
    assert alice.locator("table.knowledge tbody tr").count() > asked_twice
    alice.screenshot(path=str(ARTIFACTS / "knowledge.png"), full_page=True)
