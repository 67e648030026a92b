"""/docs — the partner API's interactive documentation (Swagger UI), served entirely by this
app: deployments are often offline, and FastAPI's default page loads Swagger UI from a CDN.

The Swagger UI files are the ones the `fastapi-offline` package ships (its `static/` folder);
the page has no inline script, so the app's Content-Security-Policy (`web/headers.py`) applies
unchanged. Build the app with `FastAPI(docs_url=None, redoc_url=None)` and call `mount_docs`.
"""

from __future__ import annotations

import json
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 接口文档</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    from html import escape

    assets = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")
    page = _PAGE.format(title=escape(app.title), assets=ASSETS)
    # validatorUrl null: Swagger UI would otherwise fetch a badge from its public validator.
    options = {"url": app.openapi_url, "dom_id": "#swagger-ui", "layout": "BaseLayout",
               "deepLinking": True, "validatorUrl": None}
    script = ("window.ui = SwaggerUIBundle(Object.assign(" + json.dumps(options) +
              ", {presets: [SwaggerUIBundle.presets.apis, "
              "SwaggerUIBundle.SwaggerUIStandalonePreset]}));\n")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(script, media_type="text/javascript; charset=utf-8")
