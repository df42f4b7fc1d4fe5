"""Rejected store events leave a trace the merchant can read: the products page and `hub products`.

The extension gets the errors in the call's answer, but a merchant never reads an extension's log; a
product whose event was refused would otherwise simply never appear.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from click.testing import CliRunner

from hub.cli.products import products as products_command
from hub.models import RejectedEvent
from hub.sync import rejections
from plugins.hub_client import HubClient
from plugins.hub_client.client import new_event
from tests.foundation.test_extension_api import raw_call
from tests.support.hub import hub_environ
from tests.web.conftest import Browser


def _product(pid: str, weight: Any = "0.25", title: str = "Walking Socks") -> dict[str, Any]:
    return {"id": pid, "version": 1, "title": title, "weight": {"value": weight, "unit": "kg"},
            "variants": [{"id": f"{pid}-1", "sku": f"SOCK-{pid}", "price": "9.99", "quantity": 3}]}


def test_a_refused_event_is_shown_on_the_products_page_and_by_the_cli(live_hub, runtime, logged_in: Browser,
                                                                       merchant_a) -> None:  # noqa: ANN001
    client = HubClient(live_hub.url, merchant_a["key_id"], merchant_a["secret"], max_retries=1, backoff=0.05)
    bad = new_event("product.upsert", product=_product("77", weight="1,5"))
    results = client.send_events([new_event("product.upsert", product=_product("76")), bad])
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    # The answer echoes what was sent, so the extension's author sees the value, not only the rule.
    message = results[1]["errors"]["product"]["weight"]["value"][0]
    assert '"1,5"' in message, message

    page = logged_in.get("/products/").text
    assert "Events your store sent that the hub refused" in page
    assert bad["id"] in page and "product 77" in page and "1,5" in page

    result = CliRunner().invoke(products_command, ["--store", merchant_a["store_id"], "--json"],
                                env=hub_environ(runtime))
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    [refused] = document["rejected_events"]
    assert (refused["event_id"], refused["type"], refused["product_id"]) == (bad["id"], "product.upsert", "77")
    assert '"1,5"' in refused["errors"]["product"]["weight"]["value"][0] and refused["received_at"]
    text = CliRunner().invoke(products_command, ["--store", merchant_a["store_id"]], env=hub_environ(runtime))
    assert "Refused events" in text.output and bad["id"] in text.output


def test_echoed_values_are_cut_and_escaped(live_hub, merchant_a, logged_in: Browser) -> None:  # noqa: ANN001
    client = HubClient(live_hub.url, merchant_a["key_id"], merchant_a["secret"], max_retries=1, backoff=0.05)
    hostile = "<script>alert(1)</script>" + "x" * 500
    [result] = client.send_events([{"id": str(uuid.uuid4()), "type": "product.upsert",
                                    "product": {**_product("9"), "status": hostile}}])
    message = result["errors"]["product"]["status"][0]
    assert "<script>alert(1)</script>" in message and "x" * 100 not in message and "…" in message
    page = logged_in.get("/products/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    # What no database keeps (a NUL, a lone surrogate) is refused, and its trace is kept escaped.
    body = b'{"events": [{"id": "id\\u0000", "type": "product.upsert", "product": {"id": "p\\ud800"}}]}'
    response = raw_call(live_hub.url, merchant_a, "POST", "/api/v1/events", body)
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "rejected"
    page = logged_in.get("/products/").text
    assert "product p\\ud800" in page and "id\\u0000" in page


def test_the_trace_is_bounded_per_store(runtime, merchant_a) -> None:  # noqa: ANN001
    with runtime.db.session_scope() as session:
        for n in range(rejections.KEEP + 25):
            rejections.record(session, merchant_a["store_id"], {"id": f"e{n}", "type": "product.upsert",
                                                                 "product": {"id": str(n)}}, {"_event": ["bad"]})
    with runtime.db.session_scope() as session:
        kept = rejections.recent(session, [merchant_a["store_id"]], limit=10_000)
        assert len(kept) == rejections.KEEP
        assert kept[0]["event_id"] == f"e{rejections.KEEP + 24}"  # newest first; the oldest went
        assert session.query(RejectedEvent).count() == rejections.KEEP
