"""Audit policy (auto/manual) and signed webhooks received by a real HTTP receiver on loopback."""

import hashlib
import hmac
import json

from tests.sandbox.conftest import wait_until
from tests.sandbox.helpers import APP_KEY, APP_SECRET


def pid_of(event):
    return str(event["data"]["product_id"])


def test_auto_approve_emits_signed_webhooks(client, receiver, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "auto", "delay_seconds": 0.1})
    pid = client.call("POST", "/product/202309/products", body=tee_body()).data["product_id"]
    first = receiver.wait_for(lambda e: e["type"] == 5 and pid_of(e) == pid)[0]
    assert first["data"]["status"] == "PRODUCT_FIRST_PASS_REVIEW" and first["data"]["suspended_reason"] == ""
    events = [e for e in receiver.events if pid_of(e["json"]) == pid]
    assert all(e["valid"] for e in events)
    # Authorization = hex HMAC-SHA256(app_secret, app_key + raw body), no prefix
    e = events[0]
    assert e["authorization"] == hmac.new(APP_SECRET.encode(), APP_KEY.encode() + e["raw"], hashlib.sha256).hexdigest()
    types = [e["json"]["type"] for e in events]
    assert types[0] == 16 and 37 in types and types[-1] == 5
    audits = [e["json"]["data"]["audit"]["status"] for e in events if e["json"]["type"] == 37]
    assert audits == ["AUDITING", "APPROVED"]
    env = events[-1]["json"]
    assert set(env) == {"type", "tts_notification_id", "shop_id", "timestamp", "data"}
    assert env["shop_id"] == client.shop_id and isinstance(env["data"]["product_id"], int)
    assert client.call("GET", f"/product/202309/products/{pid}").data["status"] == "ACTIVATE"
    log = client.ctl("GET", "/webhooks").json["webhooks"]
    wait_until(lambda: all(w["status"] == "delivered" for w in client.ctl("GET", "/webhooks").json["webhooks"]))
    assert client.ctl("GET", "/state").json["webhooks_sent"] == len(log) >= 4


def test_auto_reject_on_prohibited_word(client, receiver, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "auto", "delay_seconds": 0.05, "reject_title_words": ["replica"]})
    pid = client.call("POST", "/product/202309/products",
                      body=tee_body(title="Designer Replica Logo T-shirt")).data["product_id"]
    ev = receiver.wait_for(lambda e: e["type"] == 5 and pid_of(e) == pid)[0]
    assert ev["data"]["status"] == "PRODUCT_AUDIT_FAILURE" and "replica" in ev["data"]["suspended_reason"]
    p = client.call("GET", f"/product/202309/products/{pid}").data
    assert p["status"] == "FAILED" and p["audit"]["status"] == "FAILED"
    assert p["audit_failed_reasons"][0]["listing_platform"] == "TIKTOK_SHOP"
    assert "replica" in p["audit_failed_reasons"][0]["reasons"][0]
    # fix and resubmit -> PENDING -> approved
    body = tee_body()
    r = client.call("PUT", f"/product/202309/products/{pid}", body=body)
    assert r.code == 0, r.json
    wait_until(lambda: client.call("GET", f"/product/202309/products/{pid}").data["status"] == "ACTIVATE")


def test_manual_review_and_information_change(client, receiver, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    pid = client.call("POST", "/product/202309/products", body=tee_body()).data["product_id"]
    assert client.ctl("GET", f"/products/{pid}").json["status"] == "PENDING"
    r = client.ctl("POST", f"/products/{pid}/review", {"decision": "reject", "reason": "Blurry main image"})
    assert r.json["status"] == "FAILED"
    ev = receiver.wait_for(lambda e: e["type"] == 5 and pid_of(e) == pid)[0]
    assert ev["data"]["suspended_reason"] == "Blurry main image"
    assert client.ctl("POST", f"/products/{pid}/review", {"decision": "approve"}).status == 409
    client.call("POST", f"/product/202309/products/{pid}/partial_edit", body={"description": "<p>Sharper photo.</p>"})
    client.ctl("POST", f"/products/{pid}/review", {"decision": "approve"})
    client.call("POST", f"/product/202309/products/{pid}/partial_edit", body={"title": "Men's Crew Neck Tee Black"})
    assert client.ctl("GET", f"/products/{pid}").json["under_review"]["title"] == "Men's Crew Neck Tee Black"
    client.ctl("POST", f"/products/{pid}/review", {"decision": "approve"})
    ev = receiver.wait_for(lambda e: e["type"] == 15 and pid_of(e) == pid)[0]
    assert ev["data"]["changed_fields"] == ["title"] and ev["data"]["change_source"] == "OPEN_API"


def test_switching_to_auto_reviews_waiting_products(client, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    pid = client.call("POST", "/product/202309/products", body=tee_body()).data["product_id"]
    client.ctl("PUT", "/review-policy", {"mode": "auto", "delay_seconds": 0.05})
    wait_until(lambda: client.ctl("GET", f"/products/{pid}").json["status"] == "ACTIVATE")


def test_platform_deactivation_webhook(client, receiver, tee_body):
    client.ctl("PUT", "/review-policy", {"mode": "manual"})
    pid = client.call("POST", "/product/202309/products", body=tee_body()).data["product_id"]
    client.ctl("POST", f"/products/{pid}/review", {"decision": "approve"})
    r = client.ctl("POST", f"/products/{pid}/status", {"status": "PLATFORM_DEACTIVATED", "reason": "IP complaint"})
    assert r.json["status"] == "PLATFORM_DEACTIVATED"
    ev = receiver.wait_for(lambda e: e["type"] == 5 and e["data"]["status"] == "PRODUCT_STATUS_CHANGED")[0]
    assert ev["data"]["suspended_reason"] == "IP complaint"


def test_failed_delivery_is_logged_and_retried(client, tee_body):
    client.ctl("PUT", "/webhook-url", {"url": "http://127.0.0.1:9/nothing-listens-here"})
    client.call("POST", "/product/202309/products", body=tee_body())
    wait_until(lambda: client.ctl("GET", "/webhooks").json["webhooks"][0]["status"] == "failed")
    first = client.ctl("GET", "/webhooks").json["webhooks"][0]
    assert len(first["attempts"]) == 2 and first["attempts"][0]["error"]
    assert json.loads(first["body"])["type"] == 16


def test_per_shop_event_subscription(client, receiver, tee_body):
    client.ctl("PUT", "/webhook-url", {"url": None})
    r = client.call("PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": "PRODUCT_CREATION"})
    assert r.code == 0
    hooks = client.call("GET", "/event/202309/webhooks").data
    assert hooks["total_count"] == 1 and hooks["webhooks"][0]["event_type"] == "PRODUCT_CREATION"
    pid = client.call("POST", "/product/202309/products", body=tee_body()).data["product_id"]
    receiver.wait_for(lambda e: e["type"] == 16 and pid_of(e) == pid)
    log = client.ctl("GET", "/webhooks").json["webhooks"]
    assert {w["type"]: w["status"] for w in log}[37] == "no_url"
