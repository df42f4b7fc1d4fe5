"""Validation errors that echo what was sent: "Must be a decimal string such as "9.99". Received: "1,5"."

An extension author reading "must be a decimal string" cannot tell which of forty values broke it; the
value itself makes the fix obvious. Values are cut (a 1 MB description is not sent back) and written
as JSON with every non-ASCII and control character escaped, so the echo is safe in a log line, a
terminal and, escaped again by the template, a web page.
"""

from __future__ import annotations

import json
from typing import Any

ECHO_MAX = 60  # characters of a string value kept in the echo


def echo(value: Any) -> str:
    """A short, escaped rendering of a received value."""
    if isinstance(value, str):
        cut = value[:ECHO_MAX]
        text = json.dumps(cut, ensure_ascii=True)
        return text + ("…" if len(value) > ECHO_MAX else "")
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, (bool, int, float)) or value is None:
        text = json.dumps(value)
        return text if len(text) <= ECHO_MAX else text[:ECHO_MAX] + "…"
    return "a value of an unknown kind"


_MISSING = object()


def _child(raw: Any, key: Any) -> Any:
    if isinstance(raw, dict):
        return raw.get(key, _MISSING) if isinstance(key, str) else _MISSING
    if isinstance(raw, list) and isinstance(key, int) and 0 <= key < len(raw):
        return raw[key]
    return _MISSING


def with_received(messages: Any, raw: Any) -> Any:
    """`messages` (marshmallow's nested error dict) with the received value appended to each message."""
    if isinstance(messages, dict):
        return {key: with_received(value, _child(raw, key)) for key, value in messages.items()}
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        if raw is _MISSING:
            return messages
        received = echo(raw)
        return [f"{m} Received: {received}." for m in messages]
    return messages
