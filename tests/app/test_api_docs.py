"""The interactive API docs work offline: ``/api/docs`` loads Swagger UI only from this app
(the files the installed ``fastapi-offline`` package ships), never from a CDN."""

from __future__ import annotations

import re

import pytest


@pytest.mark.slow
@pytest.mark.parametrize("store_config", ["sqlite"], indirect=True)
def test_docs_page_references_only_local_urls_that_answer(client_for):
    client = client_for()
    page = client.get("/api/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'""", page.text)
    urls = [a or b for a, b in urls]
    assert {"/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css",
            "/api/openapi.json"} <= set(urls)
    assert "http" not in page.text.replace("http-equiv", "")  # no absolute URL anywhere
    for url in urls:
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url
    csp = page.headers["content-security-policy"]
    assert "https:" not in csp and "cdn" not in csp and "'unsafe-inline'" not in csp
    assert re.search(r"script-src 'self' 'sha256-[A-Za-z0-9+/=]+'", csp)
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").headers[
        "content-type"].startswith(("application/javascript", "text/javascript"))


@pytest.mark.slow
def test_swagger_ui_renders_in_a_browser_without_the_network(tmp_path):
    """Headless chromium under the page's own CSP: Swagger UI draws the API from local files
    only (no request leaves 127.0.0.1, no CSP violation in the console)."""
    from playwright.sync_api import sync_playwright

    from sinks.store.config import SqliteStoreConfig
    from tests.app.browser import CHROMIUM_ARGS, Server, chromium_path
    from webcare.app.web import create_app
    from webcare.job.config import WebcareConfig

    executable = chromium_path()
    config = WebcareConfig(store=SqliteStoreConfig(path=str(tmp_path / "w.sqlite")))
    server = Server(create_app(config)).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page()
            console, foreign = [], []
            page.on("console", lambda message: console.append(message.text))
            page.on("request", lambda request: None if request.url.startswith(server.url)
                    else foreign.append(request.url))
            page.goto(server.url + "/api/docs")
            page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
            assert page.inner_text(".swagger-ui .info .title").startswith("webcare")
            browser.close()
    finally:
        server.stop()
    assert foreign == []
    assert not [text for text in console if "Content Security Policy" in text], console
