"""TikTok Shop Sync hub.

`create_app` is re-exported lazily so that importing a submodule (for example the signing functions
that scripts outside the repository use) never pulls in Flask or touches configuration.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None):  # noqa: ANN201 - Flask imported lazily
    from hub.app import create_app as _create_app

    return _create_app(config)
