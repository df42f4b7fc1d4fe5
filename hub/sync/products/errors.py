"""Coded errors raised while turning store product data into TikTok product data.

Every failure carries a stable ``code`` (for logs, tests and the settings page to branch on) and a
``message`` a merchant can act on without reading logs, because the "Failed to sync" status shows the
reason as it is (docs/statuses.md: the reason names the field, the variant and the fix).
"""

from __future__ import annotations

from hub.errors import DataError


class ProductDataError(DataError, ValueError):
    """A product field cannot be sent to TikTok as it is: a data error of the hub's taxonomy (no retry)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class DescriptionError(ProductDataError):
    """The store description could not be converted."""


class ImageError(ProductDataError):
    """An image could not be downloaded or prepared for upload.

    `transient` marks failures that say nothing about the picture itself (a timeout, a 5xx or 429 from
    the merchant's server, a dropped connection): the listing job retries those with backoff instead of
    failing the product at the first hiccup of a store's CDN.
    """

    def __init__(self, code: str, message: str, *, transient: bool = False) -> None:
        super().__init__(code, message)
        self.transient = transient


class IdentifierError(ProductDataError):
    """A barcode (GTIN/EAN/UPC/ISBN) is malformed or has a wrong check digit."""


class UnitError(ProductDataError):
    """A weight or dimension cannot be expressed in TikTok's units."""


class PricingError(ProductDataError):
    """A price or stock rule, or its result, is outside what TikTok accepts."""
