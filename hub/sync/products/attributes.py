"""Product attributes (Get Attributes, `PRODUCT_PROPERTY`) filled from the store product or defaults.

For each TikTok product attribute of the category, the value comes from the product's own attributes
(matched by name, case and spacing ignored) or else from the merchant's per-category defaults (by
attribute id or name). Values are matched to TikTok's value list by name; a free text value is sent
as a custom value where TikTok allows it. A required attribute (`is_requried`, TikTok's spelling, or
a `requirement_conditions` match on a value already chosen) that stays empty fails the product,
naming the attribute.
"""

from __future__ import annotations

from typing import Any, Mapping

from hub.sync.products.issues import Findings

MAX_CUSTOM_VALUE = 2000


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _values(raw: Any, multiple: bool) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        items = [str(v) for v in raw]
    else:
        items = [p for p in str(raw).split(",")] if multiple else [str(raw)]
    return [i.strip() for i in items if i and i.strip()]


def _lookup(source: Mapping[str, Any], definition: Mapping[str, Any]) -> Any:
    wanted = {_norm(definition.get("name", "")), _norm(definition.get("id", ""))}
    for key, value in source.items():
        if _norm(key) in wanted:
            return value
    return None


def map_attributes(product: Mapping[str, Any], definitions: list[Mapping[str, Any]],
                   defaults: Mapping[str, Any] | None, findings: Findings) -> list[dict[str, Any]]:
    """`product_attributes` for the create body; problems go to `findings`."""
    attributes = product.get("attributes")
    own: Mapping[str, Any] = attributes if isinstance(attributes, Mapping) else {}
    defaults = defaults or {}
    chosen: dict[str, set[str]] = {}
    out: list[dict[str, Any]] = []
    properties = [d for d in definitions if d.get("type") == "PRODUCT_PROPERTY"]

    pending = list(properties)
    # Two passes: conditional attributes depend on values chosen for others.
    for _round in range(2):
        later = []
        for definition in pending:
            attr_id = str(definition.get("id"))
            raw = _lookup(own, definition)
            source = "product"
            if raw in (None, "", []):
                raw, source = _lookup(defaults, definition), "default"
            multiple = bool(definition.get("is_multiple_selection"))
            names = _values(raw, multiple)
            if not names:
                later.append(definition)
                continue
            known = {_norm(v.get("name", "")): str(v.get("id")) for v in definition.get("values") or []}
            known_ids = {str(v.get("id")) for v in definition.get("values") or []}
            values, bad = [], []
            for name in names if multiple else names[:1]:
                if name in known_ids:
                    values.append({"id": name})
                elif _norm(name) in known:
                    values.append({"id": known[_norm(name)]})
                elif definition.get("is_customizable") and len(name) <= MAX_CUSTOM_VALUE:
                    values.append({"name": name})
                else:
                    bad.append(name)
            if bad:
                allowed = ", ".join(v.get("name", "") for v in (definition.get("values") or [])[:12])
                where = ("in the product's attributes" if source == "product"
                         else "in this category's defaults on the settings page")
                findings.add("attribute_value_not_allowed",
                             f"TikTok does not accept {', '.join(repr(b) for b in bad)} for '{definition.get('name')}'"
                             f" ({where}).",
                             f"Use one of: {allowed}." if allowed else "Choose a value TikTok lists for this attribute.",
                             field=f"attributes.{definition.get('name')}")
                continue
            chosen[attr_id] = {v["id"] for v in values if "id" in v}
            out.append({"id": attr_id, "values": values})
        pending = later

    # A conditional attribute may only be filled when its condition holds (TikTok 12052183 otherwise).
    by_id = {str(d.get("id")): d for d in properties}
    out = [a for a in out if condition_met(by_id[a["id"]].get("requirement_conditions"), chosen)]
    for definition in pending:
        if _required(definition, chosen):
            name = str(definition.get("name"))
            findings.add("attribute_missing",
                         f"TikTok requires the attribute '{name}' for this category, and the product has none.",
                         f"Add an attribute named '{name}' to the product in your store, or set a default "
                         "for this TikTok category on the settings page.", field=f"attributes.{name}")
    return out


def _required(definition: Mapping[str, Any], chosen: Mapping[str, set[str]]) -> bool:
    if definition.get("is_requried") or definition.get("is_required"):
        return True
    for condition in definition.get("requirement_conditions") or []:
        if condition.get("condition_type") == "VALUE_ID_MATCH" and \
                str(condition.get("attribute_value_id")) in chosen.get(str(condition.get("attribute_id")), set()):
            return True
    return False


def chosen_value_ids(attributes: list[Mapping[str, Any]]) -> dict[str, set[str]]:
    return {str(a["id"]): {str(v["id"]) for v in a.get("values", []) if "id" in v} for a in attributes}


def condition_met(conditions: list[Mapping[str, Any]] | None, chosen: Mapping[str, set[str]]) -> bool:
    if not conditions:
        return True
    return any(str(c.get("attribute_value_id")) in chosen.get(str(c.get("attribute_id")), set())
               for c in conditions)
