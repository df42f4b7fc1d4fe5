"""Loading events through a compiled JSON Schema, with marshmallow's `load` as the authority.

Marshmallow validates field by field in Python, which dominated the Extension API's ingest time (a call
of 500 products with 5 variants each). Here each event schema is translated once per process, through
apispec's MarshmallowPlugin, into a JSON Schema that jsonschema-rs compiles.

The translation describes a *canonical* subset of what the marshmallow schema accepts: inputs for which
`load` returns the input itself plus the declared `load_default`s (ids already strings, money without
surrounding spaces, integers that are not floats). An event in that subset is loaded by filling in the
defaults and running the schema's own `validates_schema` hooks. Anything else — an invalid event, or a
valid one in a non-canonical form such as an integer id — returns None, and the caller loads it with
marshmallow, which alone produces error messages and conversions. Being stricter than marshmallow only
costs speed; being looser would be a bug, so a schema using anything the translation cannot mirror
exactly (a field class, validator, option or hook not handled below) never takes this path.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Callable

import jsonschema_rs
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import EXCLUDE, Schema, fields, missing, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from hub.canonical.events import EVENT_SCHEMAS
from hub.canonical.fields import Id, Measure, Money, Price, StrictInt

_STRICT_INTEGER = "x-strictInteger"

# Constraints that narrow each field class to the inputs its deserialization returns unchanged.
# Exact classes only: a subclass may override `_deserialize`.
_CANONICAL: dict[type, dict[str, Any]] = {
    fields.String: {}, fields.Boolean: {}, fields.Raw: {}, fields.List: {}, fields.Dict: {}, fields.Nested: {},
    # At least one printable ASCII character, which `str.strip` never removes.
    Id: {"pattern": "[!-~]", "maxLength": 64},
    # ASCII digits and no surrounding whitespace, so the field's `.strip()` changes nothing.
    Money: {"pattern": r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"},
    Measure: {"pattern": r"^[0-9]{1,12}(\.[0-9]{1,4})?$"},
    Price: {"pattern": r"^[0-9]{1,12}(\.[0-9]{1,4})?$"},
    StrictInt: {},
}
_CUSTOM = (Id, Money, Measure, Price)
_VALIDATORS = (validate.Length, validate.OneOf, validate.Range, validate.Regexp)


class _StrictInteger:
    """JSON Schema's "integer" admits 1.0; a strict marshmallow Integer does not."""

    def __init__(self, parent_schema: dict[str, Any], value: Any, schema_path: list[Any]) -> None:
        pass

    def validate(self, instance: Any) -> None:
        if type(instance) is not int:
            raise ValueError("not an integer")


def _canonical_constraints(self: Any, field: fields.Field, **_: Any) -> dict[str, Any]:
    """apispec attribute function: the constraints of `_CANONICAL` that apispec does not emit itself."""
    extra = dict(_CANONICAL.get(type(field), {}))
    if isinstance(field, fields.Integer):
        extra[_STRICT_INTEGER] = True
    if type(field) is fields.Raw and not field.allow_none:
        extra["not"] = {"type": "null"}
    if isinstance(field, fields.Dict) and field.key_field is not None:
        extra["propertyNames"] = self.field2property(field.key_field)
    return extra


def _field_mirrored(field: fields.Field) -> bool:
    """Whether the generated JSON Schema of `field` accepts nothing its deserialization would change or reject."""
    kind = type(field)
    if kind not in _CANONICAL and not (isinstance(field, fields.Integer) and kind is fields.Integer and field.strict):
        return False
    if field.data_key is not None or field.attribute is not None or field.dump_only:
        return False
    regexps = 0
    for validator in field.validators:
        if type(validator) not in _VALIDATORS:
            return False
        if isinstance(validator, validate.Range) and not (validator.min_inclusive and validator.max_inclusive):
            return False  # apispec emits inclusive bounds only
        if isinstance(validator, validate.Length) and isinstance(field, fields.Dict):
            return False
        if isinstance(validator, validate.Regexp):
            regexps += 1  # apispec emits the first only; JSON Schema searches where `re.match` anchors
            pattern = validator.regex.pattern
            if validator.regex.flags & ~re.UNICODE or not isinstance(pattern, str) or not pattern.startswith("^"):
                return False
    if regexps > 1 or (kind in _CUSTOM and field.validators):
        return False
    if isinstance(field, fields.Nested):
        return not field.many and field.unknown is None and _schema_mirrored(field.schema)
    if isinstance(field, fields.List):
        return _field_mirrored(field.inner)
    if isinstance(field, fields.Dict):
        return not any(isinstance(f, fields.Nested) or not _field_mirrored(f)
                       for f in (field.key_field, field.value_field) if f is not None)
    return True


