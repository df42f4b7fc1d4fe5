"""Seller authorization page and the token endpoints (docs/tiktok-api.md)."""

from __future__ import annotations

import html
import time
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from flask import Response, redirect, request

from . import ids
from .errors import MSG_BAD_APP_KEY, ApiError

AUTH_CODE_TTL = 30 * 60


def mint_auth_code(state, shop_id: str | None = None) -> str:
    shop_id = shop_id or state.default_shop_id
    if shop_id not in state.shops:
        raise KeyError(shop_id)
    code = ids.auth_code()
    state.auth_codes[code] = {"shop_ids": [shop_id], "expires_at": time.time() + AUTH_CODE_TTL, "used": False}
    return code


def issue_tokens(state, shop_ids: list[str], refresh_token: str | None = None) -> dict:
    now = time.time()
    pol = state.token_policy
    access = ids.token("ROW_")
    access_exp = now + pol.access_token_ttl
    if refresh_token is None:
        refresh_token = ids.token("ROW_", 48)
        state.refresh_tokens[refresh_token] = {"shop_ids": list(shop_ids),
                                               "expires_at": now + pol.refresh_token_ttl}
    refresh = state.refresh_tokens[refresh_token]
    state.access_tokens[access] = {"shop_ids": list(shop_ids), "expires_at": access_exp,
                                   "scopes": list(pol.granted_scopes), "refresh_token": refresh_token}
    shop = state.shops[shop_ids[0]]
    return {
        "access_token": access,
        "access_token_expire_in": int(access_exp),
        "refresh_token": refresh_token,
        "refresh_token_expire_in": int(refresh["expires_at"]),
        "open_id": shop.get("open_id", "7010736057180325637"),
        "seller_name": shop.get("seller_name", shop["name"]),
        "seller_base_region": shop["region"],
        "user_type": 0,
        "granted_scopes": list(pol.granted_scopes),
    }


def _with_query(url: str, params: dict) -> str:
    parts = urlsplit(url)
    q = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), parts.fragment))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize app - TikTok Shop (sandbox)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;color:#161823}}
