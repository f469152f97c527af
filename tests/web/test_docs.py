"""/docs works offline: Swagger UI comes from the archive itself, under a CSP with no inline
script, and shows the API's operations in Chromium with every other host blocked."""

from __future__ import annotations

import httpx

from tests.fixtures.web import screenshot


def test_docs_render_offline_under_a_strict_policy(web_url: str, page) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{web_url}/docs")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "<script>" not in response.text  # only <script src=…> of the archive's own files
    assert "cdn" not in response.text.lower()

    elsewhere: list[str] = []

    def only_here(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(web_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.route("**/*", only_here)
    page.goto(f"{web_url}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/search" in p for p in paths), paths
    assert any("/api/assets/{asset_id}" in p.replace("\u200b", "") for p in paths), paths
    assert elsewhere == [] and refused == []
    screenshot(page, "docs")
