"""Per-category attribute defaults: the form fields for a TikTok category's product attributes, and
turning a posted form into the `CategoryDefaults.attributes` the listing engine reads.

The engine (`hub.sync.products.attributes.map_attributes`) looks a default up by TikTok attribute id
or name and accepts a TikTok value id, a value name, or (where TikTok allows custom values) free text;
a multiple-selection attribute takes a list. Defaults are written keyed by attribute id with value ids
for listed values, so a later rename on TikTok's side does not break them. Anything the engine would
refuse (a value TikTok does not list for a closed attribute, text that is too long, a non-number where
TikTok wants a number) is refused here with a message next to the field, so a saved default is one
that sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Sequence

from hub.sync.products.attributes import MAX_CUSTOM_VALUE

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class AttributeField:
    """One TikTok product attribute as the form shows it."""

    id: str
    name: str
    required: bool
    required_when: str | None  # "Contains Batteries or Cells? is Batteries" for conditional attributes
    multiple: bool
    customizable: bool
    number: bool
    values: list[dict[str, str]]  # [{"id", "name"}]
    chosen: list[str] = field(default_factory=list)  # value ids (closed lists) or text (custom)

    @property
    def input_name(self) -> str:
        return f"attr.{self.id}"

    @property
    def choice(self) -> bool:
        """Closed list: a select (one) or tick boxes (several); otherwise a text box."""
        return bool(self.values) and not self.customizable

    @property
    def text_value(self) -> str:
        return ", ".join(self.chosen)


def attribute_fields(definitions: Sequence[Mapping[str, Any]], saved: Mapping[str, Any]) -> list[AttributeField]:
    """The PRODUCT_PROPERTY attributes of a category, required ones first, with the saved defaults."""
    properties = [d for d in definitions if d.get("type") == "PRODUCT_PROPERTY"]
    names = {str(d.get("id")): str(d.get("name") or d.get("id")) for d in definitions}
    value_names = {(str(d.get("id")), str(v.get("id"))): str(v.get("name")) for d in definitions
                   for v in d.get("values") or []}
    out = []
    for definition in properties:
        attr_id = str(definition.get("id"))
        conditions = [c for c in definition.get("requirement_conditions") or []
                      if c.get("condition_type", "VALUE_ID_MATCH") == "VALUE_ID_MATCH"]
        when = _condition_text(conditions, names, value_names)
        item = AttributeField(
            id=attr_id, name=str(definition.get("name") or attr_id),
            required=bool(definition.get("is_requried") or definition.get("is_required")), required_when=when,
            multiple=bool(definition.get("is_multiple_selection")),
            customizable=bool(definition.get("is_customizable")),
            number=definition.get("value_data_format") == "POSITIVE_INT_OR_DECIMAL",
            values=[{"id": str(v.get("id")), "name": str(v.get("name"))} for v in definition.get("values") or []])
        item.chosen = _saved_values(item, _lookup(saved, item))
        out.append(item)
    return sorted(out, key=lambda f: (not f.required, f.required_when is None, f.name.casefold()))


def _condition_text(conditions: list[Mapping[str, Any]], names: Mapping[str, str],
                    value_names: Mapping[tuple[str, str], str]) -> str | None:
    """"Contains Batteries or Cells? is Batteries or Cells" from TikTok's value-match conditions."""
    by_attribute: dict[str, list[str]] = {}
    for condition in conditions:
        attr_id, value_id = str(condition.get("attribute_id")), str(condition.get("attribute_value_id"))
        by_attribute.setdefault(attr_id, []).append(value_names.get((attr_id, value_id), value_id))
    return "; ".join(f"{names.get(a, a)} is {' or '.join(v)}" for a, v in by_attribute.items()) or None


def _lookup(saved: Mapping[str, Any], item: AttributeField) -> Any:
    """The saved default for an attribute, matched the way the engine matches it (id or name)."""
    wanted = {_norm(item.id), _norm(item.name)}
    return next((value for key, value in saved.items() if _norm(key) in wanted), None)


def _saved_values(item: AttributeField, raw: Any) -> list[str]:
    if raw in (None, "", []):
        return []
    items = [str(v) for v in raw] if isinstance(raw, (list, tuple)) else \
        (str(raw).split(",") if item.multiple else [str(raw)])
    items = [i.strip() for i in items if i.strip()]
    if not item.choice:
        by_id = {v["id"]: v["name"] for v in item.values}
        return [by_id.get(i, i) for i in items]  # show names in a text box
    by_name = {_norm(v["name"]): v["id"] for v in item.values}
    return [i if any(v["id"] == i for v in item.values) else by_name.get(_norm(i), i) for i in items]


def parse_form(fields: list[AttributeField], form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """({attribute id: value id | [value ids] | text | [texts]}, {input name: message}) from the posted form.

    Empty fields are left out (no default). `form` is a werkzeug MultiDict.
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in fields:
        if item.choice:
            picked = [p.strip() for p in form.getlist(item.input_name) if p and p.strip()]
            known = {v["id"] for v in item.values}
            if any(p not in known for p in picked):
                errors[item.input_name] = f"Choose one of TikTok's values for {item.name}."
                continue
            if not item.multiple and len(picked) > 1:
                errors[item.input_name] = f"{item.name} takes one value."
                continue
            if picked:
                values[item.id] = picked if item.multiple else picked[0]
            item.chosen = picked
            continue
        raw = (form.get(item.input_name) or "").strip()
        parts = [p.strip() for p in raw.split(",")] if item.multiple else [raw]
        parts = [p for p in parts if p]
        item.chosen = parts
        if not parts:
            continue
        if not item.customizable and not item.values:
            errors[item.input_name] = f"TikTok lists no values for {item.name}; it cannot have a default."
        elif any(_CONTROL.search(p) for p in parts):
            errors[item.input_name] = f"{item.name} contains control characters; type plain text."
        elif any(len(p) > MAX_CUSTOM_VALUE for p in parts):
            errors[item.input_name] = f"Keep {item.name} under {MAX_CUSTOM_VALUE} characters."
        elif item.number and not all(_positive_number(p) for p in parts):
            errors[item.input_name] = f"TikTok wants a positive number for {item.name}, such as 2 or 1.5."
        else:
            by_name = {_norm(v["name"]): v["id"] for v in item.values}
            stored = [by_name.get(_norm(p), p) for p in parts]  # a listed value goes by its id
            values[item.id] = stored if item.multiple else stored[0]
    return values, errors


def _positive_number(text: str) -> bool:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    return number.is_finite() and number > 0


def merged_attributes(saved: Mapping[str, Any], fields: list[AttributeField],
                      values: Mapping[str, Any]) -> dict[str, Any]:
    """The new `attributes` JSON: defaults for attributes on the form are replaced (whether saved by id or
    by name), defaults for attributes TikTok no longer lists for the category are kept untouched."""
    on_form = {_norm(f.id) for f in fields} | {_norm(f.name) for f in fields}
    kept = {k: v for k, v in saved.items() if _norm(k) not in on_form}
    return {**kept, **values}
