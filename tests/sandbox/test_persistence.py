"""`--state-file`: a restarted sandbox keeps shops, products and orders, so a resumed demo finds them."""

from __future__ import annotations

from sandbox import persistence
from sandbox.app import create_app


def test_state_survives_a_restart(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "sandbox.state"
    first = create_app("key", "secret")
    client = first.test_client()
    assert client.put("/sandbox/shop", json={"currency": "EUR", "daily_listing_cap": 7}).status_code == 200
    code = client.post("/sandbox/oauth/code", json={}).get_json()["code"]
    persistence.save(first.extensions["tiktok_sandbox"], path)
    first.extensions["tiktok_sandbox"].close()

    second = create_app("key", "secret")
    assert persistence.load(second.extensions["tiktok_sandbox"], path)
    state = second.test_client().get("/sandbox/state").get_json()
    shop = state["shops"][0]
    assert shop["currency"] == "EUR" and shop["settings"]["daily_listing_cap"] == 7
    assert code  # minted before the restart
    second.extensions["tiktok_sandbox"].close()


def test_missing_state_file_starts_fresh(tmp_path) -> None:  # noqa: ANN001
    app = create_app("key", "secret")
    assert persistence.load(app.extensions["tiktok_sandbox"], tmp_path / "none") is False
    app.extensions["tiktok_sandbox"].close()
