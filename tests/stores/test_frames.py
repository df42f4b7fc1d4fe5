"""Settings pages inside the platform's admin: no cookie needed, framed only by that store's admin,
scoped to that one store; standalone pages keep refusing every frame."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from hub.stores import framing
from tests.stores.conftest import World


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["frame"][0]


def test_install_from_the_stores_page_lands_on_the_framed_settings_page(world: World) -> None:
    page = world.install()
    assert urlsplit(page.url).path == "/" and "frame=" in page.url
    csp = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {world.platform.url};" in csp
    assert "X-Frame-Options" not in page.headers
    credential = world.credential()
    assert credential.status == "connected" and credential.access_token_encrypted
    assert not any(token in credential.access_token_encrypted for token in world.platform.tokens)
    [store] = [s for s in world.stores() if s.platform == "fakeshop"]
    assert store.merchant_id == world.merchant_id and store.id == credential.store_id


def test_the_admin_page_works_with_no_cookie_at_all(world: World) -> None:
    world.install()
    bare = requests.Session()  # a third-party iframe: the browser sends and keeps no cookie
    admin = world.platform.admin_page("acme", f"{world.hub_url}/stores/fakeshop/app")
    page = bare.get(admin, timeout=10, allow_redirects=False)
    assert page.status_code == 302
    landing = bare.get(world.hub_url + page.headers["Location"], timeout=10, cookies={})
    assert landing.status_code == 200 and "Overview" in landing.text
    assert "Set-Cookie" not in landing.headers and not bare.cookies
    # Every link on the page carries a fresh token, so the merchant can move around without a cookie.
    products_link = next(part.split('"')[0] for part in landing.text.split('href="') if part.startswith("/products/"))
    products = requests.get(world.hub_url + products_link, timeout=10)
    assert products.status_code == 200 and "Products" in products.text and "Log in" not in products.text
    assert f"frame-ancestors {world.platform.url};" in products.headers["Content-Security-Policy"]


def test_a_form_posted_in_the_frame_is_csrf_checked_and_its_flash_message_shows(world: World) -> None:
    world.install()
    framed = requests.Session()
    landing = framed.get(world.platform.admin_page("acme", f"{world.hub_url}/stores/fakeshop/app"), timeout=10)
    settings = framed.get(f"{world.hub_url}/settings/?frame={_token(landing.url)}", timeout=10)
    csrf = settings.text.split('name="csrf_token" value="')[1].split('"')[0]
    action = settings.text.split('action="/settings/listing?')[1].split('"')[0].replace("&amp;", "&")
    assert action.startswith("frame=")
    forged = framed.post(f"{world.hub_url}/settings/listing?{action}", data={"daily_listing_cap": "150"}, timeout=10)
    assert forged.status_code == 400 and "The form expired" in forged.text
    saved = framed.post(f"{world.hub_url}/settings/listing?{action}",
                        data={"csrf_token": csrf, "daily_listing_cap": "150"}, timeout=10)
    assert saved.status_code == 200 and "Saved." in saved.text and "frame=" in saved.url
    assert not framed.cookies and "Set-Cookie" not in saved.headers


def test_standalone_pages_still_refuse_every_frame(world: World) -> None:
    browser = world.browser()
    page = browser.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "SameSite=Lax" in browser.http.get(world.hub_url + "/login").headers.get("Set-Cookie", "SameSite=Lax")


def test_the_framed_page_shows_only_its_own_store(world: World) -> None:
    from tests.conftest import add_store

    other = add_store(world.runtime, platform="woocommerce", name="Acme WooCommerce shop", merchant=world.merchant_id)
    stranger = add_store(world.runtime, platform="woocommerce", name="Stranger's shop", merchant="Someone Else")
    landing = world.install()
    token = _token(landing.url)
    stores = requests.get(f"{world.hub_url}/stores/?frame={token}", timeout=10)
    assert "acme (Fakeshop)" in stores.text
    assert "Acme WooCommerce shop" not in stores.text and "Stranger" not in stores.text
    assert "Add a store" not in stores.text
    for store_id in (other["store_id"], stranger["store_id"]):
        assert requests.get(f"{world.hub_url}/categories/?store={store_id}&frame={token}", timeout=10).status_code == 404
        assert requests.get(f"{world.hub_url}/products/{store_id}/1?frame={token}", timeout=10).status_code == 404
    activity = requests.get(f"{world.hub_url}/activity/?frame={token}", timeout=10).text
    assert "Acme WooCommerce shop" not in activity


def test_expired_tampered_and_ended_tokens_are_refused(world: World, monkeypatch) -> None:  # noqa: ANN001
    landing = world.install()
    token = _token(landing.url)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = requests.get(f"{world.hub_url}/?frame={tampered}", timeout=10)
    assert refused.status_code == 401 and "Overview" not in refused.text
    assert "frame-ancestors 'none'" in refused.headers["Content-Security-Policy"]

    monkeypatch.setattr(framing, "TOKEN_SECONDS", -1)  # every token is past its age now
    expired = requests.get(f"{world.hub_url}/?frame={token}", timeout=10)
    assert expired.status_code == 401 and "left open too long" in expired.text
    monkeypatch.undo()
    assert requests.get(f"{world.hub_url}/?frame={token}", timeout=10).status_code == 200

    world.platform.uninstall("acme")
    world.wait(lambda: world.credential().status == "uninstalled", "uninstalled")
    ended = requests.get(f"{world.hub_url}/?frame={token}", timeout=10)
    assert ended.status_code == 401 and "has ended" in ended.text


def test_connect_tiktok_opens_in_a_new_window_from_the_frame(world: World) -> None:
    landing = world.install()
    assert 'action="/tiktok/connect?frame=' in landing.text
    form = landing.text.split('action="/tiktok/connect?frame=')[1].split(">")[0]
    assert 'target="_blank"' in form
    standalone = world.browser().get("/")
    assert 'target="_blank"' not in standalone.text.split('action="/tiktok/connect"')[1].split(">")[0]
