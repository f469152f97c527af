"""``/docs``: the API's Swagger UI, served from the archive itself (no CDN), under a strict
CSP (no inline script: the start-up script is a static file).

The Swagger UI files come from the ``fastapi-offline`` package, which ships them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

#: Scripts and styles only from the archive; Swagger UI sets style attributes, so inline
#: styles are allowed here (never inline script).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mediaarchive API</title>
<link rel="stylesheet" href="/docs-static/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><h1>mediaarchive API</h1>
<p>The schema: <a href="/openapi.json">/openapi.json</a></p></main>
<script src="/docs-static/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script>
</body>
</html>
"""


def swagger_files() -> StaticFiles:
    """The Swagger UI bundle (JavaScript and CSS) shipped by ``fastapi-offline``."""
    import fastapi_offline

    return StaticFiles(directory=Path(fastapi_offline.__file__).with_name("static"))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})
