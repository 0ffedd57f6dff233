"""The interactive API docs work offline: ``/api/docs`` loads Swagger UI only from this app
(the files the installed ``fastapi-offline`` package ships), never from a CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.parametrize("store_config", ["sqlite"], indirect=True)


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
