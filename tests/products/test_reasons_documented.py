"""docs/troubleshooting.md lists every reason the hub can show, and only those.

The product reasons (hub.sync.products.reasons) and the order reasons (hub.sync.orders.reasons) are
the registries; the page is checked against them both ways, and the product code is scanned for
reason codes that were used without being registered.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub.sync.orders import reasons as order_reasons
from hub.sync.products import reasons

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")

# Errors of a command or an internal hand-off, never a product's reason: the CLI prints them, a job
# retries on them.
NOT_PRODUCT_REASONS = {"invalid_request", "store_unknown", "store_not_found", "unknown_location", "unknown_store",
                       "stock_push_busy", "link_not_ready", "link_unknown", "link_bad_pick"}


def section(title: str) -> str:
    start = PAGE.index(f"\n## {title}\n")
    end = PAGE.find("\n## ", start + 1)
    return PAGE[start:end if end > 0 else len(PAGE)]


def first_cell_codes(text: str, pattern: str) -> set[str]:
    found = set()
    for line in text.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cell = line.split("|")[1]
        found.update(re.findall(rf"`({pattern})`", cell))
    return found


def test_every_product_reason_is_on_the_page() -> None:
    products = section("Products")
    missing = [code for code in reasons.REASONS
               if not re.search(rf"`(push\.)?{re.escape(code)}`", PAGE if code in ("tiktok_not_connected",) else
                                products)]
    assert not missing, f"docs/troubleshooting.md (Products) does not list: {missing}"


def test_every_order_reason_is_on_the_page() -> None:
    orders = section("Orders")
    missing = [code for code in order_reasons.FIXES if f"`{code}`" not in orders]
    assert not missing, f"docs/troubleshooting.md (Orders) does not list: {missing}"


def test_the_page_lists_no_product_reason_the_registry_lacks() -> None:
    listed = first_cell_codes(section("Products"), r"[a-z][a-z0-9_.<>]*")
    unknown = sorted(code for code in listed if "<" not in code and not reasons.is_known(code))
    assert not unknown, f"docs/troubleshooting.md lists product reasons no registry has: {unknown}"


def test_the_page_lists_no_order_reason_the_registry_lacks() -> None:
    listed = first_cell_codes(section("Orders"), r"[A-Z][A-Z_]+")
    unknown = sorted(listed - set(order_reasons.FIXES))
    assert not unknown, f"docs/troubleshooting.md lists order reasons the registry lacks: {unknown}"


SOURCES = [*sorted((ROOT / "hub" / "sync" / "products").glob("*.py")), ROOT / "hub" / "jobs" / "products.py",
           ROOT / "hub" / "sync" / "stock" / "pusher.py", ROOT / "hub" / "sync" / "stock" / "soldout.py"]
USES = [re.compile(p) for p in (
    r"findings\.add\(\s*\"([a-z][a-z0-9_]*)\"",                        # a finding
    r"(?:Error|_error)\(\s*\"([a-z][a-z0-9_]*)\"",                       # a ProductDataError subclass
    r"code=\"([a-z][a-z0-9_]*)\"",                                       # a DataError
    r"reason_code\s*(?:=|==)\s*\"([a-z][a-z0-9_]*)\"",                   # a status written or compared
    r"Problem\([^\n]*?,\s*\"([a-z][a-z0-9_]*)\"",                        # a price/stock push problem
    r"_CODE\s*=\s*\"([a-z][a-z0-9_]*)\"",                                # a named code
    r"set_status\([^\n]*\"([a-z][a-z0-9_]*)\"(?:,[^\n]*)?\)",            # a status with its code
)]


def test_every_reason_code_the_product_code_uses_is_registered() -> None:
    used: dict[str, str] = {}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for pattern in USES:
            for code in pattern.findall(text):
                used.setdefault(code, path.name)
        for name in re.findall(r"\breasons\.([A-Z][A-Z0-9_]*)\b", text):
            assert hasattr(reasons, name), f"{path.name} uses reasons.{name}, which the registry lacks"
            value = getattr(reasons, name)
            if isinstance(value, str) and value in reasons.REASONS:
                used.setdefault(value, path.name)
    assert {"size_chart_missing", "image_not_found", "title_missing"} <= set(used)  # the scan finds what it should
    unregistered = {code: where for code, where in used.items()
                    if not reasons.is_known(code) and code not in NOT_PRODUCT_REASONS}
    assert not unregistered, f"reason codes used but not in hub/sync/products/reasons.py: {unregistered}"


def test_a_finding_without_its_own_fix_carries_the_registry_fix() -> None:
    from hub.sync.products.issues import Findings

    findings = Findings({"id": "7", "title": "Tee"})
    findings.add(reasons.SIZE_CHART_MISSING, "TikTok requires a size chart for this category.")
    assert findings.items[0].fix == reasons.REASONS["size_chart_missing"].fix
    assert "size chart" in findings.items[0].fix
