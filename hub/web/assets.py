"""Stylesheet, script and templates of the settings page.

A blueprint without a login guard, so the login page itself can load its stylesheet; all assets are
served from the hub (no external CDN: the page works offline and the CSP stays `'self'`).
"""

from __future__ import annotations

from flask import Blueprint, Response

from hub.web.security import WEB_BLUEPRINTS

bp = Blueprint("assets", __name__, static_folder="static", static_url_path="/assets",
               template_folder="templates")
WEB_BLUEPRINTS.add("assets")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the answer is the same picture as the link."""
    return bp.send_static_file("favicon.svg")
