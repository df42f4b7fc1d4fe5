"""Realistic identifiers: numeric string ids, request ids, tokens, image uris."""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time


class IdGen:
    """Numeric string ids of a fixed length with a fixed leading prefix, e.g. 19-digit
    product ids starting with ``1729`` like the documented samples."""

    def __init__(self, prefix: str, length: int = 19):
        self.prefix = prefix
        self.length = length
        room = length - len(prefix)
        self._n = secrets.randbelow(10 ** (room - 3)) * 100
        self._room = room
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """The lock is not state: a restored generator gets a fresh one (see sandbox.persistence)."""
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            self._n += 1 + secrets.randbelow(97)
            return self.prefix + str(self._n % (10 ** self._room)).zfill(self._room)


def request_id() -> str:
    """Like ``202203070749000101890810281E8C70B7``: UTC timestamp + 20 upper hex digits."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def token(prefix: str = "ROW_", nbytes: int = 72) -> str:
    return prefix + base64.urlsafe_b64encode(os.urandom(nbytes)).decode().rstrip("=")


def opaque_page_token() -> str:
    """Opaque base64 token that always contains '+', '/' and '=' (as TikTok's order
    ``next_page_token`` values do), so clients must percent-encode it."""
    while True:
        raw = base64.b64encode(os.urandom(44)).decode()  # 44 bytes -> one '=' of padding
        if "+" in raw and "/" in raw and raw.endswith("="):
            return raw


def image_uri() -> str:
    return "tos-maliva-i-o3syd03w52-us/" + secrets.token_hex(16)


def file_id() -> str:
    return "v09e40f40000" + secrets.token_hex(10)


def auth_code() -> str:
    return "ROW_" + base64.urlsafe_b64encode(os.urandom(30)).decode().rstrip("=")