.card{{border:1px solid #ddd;border-radius:8px;padding:1.5rem}}button{{font-size:1rem;padding:.6rem 1.4rem;
border-radius:4px;border:0;margin-right:.5rem;cursor:pointer}}.ok{{background:#fe2c55;color:#fff}}
.no{{background:#eee}}code{{background:#f4f4f4;padding:.1rem .3rem}}li{{margin:.2rem 0}}</style></head>
<body><div class="card"><h1>TikTok Shop &mdash; authorize app</h1>
<p><strong>{app}</strong> is requesting access to your shop:</p>
<form method="post" action="{action}">
<p><label>Shop <select name="shop_id">{shops}</select></label></p>
<p>It will be able to:</p><ul>{scopes}</ul>
<input type="hidden" name="state" value="{state}"><input type="hidden" name="redirect_uri" value="{redirect_uri}">
<input type="hidden" name="app_key" value="{app_key}"><input type="hidden" name="service_id" value="{service_id}">
<button class="ok" type="submit" name="action" value="authorize" id="authorize">Authorize</button>
<button class="no" type="submit" name="action" value="deny" id="deny">Cancel</button>
</form><p style="color:#888;font-size:.8rem">Local TikTok Shop sandbox. Redirects to
<code>{redirect_display}</code>.</p></div></body></html>"""

DONE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorized (sandbox)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto">
<h1>Authorized</h1><p>No redirect URL was given. Authorization code:</p>
<p><code id="code">{code}</code></p><p>state: <code>{state}</code></p></body></html>"""


def register_auth(app, runtime):
    def token_error(err: ApiError):
        from .app import error_response
        return error_response(err)

    def count_and_fault(template):
        from .app import apply_fault_before
        with runtime.lock:
            runtime.state.calls[f"GET {template}"] += 1
        return apply_fault_before(runtime, "GET", template, template)

    def finish(resp_data, lost):
        from .app import envelope
        resp = envelope(0, "success", resp_data)
        if lost:
            request.environ["sandbox.drop_connection"] = True
        return resp

    def check_token_request(q, grant_type: str) -> None:  # noqa: ANN001
        """The checks both token endpoints make, in TikTok's order, with its codes."""
        if q.get("app_key") != runtime.app_key:
            raise ApiError(36009004, MSG_BAD_APP_KEY, http_status=400)
        if q.get("app_secret") != runtime.app_secret:
            raise ApiError(36009004, "Invalid credentials. The `app_secret` query parameter is invalid.",
                           http_status=401)
        if q.get("grant_type") != grant_type:
            raise ApiError(36009004, "invalid param error", http_status=400)

    @app.route("/api/v2/token/get", methods=["GET"])
    def token_get():
        fault, lost = count_and_fault("/api/v2/token/get")
        if fault is not None:
            return fault
        q = request.args
        try:
            check_token_request(q, "authorized_code")
            with runtime.lock:
                state = runtime.state
                entry = state.auth_codes.get(q.get("auth_code", ""))
                if entry is None or entry["used"] or entry["expires_at"] < time.time():
                    raise ApiError(36004004)
                entry["used"] = True
                data = issue_tokens(state, entry["shop_ids"])
        except ApiError as err:
            return token_error(err)
        return finish(data, lost)

    @app.route("/api/v2/token/refresh", methods=["GET"])
    def token_refresh():
        fault, lost = count_and_fault("/api/v2/token/refresh")
        if fault is not None:
            return fault
        q = request.args
        try:
            check_token_request(q, "refresh_token")
            with runtime.lock:
                state = runtime.state
                rt = q.get("refresh_token", "")
                entry = state.refresh_tokens.get(rt)
                if entry is None:
                    raise ApiError(36004004, "Invalid refresh token.")
                if entry["expires_at"] <= time.time():
                    raise ApiError(105002)
                if state.token_policy.refresh_rotates:
                    del state.refresh_tokens[rt]
                    data = issue_tokens(state, entry["shop_ids"])
                else:
                    data = issue_tokens(state, entry["shop_ids"], refresh_token=rt)
        except ApiError as err:
            return token_error(err)
        return finish(data, lost)

    def authorize_page():
        src = request.values
        app_key = src.get("app_key", "")
        service_id = src.get("service_id", "")
        configured_service = runtime.options.get("service_id")
        if not app_key and not service_id:
            return Response("Missing app_key or service_id.", status=400, mimetype="text/plain")
        # TikTok's current link (services host, /open/authorize) takes service_id; the legacy link (auth
        # host, /oauth/authorize) takes app_key. The sandbox serves both hosts' paths on one address.
        if request.path == "/open/authorize" and not service_id:
            return Response("Missing service_id: the app-key link is /oauth/authorize on the auth host.",
                            status=400, mimetype="text/plain")
        if request.path == "/oauth/authorize" and not app_key:
            return Response("Missing app_key: the service-id link is /open/authorize on the services host.",
                            status=400, mimetype="text/plain")
        if app_key and app_key != runtime.app_key:
            return Response("Unknown app_key.", status=400, mimetype="text/plain")
        if service_id and configured_service and service_id != configured_service:
            return Response("Unknown service_id.", status=400, mimetype="text/plain")
        state_param = src.get("state", "")
        redirect_uri = src.get("redirect_uri") or runtime.options.get("redirect_url") or ""
        if request.method == "POST":
            action = src.get("action", "authorize")
            if action != "authorize":
                if not redirect_uri:
                    return Response("Authorization cancelled.", mimetype="text/plain")
                return redirect(_with_query(redirect_uri, {"code": "null", "error": "auth_denied",
                                                           "state": state_param}), code=302)
            with runtime.lock:
                try:
                    code = mint_auth_code(runtime.state, src.get("shop_id") or None)
                except KeyError:
                    return Response("Unknown shop.", status=400, mimetype="text/plain")
            if not redirect_uri:
                return Response(DONE.format(code=html.escape(code), state=html.escape(state_param)),
                                mimetype="text/html")
            return redirect(_with_query(redirect_uri, {"code": code, "state": state_param}), code=302)
        with runtime.lock:
            shops = "".join(f'<option value="{html.escape(s["id"])}">{html.escape(s["name"])} '
                            f'({html.escape(s["region"])})</option>' for s in runtime.state.shops.values())
            scopes = "".join(f"<li><code>{html.escape(s)}</code></li>"
                             for s in runtime.state.token_policy.granted_scopes)
        page = PAGE.format(app=html.escape(runtime.options.get("app_name") or f"App {app_key or service_id}"),
                           action=html.escape(request.path), shops=shops, scopes=scopes,
                           state=html.escape(state_param), redirect_uri=html.escape(redirect_uri),
                           app_key=html.escape(app_key), service_id=html.escape(service_id),
                           redirect_display=html.escape(redirect_uri or "(none: the code is shown)"))
        return Response(page, mimetype="text/html")

    for rule in ("/open/authorize", "/oauth/authorize"):
        app.add_url_rule(rule, endpoint="authorize" + rule.replace("/", "_"), view_func=authorize_page,
                         methods=["GET", "POST"])
