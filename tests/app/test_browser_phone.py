"""The queue, an item and the dead letters at phone width (issue 21), in headless chromium
(Playwright): 375 px wide, touch; no sideways scrolling, controls at least 44 px tall, search,
bulk claim by selecting rows, an item's actions. Screenshots in ``var/test-artifacts/``."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas import DeadLetter
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.app.browser import ARTIFACTS, Server, browser  # noqa: F401 - the shared chromium
from tests.app.conftest import PASSWORD, ROUTER, XSS, seed_decisions
from tests.conftest import make_classification, make_post
from webcare.app.security import hash_password
from webcare.job.config import load_config

pytestmark = pytest.mark.integration
PHONE = {"width": 375, "height": 740}
LONG = "https://example.org/" + "averyveryverylongwordwithoutanybreakpoints" * 4


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("phone") / "phone.sqlite")
    config = load_config().model_copy(update={"store": SqliteStoreConfig(path=path)})
    store = SqliteStore(config.store)
    extra = [make_post(10 + n, text=f"{LONG} printer {n} {XSS if n == 0 else ''}")
             for n in range(6)]
    store.write(seed_decisions() + [ROUTER(p, make_classification(p)) for p in extra],
                [DeadLetter(stage="parse", error_type="ValidationError", reason=LONG,
                            payload='{"id": "x", "text": "' + LONG + '"', source="webhook",
                            occurred_at=datetime.now(timezone.utc))])
    app = AppStore(store)
    for name, role in (("alice", "agent"), ("lena", "lead")):
        app.add_user(name, role, hash_password(PASSWORD))
    store.close()
    from webcare.app.web import create_app

    server = Server(create_app(config.model_copy(
        update={"app": config.app.model_copy(update={"clock": "latest_post"})}))).start()
    yield server
    server.stop()


def phone(browser, served, name):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(served.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at 375 px"


def too_small(page, selector: str) -> list:
    heights = page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null)"
                  ".map(e => e.getBoundingClientRect().height)")
    assert heights, f"no visible {selector}"
    return [h for h in heights if h < 44]


def test_queue_and_item_work_on_a_phone(browser, served):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = phone(browser, served, "alice")
    assert page.locator("tr.row").count() == 10
    no_sideways_scroll(page)
    assert too_small(page, "main button, main select, main input[type=search]") == []
    page.screenshot(path=str(ARTIFACTS / "phone-queue.png"), full_page=True)

    page.fill("input[name=q]", "printer")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").tap()
    assert page.locator("tr.row").count() == 6
    no_sideways_scroll(page)
    boxes = page.locator("tr.row td.pick input[type=checkbox]")
    boxes.nth(0).tap()
    boxes.nth(1).tap()
    with page.expect_navigation():
        page.locator("form.bulk button[value=claim]").tap()
    assert "2 done, 0 not done" in page.locator("main").inner_text()
    no_sideways_scroll(page)

    page.goto(served.url + "/?q=printer")
    page.locator("tr.row a.open").first.tap()
    page.wait_for_url("**/item?id=*")
    no_sideways_scroll(page)
    assert too_small(page, "section.actions button") == []
    page.screenshot(path=str(ARTIFACTS / "phone-item.png"), full_page=True)
    page.fill("form.note textarea", "checked on the phone")
    with page.expect_navigation():
        page.locator("#note").tap()
    assert "checked on the phone" in page.locator(".note-entry").first.inner_text()
    no_sideways_scroll(page)


def test_dead_letters_on_a_phone(browser, served):
    page = phone(browser, served, "lena")
    page.goto(served.url + "/dead-letters")
    no_sideways_scroll(page)
    page.locator("a.open").first.tap()
    page.wait_for_url("**/dead-letters/show?id=*")
    no_sideways_scroll(page)
    assert too_small(page, "section.actions button") == []
    page.screenshot(path=str(ARTIFACTS / "phone-dead-letter.png"), full_page=True)
