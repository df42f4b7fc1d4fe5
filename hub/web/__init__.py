"""The merchant's settings page: server-rendered pages, one blueprint per page area.

`init_app` is called by `hub.app.create_app`. Nothing here runs at import time.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from hub.web import (activity, assets, auth, categories, connect, dashboard, linking, locations, orders, products,
                         progress, security, settings, stores)
    from hub.web.db import close_session
    from hub.web.templating import install_template_helpers

    security.init_app(app)
    install_template_helpers(app)
    for module in (assets, auth, dashboard, connect, stores, locations, linking, categories, products, orders, settings, activity,
                   progress):
        app.register_blueprint(module.bp)
    app.register_blueprint(connect.callback_bp)
    app.teardown_appcontext(close_session)
