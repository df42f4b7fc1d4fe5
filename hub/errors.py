"""The hub's one error taxonomy (docs/architecture.md).

Every failure the hub meets is one of four kinds, and each kind has one consequence:
- `RetryableError` (timeouts, 5xx, locks): retried with backoff, the merchant sees nothing unless it persists;
- `RateLimitedError` (429): retried after `retry_after`, and fed back into the shared rate limiter;
- `DataError` (our validation or TikTok's business codes): "Failed to sync" with the reason, no retry
  until the data changes or the merchant clicks Sync;
- `AuthError` (token revoked or expired beyond refresh): the TikTok connection is marked broken and work
  is parked until the merchant reconnects; nothing is lost.
`ApiError` is the HTTP face of a problem in an Extension API request (docs/extension-api.md, Errors).
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    code = "hub_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class RetryableError(HubError):
    code = "retryable"


class RateLimitedError(RetryableError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class DataError(HubError):
    code = "data_error"

    def __init__(self, message: str, *, fix: str | None = None, field: str | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.fix = fix
        self.field = field


class AuthError(HubError):
    code = "auth_error"


class ApiError(HubError):
    """An Extension API error with its HTTP status; rendered as {"error": {code, message, details}}."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message, code=code, details=details)
        self.status = status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}
