"""UK carriers as stores name them, and how those names reach one of TikTok's shipping providers.

Stores rarely type a carrier's name the way TikTok lists it. Tracking plugins store slugs
(WooCommerce Shipment Tracking and Advanced Shipment Tracking: ``royal-mail``, ``dpd-uk``), their own
spellings ("DPD.co.uk", "ParcelForce") or old brand names (Hermes, now Evri), while TikTok's UK list
says "DPD UK", "Parcelforce Worldwide", "DHL UK". The common UK carriers' slugs and names are
therefore recognised without any setting; the merchant's ``orders.carriers`` table (settings page)
comes first and covers everything else.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

# Canonical carrier → the slugs and names stores and tracking plugins use for it.
UK_CARRIERS: dict[str, tuple[str, ...]] = {
    "Royal Mail": ("royal-mail", "Royal Mail Tracked", "Royal Mail Tracked 24", "Royal Mail Tracked 48",
                   "Royal Mail Special Delivery", "royal-mail-uk", "Royal Mail UK", "RM"),
    "Parcelforce": ("parcelforce", "parcel-force", "ParcelForce", "Parcelforce Worldwide", "parcelforce-worldwide"),
    "DPD": ("dpd", "dpd-uk", "DPD UK", "DPD.co.uk", "dpd-co-uk", "DPD Local", "dpd-local", "dpd-local-uk"),
    "Evri": ("evri", "Hermes", "hermes-uk", "Hermes UK", "myHermes", "my-hermes", "hermesworld", "hermes-world",
             "Evri (Hermes)"),
    "Yodel": ("yodel", "Yodel Direct", "yodel-direct", "yodel-international"),
    "DHL": ("dhl", "dhl-uk", "DHL UK", "DHL Parcel UK", "dhl-parcel-uk", "DHL Parcel", "dhl-parcel",
            "DHL Express", "dhl-express", "DHL Express UK", "dhl-express-uk"),
    "UPS": ("ups", "ups-uk", "UPS UK", "United Parcel Service"),
    "FedEx": ("fedex", "fedex-uk", "FedEx UK", "Federal Express"),
    "Amazon Logistics": ("amazon", "amazon-logistics", "amazon-logistics-uk", "Amazon Shipping", "amazon-shipping",
                         "amazon-shipping-uk", "Amazon UK"),
    "DX": ("dx", "DX Delivery", "dx-delivery", "DX Freight", "dx-freight", "DX Secure"),
    "TNT": ("tnt", "tnt-uk", "TNT UK", "TNT Express", "tnt-express"),
    "APC Overnight": ("apc", "APC", "apc-overnight", "APC Overnight"),
    "InPost": ("inpost", "inpost-uk", "InPost UK"),
}


def key(name: str) -> str:
    """Letters and digits only, lower case: "DPD.co.uk", "dpd-co-uk" and "DPD co UK" are one key."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


_ALIASES: dict[str, str] = {}
for _canonical, _names in UK_CARRIERS.items():
    for _name in (_canonical, *_names):
        _ALIASES.setdefault(key(_name), _canonical)


def canonical(name: str) -> str | None:
    """The carrier a UK store means by ``name``, or None when it is not one this table knows."""
    return _ALIASES.get(key(name))


def recognised_names() -> list[str]:
    """Every name and slug recognised without a setting, for the settings page."""
    return sorted({name for names in UK_CARRIERS.values() for name in names} | set(UK_CARRIERS), key=str.casefold)


def match_provider(providers: Iterable[dict[str, Any]], name: str) -> str | None:
    """TikTok's shipping_provider_id for ``name``, or None when no single provider matches.

    A provider matches by its name, ignoring case and punctuation; else, for a known carrier, a provider
    whose name is one of that carrier's names or starts with it ("DPD" → "DPD UK", "Parcelforce" →
    "Parcelforce Worldwide"), provided exactly one does.
    """
    offered = {key(str(p.get("name") or "")): str(p["id"]) for p in providers if p.get("id") and p.get("name")}
    wanted = key(name)
    if wanted in offered:
        return offered[wanted]
    carrier = canonical(name)
    names = {key(carrier), *(key(n) for n in UK_CARRIERS[carrier])} if carrier else {wanted}
    names.discard("")
    found = {pid for provider, pid in offered.items()
             if provider in names or any(provider.startswith(n) and len(n) >= 2 for n in names)}
    if len(found) == 1:
        return found.pop()
    return None
