"""A small independent TikTok client for the sandbox tests (signs with its own code, not the
sandbox's, so the tests check the sandbox against the algorithm in tiktok-shop-api.md §2.1)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import time
import uuid
from urllib.parse import quote, urlsplit

APP_KEY = "6a1b2c3d4e5f6"
APP_SECRET = "0f9e8d7c6b5a49382716a5b4c3d2e1f0a9b8c7d6"


def sign(secret: str, path: str, params: dict, body: bytes = b"") -> str:
    if body.strip() in (b"{}", b"[]"):
        body = b""  # TikTok's own signing code (official Node SDK, generate-sign.ts) skips a body without keys
    keys = sorted(k for k in params if k not in ("sign", "access_token"))
    base = path + "".join(f"{k}{params[k]}" for k in keys)
    msg = secret.encode() + base.encode() + body + secret.encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


class Resp:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.json = json.loads(raw) if raw else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return self.json["code"]

    @property
    def data(self):
        return self.json["data"]

    @property
    def message(self):
        return self.json["message"]

    def __repr__(self):
        return f"<Resp {self.status} {self.raw[:300]!r}>"


def do_http(base_url, method, path_qs, body=None, headers=None, timeout=10.0) -> Resp:
    u = urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.putrequest(method, path_qs, skip_accept_encoding=True)
        hdrs = list((headers or {}).items()) if isinstance(headers, dict) else list(headers or [])
        for k, v in hdrs:
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return Resp(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


class Client:
    def __init__(self, base_url, app_key=APP_KEY, app_secret=APP_SECRET):
        self.base = base_url
        self.app_key = app_key
        self.app_secret = app_secret
        self.token = None
        self.cipher = None

    # -- control API --
    def ctl(self, method, path, body=None):
        raw = json.dumps(body).encode() if body is not None else None
        r = do_http(self.base, method, "/sandbox" + path, raw, {"Content-Type": "application/json"} if raw else {})
        return r

    # -- auth --
    def connect(self, shop_id=None):
        code = self.ctl("POST", "/oauth/code", {"shop_id": shop_id} if shop_id else {}).json["code"]
        r = do_http(self.base, "GET", "/api/v2/token/get?" + "&".join(
            f"{k}={quote(v, safe='')}" for k, v in {"app_key": self.app_key, "app_secret": self.app_secret,
                                                     "auth_code": code, "grant_type": "authorized_code"}.items()))
        assert r.code == 0, r
        self.token = r.data["access_token"]
        self.refresh_token = r.data["refresh_token"]
        shops = self.call("GET", "/authorization/202309/shops", shop=False)
        assert shops.code == 0, shops
        self.cipher = shops.data["shops"][0]["cipher"]
        self.shop_id = shops.data["shops"][0]["id"]
        return self

    def call(self, method, path, query=None, body=None, *, shop=True, token=None, timestamp=None,
             content_type="application/json", tamper=None, headers=None, raw_body=None, timeout=10.0) -> Resp:
        params = {"app_key": self.app_key, "timestamp": str(int(time.time()) if timestamp is None else timestamp)}
        if shop:
            params["shop_cipher"] = self.cipher
        for k, v in (query or {}).items():
            params[k] = str(v)
        if raw_body is not None:
            raw = raw_body
        elif body is not None:
            raw = json.dumps(body, separators=(",", ":")).encode()
        else:
            raw = b""
        params["sign"] = sign(self.app_secret, path, params, raw)
        if tamper:
            tamper(params)
        qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
        hdrs = {"x-tts-access-token": token if token is not None else (self.token or "")}
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        return do_http(self.base, method, f"{path}?{qs}", raw if (raw or method != "GET") else None, hdrs,
                    timeout=timeout)

    def upload(self, path, data: bytes, fields: dict, filename="image.png", shop=False):
        boundary = uuid.uuid4().hex
        buf = io.BytesIO()
        for k, v in fields.items():
            buf.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode())
        buf.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{filename}\"\r\n"
                  f"Content-Type: application/octet-stream\r\n\r\n".encode())
        buf.write(data)
        buf.write(f"\r\n--{boundary}--\r\n".encode())
        params = {"app_key": self.app_key, "timestamp": str(int(time.time()))}
        if shop:
            params["shop_cipher"] = self.cipher
        params["sign"] = sign(self.app_secret, path, params, b"")  # multipart body is not signed
        qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return do_http(self.base, "POST", f"{path}?{qs}", buf.getvalue(),
                    {"x-tts-access-token": self.token, "Content-Type": f"multipart/form-data; boundary={boundary}"})


def png_bytes(w=800, h=800, color=(200, 30, 30)) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (w, h), color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(w=800, h=800) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (w, h), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def ean13(prefix12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(prefix12))
    return prefix12 + str((10 - total % 10) % 10)
