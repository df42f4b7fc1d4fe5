"""The store's own words, for reasons a merchant reads in terms of their store.

WooCommerce and Magento call a variant's option types "attributes"; Shopify and BigCommerce call them
"options". The store connector registry (hub.stores.registry) knows each platform's word and tells
this module as connectors register: the sync engine sits below the connectors and cannot ask them.
"""

from __future__ import annotations

DEFAULT_OPTION_WORD = "options"

_OPTION_WORDS: dict[str, str] = {}


def learn(platform: str, option_word: str) -> None:
    """Called by the connector registry for every connector it registers."""
    _OPTION_WORDS[platform] = option_word


def option_word(platform: str | None) -> str:
    """The platform's plural word for option types ("attributes" / "options")."""
    return _OPTION_WORDS.get(platform or "", DEFAULT_OPTION_WORD)
