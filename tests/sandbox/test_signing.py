import hashlib
import hmac

from sandbox.signing import compute_sign, string_to_sign, webhook_signature
from tests.sandbox.helpers import sign as client_sign


def test_vector_a_from_the_doc():
    params = {"app_key": "29a39d", "timestamp": "1623812664"}
    assert string_to_sign("e59af819cc", "/authorization/202309/shops", params) == \
        b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"
    expected = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    assert compute_sign("e59af819cc", "/authorization/202309/shops", params) == expected
    assert client_sign("e59af819cc", "/authorization/202309/shops", params) == expected


def test_sign_and_access_token_are_excluded_and_keys_sorted():
    p1 = {"timestamp": "1", "app_key": "k", "shop_cipher": "c", "sign": "x", "access_token": "t"}
    p2 = {"app_key": "k", "shop_cipher": "c", "timestamp": "1"}
    assert compute_sign("s", "/p", p1) == compute_sign("s", "/p", p2)


def test_body_is_signed_for_json_but_not_for_multipart():
    body = b'{"title":"x"}'
    params = {"app_key": "k", "timestamp": "1"}
    independent = hmac.new(b"s", b"s/product/202309/productsapp_keyktimestamp1" + body + b"s",
                           hashlib.sha256).hexdigest()
    assert compute_sign("s", "/product/202309/products", params, body) == independent
    assert compute_sign("s", "/x", params, body, "multipart/form-data; boundary=abc") == \
        compute_sign("s", "/x", params, b"")


def test_values_are_signed_decoded():
    token = "6AsPQs+7D1ud/N5M1k=="
    assert compute_sign("s", "/order/202309/orders/search", {"page_token": token}) == hmac.new(
        b"s", b"s/order/202309/orders/searchpage_token" + token.encode() + b"s", hashlib.sha256).hexdigest()


def test_webhook_signature_formula():
    raw = b'{"type":1,"shop_id":"7494049642642441621","data":{}}'
    assert webhook_signature("appk", "secret", raw) == hmac.new(b"secret", b"appk" + raw, hashlib.sha256).hexdigest()
