"""Keeping secrets out of logs, as the last line of defence behind code that never logs them.

The hub's own code logs no secret, and its errors carry none (TikTok's token calls put the app secret and
the refresh token in the query string, so their failures are raised without the library exception that
would print the URL). But a library may still write a URL or a header into a log line — urllib3 logs
every request line at DEBUG, a dev server logs query strings, a traceback prints exception messages —
so every log record of the process passes through `redact` before any handler sees it: values of the
secrets this process knows (the app secret, the secret key, and every secret it has decrypted or
encrypted: TikTok tokens, store secrets) and values of credential-named query parameters, JSON fields
and headers are replaced with `***`.

It works as a log record factory rather than a filter on some handler, so handlers added later by
libraries (RQ adds its own) are covered too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any, Iterable

MASK = "***"
MIN_LENGTH = 8  # shorter values are not remembered: masking them would garble ordinary words
MAX_REMEMBERED = 1_000  # the most recently used; each log line is searched for each (0.2 ms a line with 1,000)

_NAMES = r"app_secret|client_secret|refresh_token|access_token|auth_code|code|secret|password|sign|token|state"
_QUERY = re.compile(rf"(?i)([?&](?:{_NAMES})=)[^&\s\"'<>#]+")
_JSON = re.compile(rf"(?i)([\"'](?:{_NAMES}|x-tts-access-token|authorization|x-hub-signature)[\"']\s*:\s*[\"'])"
                   r"[^\"']+")
_HEADER = re.compile(r"(?im)^((?:x-tts-access-token|authorization|x-hub-signature|cookie)\s*:\s*).+$")

_known: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()
_installed = False


def remember(*values: Any) -> None:
    """Mask these values wherever they appear in a log line from now on."""
    with _lock:
        for value in values:
            if isinstance(value, str) and len(value) >= MIN_LENGTH:
                _known[value] = None
                _known.move_to_end(value)
        while len(_known) > MAX_REMEMBERED:
            _known.popitem(last=False)


def redact(text: str) -> str:
    with _lock:
        known = [value for value in _known if value in text]
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    text = _JSON.sub(lambda m: m.group(1) + MASK, text)
    return _HEADER.sub(lambda m: m.group(1) + MASK, text)


_FORMATTER = logging.Formatter()


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed call: logging reports it itself when formatting
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        text = _FORMATTER.formatException(record.exc_info)
        clean = redact(text)
        if clean != text:
            record.exc_text = clean  # formatters print exc_text when it is set
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install(secrets: Iterable[str | None] = ()) -> None:
    """Redact every log record of this process (once per process; `secrets` are remembered each call)."""
    global _installed
    remember(*secrets)
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
