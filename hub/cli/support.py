"""What every `hub` command group shares: the process runtime, errors on stderr, JSON on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click


def build_runtime():  # noqa: ANN201 - Runtime imported lazily: `hub --help` stays fast
    from hub.config import load_settings
    from hub.runtime import Runtime, install

    runtime = Runtime.build(load_settings())
    install(runtime)
    return runtime


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))
