"""The single-click app's callbacks, driven as BigCommerce's control panel drives them: `/auth` (scopes
checked, code exchanged, token encrypted at rest), `/load` (the settings page inside the iframe, no
cookie), `/uninstall` and `/remove_user`, with `signed_payload_jwt` minted by PyJWT as BigCommerce does.
Tampered, expired, wrong-issuer and wrong-audience payloads are refused and open nothing."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import jwt
import requests
from sqlalchemy import select

from hub.models import Store
from tests.bigcommerce.conftest import CLIENT_SECRET, EMAIL, STORE, World


def test_install_exchanges_the_code_stores_the_token_encrypted_and_opens_the_framed_settings_page(world: World) -> None:
    page = world.install()
    assert urlsplit(page.url).path == "/" and "frame=" in page.url and "Overview" in page.text
    assert f"frame-ancestors {world.fake.admin_origin}" in page.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in page.headers
    credential = world.credential()
    assert credential.status == "connected" and credential.access_token_encrypted
    [token] = [t for t, h in world.fake.tokens.items() if h == STORE]
    assert token not in credential.access_token_encrypted
    assert world.runtime.secrets.decrypt(credential.access_token_encrypted) == token
    assert set(credential.scopes or []) >= {"store_v2_products_read_only", "store_v2_orders",
                                            "store_v2_information_read_only"}
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, credential.store_id)
        assert store is not None and store.platform == "bigcommerce" and store.name == "Acme Tees"
        # Installed from the control panel, not from a hub login: a merchant of its own.
        assert store.merchant_id != world.merchant_id


def test_an_install_approved_without_a_needed_scope_is_refused_and_installs_nothing(world: World) -> None:
    url = world.fake.install_url(STORE, scope="store_v2_products_read_only store_v2_information_read_only")
    page = requests.get(url, timeout=10)
    assert page.status_code == 400 and "store_v2_orders" in page.text and "approve" in page.text
    assert not [t for t, h in world.fake.tokens.items() if h == STORE]  # the code was never exchanged
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(Store).where(Store.platform == "bigcommerce")) is None


def test_a_forged_auth_callback_changes_nothing(world: World) -> None:
    page = requests.get(f"{world.hub_url}/stores/bigcommerce/auth", params={
        "code": "made-up", "context": f"stores/{STORE}", "scope": world.fake.granted_scopes}, timeout=10)
    assert page.status_code == 502 and "did not complete" in page.text
    with world.runtime.db.session_scope() as session:
        assert session.scalar(select(Store).where(Store.platform == "bigcommerce")) is None


def test_load_opens_the_settings_page_for_that_store_in_the_iframe(world: World) -> None:
    world.install()
    bare = requests.Session()  # the control panel's iframe: no cookie is sent or kept
    page = bare.get(world.fake.load_url(STORE), timeout=10)
    assert page.status_code == 200 and "Overview" in page.text and "frame=" in page.url
    assert not bare.cookies
    stores = bare.get(f"{world.hub_url}/stores/", params={"frame": page.url.split("frame=")[1]}, timeout=10)
    assert "Acme Tees" in stores.text and "Other Tees" not in stores.text and "Add a store" not in stores.text


def test_tampered_expired_wrong_issuer_and_wrong_audience_payloads_are_refused(world: World) -> None:
    world.install()
    good = world.fake.signed_payload(STORE)
    header, claims, signature = good.split(".")
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    other_store_claims = jwt.decode(good, options={"verify_signature": False})
    other_store_claims["sub"] = "stores/other9"
    forged = {
        "tampered signature": f"{header}.{claims}.{flipped}",
        "claims changed after signing": jwt.encode(other_store_claims, "not-the-apps-secret-0123456789abcdef", algorithm="HS256"),
        "expired": world.fake.signed_payload(STORE, issued_at=time.time() - 2 * 86400),
        "wrong issuer": world.fake.signed_payload(STORE, issuer="not-bc"),
        "wrong audience": world.fake.signed_payload(STORE, audience="another-apps-client-id"),
        "signed with another secret": world.fake.signed_payload(STORE, secret="another-apps-client-secret-0123456789"),
        "unsigned": jwt.encode({**other_store_claims, "sub": f"stores/{STORE}"}, None, algorithm="none"),
    }
    for what, token in forged.items():
        for callback in ("load", "uninstall", "remove_user"):
            page = requests.get(f"{world.hub_url}/stores/bigcommerce/{callback}",
                                params={"signed_payload_jwt": token}, timeout=10, allow_redirects=False)
            assert page.status_code == 401, (what, callback, page.status_code)
            assert "frame=" not in page.headers.get("Location", "")
    assert world.credential().status == "connected"  # no forged uninstall went through
    assert requests.get(f"{world.hub_url}/stores/bigcommerce/load", timeout=10).status_code == 401
    # The genuine one still works, once: a load link is not a reusable key to the settings page.
    url = world.fake.load_url(STORE)
    assert requests.get(url, timeout=10, allow_redirects=False).status_code == 302
    assert requests.get(url, timeout=10, allow_redirects=False).status_code == 401
    assert CLIENT_SECRET not in requests.get(url, timeout=10).text


def test_load_for_a_store_that_never_installed_opens_nothing(world: World) -> None:
    page = requests.get(world.fake.load_url("other9"), timeout=10, allow_redirects=False)
    assert page.status_code == 403 and "frame=" not in page.headers.get("Location", "")


def test_uninstall_callback_removes_the_token_deletes_the_hooks_and_ends_the_frames(world: World) -> None:
    world.installed()
    landing = world.install()  # a framed page open in the control panel
    answer = world.fake.uninstall(STORE)
    assert answer.status_code == 200 and answer.json()["status"] == "uninstalled"
    credential = world.credential()
    assert credential.status == "uninstalled" and credential.access_token_encrypted is None
    assert world.fake.stores[STORE].hooks == {}
    deletes = [c for _, c, s in world.fake.app_calls(STORE) if c.startswith("DELETE /v3/hooks/") and s == 200]
    assert len(deletes) == 14  # the app deleted its own hooks before BigCommerce revoked the token
    ended = requests.get(landing.url, timeout=10)
    assert ended.status_code == 401
    # The app/uninstalled webhook that follows is taken (200) and changes nothing more.
    assert all(d.status == 200 for d in world.fake.deliveries if d.scope == "store/app/uninstalled")


def test_remove_user_is_answered(world: World) -> None:
    world.install()
    page = requests.get(f"{world.hub_url}/stores/bigcommerce/remove_user",
                        params={"signed_payload_jwt": world.fake.signed_payload(STORE, user_id=555, email="x@y.example")},
                        timeout=10)
    assert page.status_code == 200 and page.json() == {"status": "ok"}
    assert world.credential().status == "connected"


def test_install_started_on_the_stores_page_joins_the_merchant_whose_login_is_the_accounts_email(world: World) -> None:
    browser = world.browser()
    started = browser.post_form("/stores/", "/stores/install/bigcommerce", {"shop": STORE}, allow_redirects=False)
    assert started.status_code == 303
    assert started.headers["Location"] == f"{world.fake.login_url}/app/{world.connector.config.app_id}/install"
    world.fake.sign_in(STORE)  # the merchant signs in to BigCommerce and approves the app there
    landed = requests.get(started.headers["Location"], timeout=10)
    assert landed.status_code == 200 and "frame=" in landed.url
    with world.runtime.db.session_scope() as session:
        store = session.get(Store, world.store_id())
        assert store is not None and store.merchant_id == world.merchant_id
    # A store whose BigCommerce account is someone else's does not join, even when typed here.
    browser.post_form("/stores/", "/stores/install/bigcommerce", {"shop": "other9"}, allow_redirects=False)
    world.fake.sign_in("other9")
    requests.get(f"{world.fake.login_url}/app/{world.connector.config.app_id}/install", timeout=10)
    with world.runtime.db.session_scope() as session:
        stranger = session.get(Store, world.store_id("other9"))
        assert stranger is not None and stranger.merchant_id != world.merchant_id
    assert EMAIL == world.fake.stores[STORE].owner_email


def test_a_store_hash_that_is_not_one_is_refused_on_the_stores_page(world: World) -> None:
    browser = world.browser()
    page = browser.post_form("/stores/", "/stores/install/bigcommerce", {"shop": "not a hash!"})
    assert page.status_code == 422 and "store hash" in page.text
