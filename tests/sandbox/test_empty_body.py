"""A JSON body without keys is verified the way TikTok's own signing code builds it: left out.

The official Node SDK (`utils/generate-sign.ts`) appends the body to the string to sign only when it
has keys, so a client that signs `{}` disagrees with TikTok about the signature.
"""

import hashlib
import hmac
import time
from urllib.parse import quote

from tests.sandbox.helpers import APP_SECRET, do_http

PATH = "/product/202502/products/search"


def _raw_sign(params: dict, body: bytes) -> str:
    keys = sorted(k for k in params if k not in ("sign", "access_token"))
    base = PATH + "".join(f"{k}{params[k]}" for k in keys)
    message = APP_SECRET.encode() + base.encode() + body + APP_SECRET.encode()
    return hmac.new(APP_SECRET.encode(), message, hashlib.sha256).hexdigest()


def _post(client, body: bytes, signed_body: bytes):
    params = {"app_key": client.app_key, "timestamp": str(int(time.time())), "shop_cipher": client.cipher,
              "page_size": "5"}
    params["sign"] = _raw_sign(params, signed_body)
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return do_http(client.base, "POST", f"{PATH}?{query}", body,
                   {"x-tts-access-token": client.token, "Content-Type": "application/json"})


def test_an_empty_object_signed_as_sent_is_refused(client):
    r = _post(client, b"{}", signed_body=b"{}")
    assert (r.status, r.json["code"]) == (401, 106001)


def test_an_empty_object_left_out_of_the_signature_is_accepted(client):
    assert _post(client, b"{}", signed_body=b"").json["code"] == 0


def test_a_body_with_keys_is_signed_byte_for_byte(client):
    body = b'{"status":"ALL"}'
    assert _post(client, body, signed_body=body).json["code"] == 0
    assert _post(client, body, signed_body=b"").json["code"] == 106001
