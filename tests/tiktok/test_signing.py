"""Request and webhook signatures: the documented vector, and vectors computed independently here."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

from hub.tiktok.signing import sign, webhook_signature, webhook_signature_valid

ROOT = Path(__file__).resolve().parents[2]


def independent_sign(secret: str, path: str, params: list[tuple[str, str]], body: bytes = b"") -> str:
    """Written from tiktok-shop-api.md §2.1 without the hub's code: a second opinion on every vector."""
    keep = [(k, v) for k, v in params if k not in ("sign", "access_token")]
    keep.sort(key=lambda kv: kv[0].encode())
    text = path + "".join(k + v for k, v in keep)
    message = secret.encode() + text.encode() + body + secret.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_documented_vector_a() -> None:
    assert sign("e59af819cc", "/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"},
                None) == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_json_body_is_signed_byte_for_byte() -> None:
    body = b'{"product_ids":["1729592969712207008"],"listing_platforms":["TIKTOK_SHOP"]}'
    query = {"app_key": "6a8shopsync", "timestamp": "1700000000", "shop_cipher": "ROW_abc"}
    expected = independent_sign("s3cr3t", "/product/202309/products/activate", list(query.items()), body)
    assert sign("s3cr3t", "/product/202309/products/activate", query, body) == expected
    # The same JSON with other spacing is a different signature: TikTok signs bytes, not meaning.
    respaced = b'{"product_ids": ["1729592969712207008"], "listing_platforms": ["TIKTOK_SHOP"]}'
    assert sign("s3cr3t", "/product/202309/products/activate", query, respaced) != expected


def test_keys_sort_by_bytes_and_sign_and_access_token_are_left_out() -> None:
    query = {"timestamp": "1700000000", "app_key": "k", "Zeta": "1", "alpha": "2", "page_token": "a+b/c=",
             "sign": "old", "access_token": "legacy"}
    expected = independent_sign("x", "/order/202309/orders/search", list(query.items()))
    assert sign("x", "/order/202309/orders/search", query, b"") == expected
    # "Zeta" sorts before "alpha" (upper-case letters come first in byte order).
    assert expected == independent_sign("x", "/order/202309/orders/search",
                                        [("Zeta", "1"), ("alpha", "2"), ("app_key", "k"),
                                         ("page_token", "a+b/c="), ("timestamp", "1700000000")])


def test_multipart_body_is_not_signed() -> None:
    query = {"app_key": "k", "timestamp": "1700000000"}
    with_body = sign("x", "/product/202309/images/upload", query, b"--boundary\r\n...", multipart=True)
    assert with_body == independent_sign("x", "/product/202309/images/upload", list(query.items()))


def test_webhook_signature_matches_an_independent_hmac() -> None:
    raw = b'{"type":5,"tts_notification_id":"7327112393057371910","data":{"product_id":576486316948490000}}'
    expected = hmac.new(b"appsecret", b"appkey" + raw, hashlib.sha256).hexdigest()
    assert webhook_signature("appkey", "appsecret", raw) == expected
    assert webhook_signature_valid("appkey", "appsecret", raw, expected)
    assert not webhook_signature_valid("appkey", "appsecret", raw + b" ", expected)
    assert not webhook_signature_valid("appkey", "othersecret", raw, expected)
    assert not webhook_signature_valid("appkey", "appsecret", raw, None)


def test_signing_module_imports_without_flask_or_the_hub() -> None:
    code = ("import sys; import hub.tiktok.signing as s; "
            "bad = [m for m in sys.modules if m == 'flask' or m.startswith('flask.') or "
            "(m.startswith('hub.') and m not in ('hub.tiktok', 'hub.tiktok.signing'))]; "
            "print(bad); assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
