"""Bulk operations as Shopify runs them: a query over a whole connection, flattened into JSONL.

Every node of a connection is one line; a node inside a nested connection gets `__parentId`, the id
of the node of the enclosing connection (a variant's inventory levels name the variant). Shopify's
limits on the query are checked: at least one connection, at most 5, nested at most 2 deep.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from graphql import (FieldNode, GraphQLSchema, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode,
                     get_named_type)

MAX_CONNECTIONS, MAX_DEPTH = 5, 2


def _connections(schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode | None,
                 depth: int, found: list[int]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            _connections(schema, target, selection.selection_set, depth, found)
        elif isinstance(selection, FieldNode):
            fields = getattr(parent, "fields", {}) or {}
            if selection.name.value not in fields:
                continue
            named = get_named_type(fields[selection.name.value].type)
            is_connection = named.name.endswith("Connection")
            if is_connection:
                found.append(depth)
            _connections(schema, named, selection.selection_set, depth + (1 if is_connection else 0), found)


def limits_problem(schema: GraphQLSchema, operation: OperationDefinitionNode) -> str | None:
    if operation.operation.value != "query":
        return "A bulk operation runs a query, not a mutation."
    depths: list[int] = []
    _connections(schema, schema.query_type, operation.selection_set, 0, depths)
    if not depths:
        return "Bulk queries must contain at least one connection."
    if len(depths) > MAX_CONNECTIONS:
        return f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
    if max(depths) > MAX_DEPTH:
        return f"Bulk queries cannot contain connections nested more than {MAX_DEPTH} levels deep."
    return None


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"edges", "nodes", "pageInfo"}


def _nodes(connection: dict[str, Any]) -> list[Any]:
    if "edges" in connection:
        return [edge.get("node") for edge in connection["edges"] or []]
    return list(connection.get("nodes") or [])


def _emit(node: dict[str, Any], parent_id: str | None) -> Iterator[dict[str, Any]]:
    own: dict[str, Any] = {}
    children: list[tuple[dict[str, Any]]] = []

    def strip(value: dict[str, Any]) -> dict[str, Any]:
        kept = {}
        for key, item in value.items():
            if _is_connection(item):
                children.append((item,))
            elif isinstance(item, dict):
                kept[key] = strip(item)
            else:
                kept[key] = item
        return kept

    own = strip(node)
    if parent_id is not None:
        own["__parentId"] = parent_id
    yield own
    for (connection,) in children:
        for child in _nodes(connection):
            if isinstance(child, dict):
                yield from _emit(child, node.get("id") or parent_id)


def jsonl(data: dict[str, Any]) -> bytes:
    lines: list[str] = []
    for value in data.values():
        if _is_connection(value):
            for node in _nodes(value):
                if isinstance(node, dict):
                    lines.extend(json.dumps(line, separators=(",", ":")) for line in _emit(node, None))
    return ("\n".join(lines) + ("\n" if lines else "")).encode()
