"""Turning every TikTok answer into one of the hub's four error kinds (docs/tiktok-client.md, docs/tiktok-api.md).

TikTok sets the HTTP status independently of its `code`, overloads `36009004` for a dozen unrelated
problems (told apart only by the message), and proxies in front of it can answer with HTML or cut a
body short. The job layer must still know whether to retry, wait, park the connection or show the
merchant a reason, so every path out of here is a classified `HubError`, never a raw exception.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from typing import Any

from hub.errors import AuthError, DataError, HubError, RateLimitedError, RetryableError


class TokenExpiredError(AuthError):
    """The access token is past its expiry: refresh it and retry once before calling it broken."""

    code = "tiktok_token_expired"


class TokenInvalidError(AuthError):
    """TikTok does not know this access token (revoked, or replaced by a refresh in another worker)."""

    code = "tiktok_token_invalid"


class AppCredentialsError(AuthError):
    """The app key or secret is wrong: reconnecting the shop will not help, the operator must fix config."""

    code = "tiktok_app_credentials"


class StaleTimestampError(RetryableError):
    """The request's timestamp fell outside TikTok's window; a fresh signature usually fixes it."""

    code = "tiktok_stale_timestamp"


RATE_LIMIT_CODES = {36009002, 12052109}
RETRYABLE_CODES = {36009003, 36009007, 10002014, 10037002, 10037003, 10037004, 11001027, 11001031,
                   21001003, 21001008, 21001011}
AUTH_CODES = {101000, 105001, 105003, 105004, 105005, 36004004, 36009033, 36009043, 36009044}
# Malformed requests: our bug, not the merchant's data, but retrying the same request cannot help.
REQUEST_CODES = {106013, 36009009, 36009010, 36009014, 36009021, 36009022, 36009023}

_RETRY_WORDS = re.compile(r"try again later|please try again|timed? ?out|system process error|"
                          r"internal error|system busy|service unavailable", re.I)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds, from either form HTTP allows (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _details(http_status: int | None, code: int | None, request_id: str | None, endpoint: str | None,
             **extra: Any) -> dict[str, Any]:
    details = {"tiktok_code": code, "http_status": http_status, "request_id": request_id, "endpoint": endpoint}
    details.update(extra)
    return {k: v for k, v in details.items() if v is not None}


def classify(*, http_status: int | None, code: int | None, message: str | None,
             request_id: str | None = None, retry_after: float | None = None,
             endpoint: str | None = None) -> HubError:
    """The hub error for a TikTok answer that was not a success."""
    message = (message or "").strip()
    details = _details(http_status, code, request_id, endpoint)
    said = message or f"TikTok answered HTTP {http_status}"

    if code in RATE_LIMIT_CODES or http_status == 429:
        return RateLimitedError(f"TikTok rate limit reached: {said}", retry_after=retry_after,
                                code="tiktok_rate_limited", details=details)
    if code == 105002:
        return TokenExpiredError(said, details=details)
    if code == 106001:
        return AppCredentialsError(f"TikTok rejected the request signature ({said}); check the app "
                                   "secret (HUB_TIKTOK_APP_SECRET).", details=details)
    if code == 36009004:
        return _classify_36009004(message, details)
    if code in AUTH_CODES:
        return AuthError(said, code=f"tiktok_{code}", details=details)
    if code in RETRYABLE_CODES or (code and _RETRY_WORDS.search(message)):
        return RetryableError(said, code=f"tiktok_{code}", details=details)
    if code in REQUEST_CODES:
        return DataError(said, code=f"tiktok_{code}", details=details)
    if code:
        # Business validation (12xxxxxx, 21xxxxxx, ...): the merchant sees TikTok's own words.
        return DataError(said, code=f"tiktok_{code}", details=details)
    return classify_http(http_status, said, details)


def classify_http(http_status: int | None, message: str, details: dict[str, Any]) -> HubError:
    """No usable TikTok code: decide from the HTTP status alone."""
    if http_status is None or http_status >= 500 or http_status in (408, 425) or 200 <= http_status < 300:
        # A 2xx without a valid envelope is a cut or corrupted answer: asking again is the cure.
        return RetryableError(message, code="tiktok_unexpected_response", details=details)
    if http_status in (401, 403):
        return AuthError(message, code="tiktok_unauthorized", details=details)
    return DataError(message, code="tiktok_unexpected_response", details=details)


def _classify_36009004(message: str, details: dict[str, Any]) -> HubError:
    lower = message.lower()
    if "timestamp" in lower:
        return StaleTimestampError(message, details=details)
    if "access_token" in lower or "x-tts-access-token" in lower:
        return TokenInvalidError(message, details=details)
    if "app_key" in lower or "missing credentials" in lower or "signature" in lower:
        return AppCredentialsError(message, details=details)
    if "shop_id" in lower:
        return AuthError(message, code="tiktok_36009004", details=details)
    # "Unexpected identifier ... shop_cipher", "Invalid API version", "invalid param error": the
    # request itself is wrong; repeating it unchanged would fail the same way.
    return DataError(message or "TikTok rejected the request (36009004)", code="tiktok_36009004",
                     details=details)


def network_error(exc: Exception, endpoint: str | None) -> RetryableError:
    """Timeouts, refused connections and cut responses: retryable; the outcome is unknown."""
    kind = type(exc).__name__
    return RetryableError(f"No answer from TikTok ({kind})", code="tiktok_network",
                          details=_details(None, None, None, endpoint, exception=kind))


def decode_envelope(status: int, content: bytes, headers: Any, endpoint: str | None) -> dict[str, Any]:
    """The `data` of a successful envelope, or raise the classified error for anything else."""
    retry_after = retry_after_seconds(headers.get("Retry-After")) if headers is not None else None
    try:
        envelope = loads(content)
    except (ValueError, UnicodeDecodeError):
        snippet = content[:80].decode("utf-8", "replace").strip()
        error = classify_http(status, f"TikTok answered HTTP {status} with a body that is not JSON"
                              + (f" ({snippet!r})" if snippet else ""),
                              _details(status, None, None, endpoint))
        if status == 429:
            error = RateLimitedError("TikTok rate limit reached", retry_after=retry_after,
                                     code="tiktok_rate_limited", details=_details(status, None, None, endpoint))
        raise error from None
    if not isinstance(envelope, dict) or "code" not in envelope:
        if status == 429:
            raise RateLimitedError("TikTok rate limit reached", retry_after=retry_after,
                                   code="tiktok_rate_limited", details=_details(status, None, None, endpoint))
        raise classify_http(status, f"TikTok answered HTTP {status} without a response envelope",
                            _details(status, None, None, endpoint))
    try:
        code = int(envelope["code"])
    except (KeyError, TypeError, ValueError):
        raise classify_http(status, f"TikTok answered with a non-numeric code {envelope.get('code')!r}",
                            _details(status, None, None, endpoint)) from None
    message = envelope.get("message")
    request_id = envelope.get("request_id")
    if code != 0 or status >= 400:
        raise classify(http_status=status, code=code or None, message=str(message or ""),
                       request_id=str(request_id) if request_id else None, retry_after=retry_after,
                       endpoint=endpoint)
    data = envelope.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RetryableError("TikTok answered with a `data` that is not an object",
                             code="tiktok_unexpected_response", details=_details(status, 0, request_id, endpoint))
    return data


def require(data: dict[str, Any], *keys: str, endpoint: str | None = None) -> dict[str, Any]:
    """Fail clearly (retryable) when a success answer lacks a field the hub cannot work without."""
    missing = [k for k in keys if data.get(k) in (None, "")]
    if missing:
        raise RetryableError(f"TikTok's answer lacks {', '.join(missing)}", code="tiktok_unexpected_response",
                             details=_details(None, 0, None, endpoint, missing=missing))
    return data


# ---- JSON with ids as strings ------------------------------------------------------------------------

def _is_id_key(key: str) -> bool:
    return key == "id" or key.endswith("_id") or key.endswith("_ids") or key == "ids"


def _stringify_ids(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _stringify_ids(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_ids(v, key) for v in value]
    if key is not None and _is_id_key(key):
        if isinstance(value, _LiteralFloat):
            return value.literal
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    if isinstance(value, _LiteralFloat):
        return float(value)
    return value


def loads(raw: bytes | str) -> Any:
    """Parse TikTok JSON so that every id is a string, even when TikTok sent it as a bare number.

    Python parses integer literals exactly, so `576486316948490001` survives; numbers written with a
    fraction or exponent under an id key are kept as their literal text rather than a lossy float.
    """
    text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
    return _stringify_ids(json.loads(text, parse_float=_LiteralFloat))


class _LiteralFloat(float):
    """A float that remembers its JSON literal, so an id written as 5.7e17 is not silently rounded."""

    literal: str

    def __new__(cls, literal: str) -> "_LiteralFloat":
        obj = super().__new__(cls, literal)
        obj.literal = literal
        return obj

