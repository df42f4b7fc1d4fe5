"""The connector registry: extension platforms built in, hosted connectors from a package entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.stores.connector import ExtensionConnector
from hub.stores.registry import ENTRY_POINT_GROUP, Registry

ROOT = Path(__file__).resolve().parents[2]


def _package(tmp_path: Path) -> dict[str, str]:
    """An installed distribution declaring the Fakeshop connector in the hub's entry point group."""
    info = tmp_path / "fakeshop_connector-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeshop-connector\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nfakeshop = tests.stores.fakeplatform.connector:build\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}", HUB_DATA_DIR=str(tmp_path / "var"),
               FAKESHOP_URL="https://fakeshop.example")
    return env


def test_a_connector_package_is_found_through_its_entry_point(tmp_path: Path) -> None:
    env = _package(tmp_path)
    script = ("from hub.stores.registry import load; r = load(); c = r.get('fakeshop');"
              "import json; print(json.dumps([c.label, c.kind, c.url, sorted(x.platform for x in r.all())]))")
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == ["Fakeshop", "hosted", "https://fakeshop.example",
                                      ["bigcommerce", "demo", "fakeshop", "magento2", "shopify", "woocommerce"]]


def test_hub_store_add_makes_extension_credentials_only(tmp_path: Path) -> None:
    env = _package(tmp_path)
    hub = [sys.executable, "-m", "hub.cli", "store", "add", "--name", "Acme"]
    refused = subprocess.run([*hub, "--platform", "fakeshop"], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode != 0 and "installing the app" in refused.stderr
    unknown = subprocess.run([*hub, "--platform", "amazon"], env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=60)
    assert unknown.returncode != 0 and "woocommerce" in unknown.stderr
    made = subprocess.run([*hub, "--platform", "woocommerce"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert made.returncode == 0, made.stderr
    assert set(json.loads(made.stdout)) >= {"store_id", "key_id", "secret"}


def test_the_registry_refuses_what_is_not_a_connector() -> None:
    registry = Registry()
    assert registry.get("woocommerce").label == "WooCommerce" and registry.get("magento2").option_word == "attributes"
    with pytest.raises(ValueError):
        registry.register(ExtensionConnector("Shop ify", "Shopify"))
    with pytest.raises(TypeError):
        registry.register(ExtensionConnector("shopify", "Shopify", kind="hosted"))
    with pytest.raises(TypeError):
        registry.register(object())  # type: ignore[arg-type]


def test_reasons_use_each_platforms_word_for_option_types() -> None:
    """A WooCommerce merchant edits "attributes", a Shopify merchant "options": the reason says which."""
    from hub.stores.registry import load
    from hub.sync.products import vocabulary

    registry = load()
    words = {c.platform: vocabulary.option_word(c.platform) for c in registry.all()}
    assert words["woocommerce"] == words["magento2"] == "attributes"
    assert words["shopify"] == words["bigcommerce"] == "options"
    assert all(words[c.platform] == c.option_word for c in registry.all())
