"""Local TikTok Shop sandbox: a faithful, in-memory stand-in for the TikTok Shop
Partner API subset the hub uses (see docs/sandbox.md).

Importing this package has no side effects; call :func:`sandbox.app.create_app`.
"""

__all__ = ["create_app"]


def create_app(*args, **kwargs):  # pragma: no cover - thin re-export
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
