"""Loads the UK fixture files shipped in sandbox/fixtures/ (read-only, cached)."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

FIXTURE_DIR = Path(__file__).with_name("fixtures")


@functools.lru_cache(maxsize=None)
def _load(name: str) -> dict:
    with open(FIXTURE_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def shop_fixture() -> dict:
    """A fresh deep copy (callers mutate it)."""
    return copy.deepcopy(_load("uk_shop.json"))


class Catalog:
    """Categories, attributes, rules and certifications of the UK fixture."""

    def __init__(self):
        data = _load("uk_categories.json")
        self.categories: dict[str, dict] = {c["id"]: c for c in data["categories"]}
        self.order: list[str] = [c["id"] for c in data["categories"]]
        self.attributes: dict[str, dict] = data["attributes"]
        self.certifications: dict[str, dict] = data["certifications"]

    def get(self, category_id: str) -> dict | None:
        return self.categories.get(str(category_id))

    def in_version(self, category: dict, version: str) -> bool:
        return version in category.get("versions", ("v1", "v2"))

    def chain(self, category_id: str) -> list[dict]:
        out = []
        cur = self.categories.get(category_id)
        while cur is not None:
            out.append(cur)
            cur = self.categories.get(cur["parent_id"])
        return list(reversed(out))

    def public(self, category: dict) -> dict:
        return {"id": category["id"], "parent_id": category["parent_id"],
                "local_name": category["local_name"], "is_leaf": category["is_leaf"],
                "permission_statuses": list(category["permission_statuses"])}

    def leaf_attributes(self, category: dict) -> list[dict]:
        """Attribute definitions for a leaf, in the Get Attributes shape (with ``is_requried``)."""
        out = []
        for ref in category.get("attributes", []):
            base = self.attributes[ref["id"]]
            item = {"id": base["id"], "name": base["name"], "type": base["type"],
                    "is_requried": bool(ref.get("is_requried")),
                    "is_customizable": base.get("is_customizable", False),
                    "is_multiple_selection": base.get("is_multiple_selection", False),
                    "values": [dict(v) for v in base.get("values", [])]}
            if base.get("value_data_format"):
                item["value_data_format"] = base["value_data_format"]
            if ref.get("requirement_conditions"):
                item["requirement_conditions"] = [dict(c) for c in ref["requirement_conditions"]]
            out.append(item)
        return out

    def rules(self, category: dict) -> dict:
        rules = copy.deepcopy(category.get("rules", {}))
        certs = []
        for ref in rules.get("product_certifications", []):
            base = self.certifications[ref["id"]]
            item = {"id": base["id"], "name": base["name"], "is_required": ref.get("is_required", True),
                    "document_details": base.get("document_details", ""),
                    "sample_image_url": base.get("sample_image_url", "")}
            if ref.get("requirement_conditions"):
                item["requirement_conditions"] = [dict(c) for c in ref["requirement_conditions"]]
            if base.get("expiration_date"):
                item["expiration_date"] = dict(base["expiration_date"])
            certs.append(item)
        rules["product_certifications"] = certs
        return rules


@functools.lru_cache(maxsize=None)
def catalog() -> Catalog:
    return Catalog()
