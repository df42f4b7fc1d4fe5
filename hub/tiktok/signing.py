"""TikTok Shop request and webhook signatures (docs/tiktok-api.md).

Pure functions on the standard library only: scripts outside the repository import this module on its
own, and the sandbox checks the same formulas independently, so a mistake here shows up as `106001`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Mapping

# TikTok leaves these out of the string to sign: `sign` is the result, `access_token` a legacy secret.
UNSIGNED_PARAMS = frozenset({"sign", "access_token"})


def string_to_sign(app_secret: str, path: str, query: Mapping[str, str], body: bytes | None,
                   multipart: bool = False) -> bytes:
    """secret + path + sorted(key + value) [+ raw body unless multipart] + secret, as bytes.

    Keys sort by their UTF-8 bytes (ordinal order), values are the decoded strings that are sent; the
    body is appended byte for byte, because TikTok signs exactly what travels on the wire.
    """
    pairs = sorted(((str(k), str(v)) for k, v in query.items() if k not in UNSIGNED_PARAMS),
                   key=lambda kv: kv[0].encode("utf-8"))
    base = path.encode("utf-8") + b"".join(k.encode("utf-8") + v.encode("utf-8") for k, v in pairs)
    if body and not multipart:
        base += bytes(body)
    secret = app_secret.encode("utf-8")
    return secret + base + secret


def sign(app_secret: str, path: str, query: Mapping[str, str], body: bytes | None,
         multipart: bool = False) -> str:
    """The `sign` query parameter: lower-case hex HMAC-SHA256 keyed with the app secret."""
    message = string_to_sign(app_secret, path, query, body, multipart)
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, raw_body: bytes) -> str:
    """The webhook `Authorization` header: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode("utf-8"), app_key.encode("utf-8") + bytes(raw_body),
                    hashlib.sha256).hexdigest()


def webhook_signature_valid(app_key: str, app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """Constant-time check; TikTok sends lower-case hex, a stray "Bearer " or case change is tolerated."""
    if not header:
        return False
    value = header.strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    return hmac.compare_digest(webhook_signature(app_key, app_secret, raw_body), value.lower())
