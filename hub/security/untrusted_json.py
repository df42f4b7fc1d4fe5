"""JSON from outside (stores, TikTok): decoding it safely, and finding values no database can keep.

Python's `json` accepts things the rest of the hub cannot store or send on: a `\\ud800` escape decodes
to a lone surrogate (no UTF-8 encoder takes it), `\\u0000` to a NUL (PostgreSQL refuses it in text and
JSONB), `NaN`/`Infinity` and `1e400` to non-finite floats (not JSON at all on the way out), integers of
any size (columns hold 64 bits), and nesting as deep as the recursion limit. None of these is a
reason to fail a whole call: `problems` names each offending value so that one event is rejected and
its neighbours are applied; only a body nested too deeply to decode at all is refused whole.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32  # arrays and objects within one value; the canonical product needs 5
INT64 = 2 ** 63


class BodyTooDeep(ValueError):
    """The JSON nests deeper than the decoder goes (tens of thousands of brackets)."""


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, with non-finite constants decoded as floats (rejected later, per value, by
    `problems`) and nesting beyond the decoder's reach as `BodyTooDeep` instead of RecursionError."""
    kwargs.setdefault("parse_constant", float)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise BodyTooDeep("The JSON is nested too deeply to read.") from None


def _string_problem(value: str) -> str | None:
    if value.isascii():
        return "Contains a NUL character (\\u0000), which cannot be stored." if "\x00" in value else None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains a lone surrogate (an unpaired \\ud800-\\udfff escape), which is not valid Unicode text."
    if "\x00" in value:
        return "Contains a NUL character (\\u0000), which cannot be stored."
    return None


def _scalar_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return _string_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -INT64 <= value < INT64 else "Integer out of range (more than 64 bits)."
    if isinstance(value, float) and not math.isfinite(value):
        return "Must be a finite number (NaN, Infinity and numbers beyond 1e308 are not allowed)."
    return None


def _clean(value: Any, max_depth: int) -> bool:
    """True when nothing inside `value` is unstorable: the quick pass every event takes (about 20 µs for
    a product of five variants), leaving the path-keeping walk of `problems` to the rare bad one."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth = pop()
        if depth >= max_depth:
            return False
        if type(item) is dict:
            for key in item:
                if type(key) is not str or not (key.isascii() and "\x00" not in key) and _string_problem(key):
                    return False
            children: Any = item.values()
        else:
            children = item
        for child in children:
            kind = type(child)
            if kind is str:
                if not (child.isascii() and "\x00" not in child) and _string_problem(child):
                    return False
            elif kind is dict or kind is list:
                push((child, depth + 1))
            elif kind is int:
                if not -INT64 <= child < INT64:
                    return False
            elif kind is float:
                if not math.isfinite(child):
                    return False
            elif child is not None and kind is not bool:
                return False  # not a JSON value: let the exact walk say what it is
    return True


def problems(value: Any, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Every unstorable value inside `value`, as marshmallow-style nested messages ({} when clean).

    Keys are checked like values (a key with a surrogate is as unstorable as a value). Iterative, so a
    value nested far too deeply is reported, not a RecursionError.
    """
    if isinstance(value, (dict, list)) and _clean(value, max_depth):
        return {}
    found: dict[str, Any] = {}
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, (dict, list)):
            if len(path) >= max_depth:
                _add(found, path, f"Nested more than {max_depth} levels deep.")
                continue
            if isinstance(item, dict):
                for key, child in item.items():
                    problem = _string_problem(key) if isinstance(key, str) else None
                    if problem:
                        _add(found, (*path, "_key"), f"A key here: {problem}")
                        continue
                    stack.append((child, (*path, str(key))))
            else:
                stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
            continue
        problem = _scalar_problem(item)
        if problem:
            _add(found, path, problem)
    return found


def _add(found: dict[str, Any], path: tuple[str, ...], message: str) -> None:
    node = found
    for part in path[:-1]:
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            return
        node = nxt
    leaf = path[-1] if path else "_value"
    existing = node.setdefault(leaf, [])
    if isinstance(existing, list) and message not in existing:
        existing.append(message)
