"""What TikTok receives as description and title text, through the sandbox (which checks both as TikTok
documents: length, HTML escape characters, emoji, control characters, runs of one character)."""

from __future__ import annotations

import re

from hub.app import create_app
from hub.models.listings import ACTIVE, FAILED_TO_SYNC, UNDER_REVIEW
from tests.support.catalogue import long_description


def description_warnings(listing) -> list[str]:  # noqa: ANN001
    return [i["message"] for i in listing.issues or [] if i["level"] == "warning" and i["field"] == "description"]


def test_a_long_single_paragraph_is_cut_to_fit_and_the_warning_outlives_the_review(shop) -> None:
    app = create_app(runtime=shop.runtime)
    shop.map()
    shop.push(shop.product("601", description_html=long_description()))
    listing = shop.listing("601")
    assert listing.status == UNDER_REVIEW, (listing.reason, listing.issues)
    sent = shop.sandbox.product(listing.tiktok_product_id)["live"]["description"]
    text = re.sub(r"<[^>]+>", "", sent)
    assert len(sent) <= 10_000 and len(text) > 9_000, "everything that fits is kept"
    assert text.startswith("This heavyweight hoodie") and text.endswith("phone."), "cut after a whole sentence"
    warnings = description_warnings(listing)
    assert len(warnings) == 1, warnings
    assert "cut" in warnings[0] and "characters" in warnings[0] and "601" in warnings[0]
    assert not any("no description text" in w for w in warnings)

    shop.sandbox.review(listing.tiktok_product_id, "approve")
    shop.deliver_webhooks(app.test_client(), set())
    live = shop.listing("601")
    assert live.status == ACTIVE
    assert description_warnings(live) == warnings, "going Active keeps what was changed on the way"


def test_description_characters_tiktok_refuses_are_replaced_and_reported(shop) -> None:
    shop.map()
    shop.push(shop.product("602", description_html="<p>Only&nbsp;£9.99&nbsp;each &amp; soft 🧦✨ "
                                                  "<b>==========</b> Brand™</p>"))
    listing = shop.listing("602")
    assert listing.status == UNDER_REVIEW, (listing.reason, listing.issues)
    sent = shop.sandbox.product(listing.tiktok_product_id)["live"]["description"]
    assert set(re.findall(r"&[#\w]+;", sent)) <= {"&amp;", "&lt;", "&gt;"}, sent
    assert "🧦" not in sent and "=" * 10 not in sent and "Only £9.99 each &amp; soft" in sent and "™" in sent
    warnings = " ".join(description_warnings(listing))
    assert "emoji" in warnings and "repeated" in warnings


def test_title_markup_is_removed_and_a_title_tiktok_refuses_names_the_product(shop) -> None:
    shop.map()
    shop.push(shop.product("604", title="  Mug <script>alert(1)</script>&amp;\n  Coaster <b>set</b> "),
              shop.product("605", title="Mug 😀 set"))
    listing = shop.listing("604")
    assert listing.status == UNDER_REVIEW, (listing.reason, listing.issues)
    assert shop.sandbox.product(listing.tiktok_product_id)["title"] == "Mug & Coaster set"
    refused = shop.listing("605")
    assert refused.status == FAILED_TO_SYNC and refused.reason_code == "title_format"
    assert "605" in refused.reason and "emoji" in refused.reason
