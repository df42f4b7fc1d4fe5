"""The store-connector boundary: how stores reach the hub, whatever their platform.

- `connector.py`: the protocol (extension and hosted connectors) and the values crossing the boundary;
- `registry.py`: which connectors exist (built-in extension platforms, hosted ones from entry points);
- `context.py`, `credentials.py`, `http.py`: what the hub hands a hosted connector (its store, tokens
  refreshed under a lock, the rate-limited platform client);
- `install.py`, `webhooks.py`, `notifications.py`, `commands.py`, `sweep.py`, `schedule.py`: the life of
  a hosted store (install, webhook to events, commands through the platform, the catch-up sweep);
- `framing.py`: settings pages inside a platform's admin.

docs/store-connectors.md describes the protocol for connector authors.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort

from hub.stores import framing
from hub.stores.connector import HostedConnector
from hub.stores.registry import UnknownPlatform, load, registry


def _webhook(platform: str) -> Response:
    from hub.stores.webhooks import receive

    try:
        connector = registry().hosted(platform)
    except UnknownPlatform:
        abort(404)
    return receive(connector)


def init_app(app: Flask) -> None:
    """Load the connectors, mount each hosted one's routes under `/stores/<platform>/`, take webhooks."""
    load()
    framing.init_app(app)
    hub_routes = Blueprint("store_connectors", __name__)
    hub_routes.add_url_rule("/stores/<platform>/webhooks", "webhook", _webhook, methods=["POST"])
    app.register_blueprint(hub_routes)
    for connector in registry().all():
        blueprint = connector.blueprint() if isinstance(connector, HostedConnector) else None
        if blueprint is not None:
            app.register_blueprint(blueprint, url_prefix=f"/stores/{connector.platform}",
                                   name=f"store_{connector.platform}")
