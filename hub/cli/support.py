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


def accept_json_everywhere(group: click.Group) -> None:
    """Every command takes `--json`. Those that print JSON already (a contract: `hub store add`) keep doing
    so with or without it; a command with its own `--json` decides for itself."""
    import functools

    for command in group.commands.values():
        if isinstance(command, click.Group):
            accept_json_everywhere(command)
            continue
        if any(param.name == "as_json" for param in command.params) or command.callback is None:
            continue
        command.params.append(click.Option(["--json", "as_json"], is_flag=True,
                                           help="One JSON document on stdout (this command's only output form)."))
        callback = command.callback

        @functools.wraps(callback)
        def without_flag(*args: Any, _callback: Any = callback, **kwargs: Any) -> Any:
            kwargs.pop("as_json", None)
            return _callback(*args, **kwargs)

        command.callback = without_flag