def _schema_mirrored(schema: Schema) -> bool:
    hooks = type(schema).resolve_hooks()
    if hooks.get(PRE_LOAD) or hooks.get(POST_LOAD) or hooks.get(VALIDATES):
        return False
    if any(many for _, many, _ in hooks.get(VALIDATES_SCHEMA, [])) or schema.unknown == EXCLUDE:
        return False
    if schema.only is not None or schema.exclude or schema.partial:
        return False
    return all(_field_mirrored(f) for f in schema.load_fields.values())


@dataclass
class _Plan:
    """How to turn a canonical input of one schema into what its `load` returns."""

    defaults: list[tuple[str, Any]] = dataclass_field(default_factory=list)
    nested: list[tuple[str, "_Plan", bool]] = dataclass_field(default_factory=list)
    checks: list[tuple[Callable[..., Any], bool]] = dataclass_field(default_factory=list)

    @classmethod
    def of(cls, schema: Schema) -> "_Plan":
        plan = cls()
        for name, field in schema.load_fields.items():
            if field.load_default is not missing:
                plan.defaults.append((name, field.load_default))
            if isinstance(field, fields.Nested):
                plan.nested.append((name, cls.of(field.schema), False))
            elif isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
                plan.nested.append((name, cls.of(field.inner.schema), True))
        for attr_name, _, kwargs in type(schema).resolve_hooks().get(VALIDATES_SCHEMA, []):
            plan.checks.append((getattr(schema, attr_name), kwargs.get("pass_original", False)))
        return plan

    def load(self, data: dict[str, Any]) -> dict[str, Any]:
        """Raises marshmallow's ValidationError when a `validates_schema` hook rejects the data."""
        out = dict(data)
        for name, default in self.defaults:
            if name not in out:
                out[name] = default() if callable(default) else default
        for name, plan, many in self.nested:
            value = out.get(name)
            if value is not None:
                out[name] = [plan.load(item) for item in value] if many else plan.load(value)
        for check, pass_original in self.checks:
            if pass_original:
                check(out, data, partial=None, many=False, unknown=None)
            else:
                check(out, partial=None, many=False, unknown=None)
        return out


@dataclass
class _Loader:
    validator: Any
    plan: _Plan


@functools.cache
def _loaders() -> dict[str, _Loader]:
    """Built on first use, once per process: generating and compiling the schemas takes a few ms."""
    # A resolver answering None inlines nested schemas (no $ref); apispec documents that but types the
    # resolver as always returning a name.
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # type: ignore[arg-type,return-value]
    # Joining a spec sets up the plugin's converter; OpenAPI 3.1 writes nullable fields as JSON Schema does.
    APISpec("events", "1", "3.1.0", plugins=[plugin])
    converter = plugin.converter
    if converter is None:
        raise RuntimeError("apispec did not set up the marshmallow converter")
    converter.add_attribute_function(_canonical_constraints)
    loaders: dict[str, _Loader] = {}
    for event_type, schema_class in EVENT_SCHEMAS.items():
        schema = schema_class()
        if not _schema_mirrored(schema):
            continue
        document = converter.schema2jsonschema(schema)
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        validator = jsonschema_rs.validator_for(document, keywords={_STRICT_INTEGER: _StrictInteger})
        loaders[event_type] = _Loader(validator, _Plan.of(schema))
    return loaders


def fast_load(event_type: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """What `EVENT_SCHEMAS[event_type]().load(raw)` returns, or None if marshmallow must decide."""
    loader = _loaders().get(event_type)
    if loader is None:
        return None
    try:
        if not loader.validator.is_valid(raw):
            return None
        return loader.plan.load(raw)
    except Exception:  # noqa: BLE001 - e.g. lone surrogates or NaN the validator cannot take; marshmallow decides
        return None
