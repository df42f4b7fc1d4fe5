"""The Extension API's request signature, shared by both directions.

Stores sign their calls to the hub with it, and the hub signs its wake-up calls to a store with the
same store's secret (docs/extension-api.md): timestamp, method, path with query and raw body, HMAC-SHA256.
"""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, timestamp: str, method: str, path_with_query: str, body: bytes) -> str:
    message = f"{timestamp}\n{method.upper()}\n{path_with_query}\n".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
