"""Headless chromium (Playwright) on the demo day: log in, work the queue, claim collision
between two sessions, dry-run reply, relabel, escalate, an XSS post rendering as text.
Screenshots of the queue and an item land in ``var/test-artifacts/``."""

from __future__ import annotations

import pytest

from route.rules import RouteConfig, Router
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.app.browser import ARTIFACTS, Server, browser  # noqa: F401 - the shared chromium
from tests.app.conftest import PASSWORD, XSS
from tests.conftest import make_classification, make_post
from webcare.app.security import hash_password
from webcare.job import assembly as commands
from webcare.job.config import load_config


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("browser") / "demo.sqlite")
    config = load_config().model_copy(update={"store": SqliteStoreConfig(path=path)})
    commands.run_replay(config, str(commands.demo_file()))
    store = SqliteStore(config.store)
    post = make_post(9999, text=XSS, created_at=make_post(1).created_at)
    store.write([Router(RouteConfig.model_validate({"rules": [
        {"name": "all", "when": {}, "action": "webcare"}]}))(
            post, make_classification(post, priority=100, urgency="critical"))], [])
    app = AppStore(store)
    for name, role in (("alice", "agent"), ("bob", "agent"), ("carl", "comms")):
        app.add_user(name, role, hash_password(PASSWORD))
    store.close()
    from webcare.app.web import create_app

    server = Server(create_app(config)).start()
    yield server
    server.stop()


def login(browser, served, name):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(served.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_agent_works_the_queue_and_collides_with_a_colleague(browser, served):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    alice, bob = login(browser, served, "alice"), login(browser, served, "bob")
    assert alice.url == served.url + "/"
    rows = alice.locator("tr.row")
    assert rows.count() > 10
    hostile = rows.filter(has_text="<script>alert(1)</script>")  # wherever it ranks
    assert hostile.count() == 1
    hostile_text = hostile.first.locator(".text").inner_text()
    assert hostile_text.startswith("<script>alert(1)</script>")  # shown as text, not run
    assert "[U+202E]" in hostile_text
    alice.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=False)

    target = rows.nth(1).get_attribute("data-href")
    bob.goto(served.url + target)  # bob opens the item before alice claims it
    alice.keyboard.press("j")
    alice.keyboard.press("j")
    with alice.expect_navigation():
        alice.keyboard.press("c")  # claim the selected (second) row with the keyboard
    alice.goto(served.url + target)
    assert alice.locator("#owner").inner_text() == "alice"

    bob.click("#claim")  # stale page: the server refuses and says who has it
    assert "claimed by alice" in bob.locator(".error").inner_text()

    alice.select_option("select[name=canned]", "acknowledge")
    alice.click("form.canned button")
    assert "^alice" in alice.locator("form.reply textarea").input_value()
    alice.click("#reply")
    assert "dry-run" in alice.locator(".reply-entry").first.inner_text()
    alice.select_option("form.relabel select[name=topic]", "billing")
    alice.click("#relabel")
    assert "billing/" in alice.locator(".tags").inner_text()
    alice.screenshot(path=str(ARTIFACTS / "item.png"), full_page=True)
    alice.click("#escalate")
    assert alice.locator("#status").inner_text() == "escalated"
    assert "Incident" in alice.locator(".incident").inner_text()


def test_comms_sees_the_dashboard_and_cannot_claim(browser, served):
    carl = login(browser, served, "carl")
    assert carl.url.endswith("/dashboard")
    carl.wait_for_load_state("load")  # images included
    widths = carl.eval_on_selector_all(".charts img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 5 and all(w > 0 for w in widths)  # the SVG charts rendered
    assert "burst:Lumen Telecom:outage" in carl.locator("main").inner_text()
    carl.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    carl.goto(served.url + "/")
    assert carl.locator("tr.row").count() > 10 and carl.locator("form.claim").count() == 0
