"""The status counts of a large catalogue come from a copy a few seconds old; the rows never do.

Counting 100,000 products is a scan of all of them on every view of the Products page, its live
progress and the Overview (docs/performance.md, "Products page at 100,000 products"). The threshold
is lowered here so that a handful of products make a "large" store.
"""

from __future__ import annotations

import re
from typing import Any

from hub.models import CategoryMapping, Listing
from hub.models import listings as st
from hub.runtime import Runtime
from tests.support.waiting import wait_until
from tests.web.conftest import Browser
from tests.web.test_http import MENS_SOCKS, product, push


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="([^"]+)">(\d+)<', html)}


def _rows(html: str) -> dict[str, str]:
    """Product id → the status its row shows."""
    found = {}
    for key, row in re.findall(r'<tr data-row="([^"]+)"(.*?)</tr>', html, flags=re.S):
        shown = re.search(r'data-status="([^"]+)"', row)
        found[key.split(":")[1]] = shown.group(1) if shown else ""
    return found


def test_a_large_catalogue_counts_from_a_short_lived_copy_and_the_merchants_own_changes_show_at_once(
        logged_in: Browser, live_hub: Any, runtime: Runtime, merchant_a: dict[str, str]) -> None:
    store_id = merchant_a["store_id"]
    push(live_hub, merchant_a, *[product(str(n), f"Sock {n}") for n in range(1, 7)])

    small = logged_in.get("/products/").text
    assert _counts(small)[st.NEEDS_CATEGORY] == 6 and "data-counts-as-of" not in small  # under the threshold

    runtime.settings = runtime.settings.with_overrides(product_counts_cache_from=5, product_counts_max_age=3600)
    first = logged_in.get("/products/").text
    assert _counts(first)[st.NEEDS_CATEGORY] == 6 and "data-counts-as-of" not in first  # counted afresh, kept
    kept = logged_in.get("/products/").text
    assert "data-counts-as-of" in kept and "Counts as of" in kept

    # A worker lists product 1: its row is live, the counts wait for the copy to expire.
    with runtime.db.session_scope() as session:
        session.add(Listing(store_id=store_id, product_id="1", status=st.ACTIVE, tiktok_product_id="1729"))
    page = logged_in.get("/products/").text
    assert _rows(page)["1"] == st.ACTIVE
    assert _counts(page)[st.ACTIVE] == 0 and _counts(page)[st.NEEDS_CATEGORY] == 6

    # A category mapping changes what the kept groups mean: it shows at once.
    with runtime.db.session_scope() as session:
        session.add(CategoryMapping(store_id=store_id, category_key="clothing > socks",
                                    category_path="Clothing > Socks", tiktok_category_id=MENS_SOCKS))
    mapped = _counts(logged_in.get("/products/").text)
    assert mapped[st.NOT_SYNCED] == 6 and mapped[st.NEEDS_CATEGORY] == 0

    # The merchant's own change on the settings page (a category set on a product) is counted afresh.
    saved = logged_in.post_form(f"/products/{store_id}/2", f"/products/{store_id}/2/details",
                                {"p.tiktok_category_id": MENS_SOCKS})
    assert saved.status_code == 200, saved.text[:300]
    fresh = logged_in.get("/products/").text
    assert _counts(fresh)[st.ACTIVE] == 1 and _counts(fresh)[st.NOT_SYNCED] == 5
    assert "data-counts-as-of" not in fresh

    # Other changes are counted once the copy is older than the setting.
    runtime.settings = runtime.settings.with_overrides(product_counts_max_age=1)
    logged_in.get("/products/")  # counted afresh and kept for one second
    with runtime.db.session_scope() as session:
        session.add(Listing(store_id=store_id, product_id="3", status=st.ACTIVE, tiktok_product_id="1730"))
    wait_until(lambda: _counts(logged_in.get("/products/").text)[st.ACTIVE] == 2, 10, 0.2,
               "the second listing counted once the copy expired")
