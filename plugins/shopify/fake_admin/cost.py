"""Query cost as Shopify calculates it (approximated), and the per-shop leaky bucket.

Shopify's rules (shopify.dev, "GraphQL Admin API rate limits"): a scalar or enum costs 0, an object
1, a connection 2 plus its `first`/`last` times the cost of one node, a mutation 10. The requested
cost is checked against the bucket before running; the actual cost (what was returned) is what the
bucket is charged. A query asking for more than 1,000 points is refused outright.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLSchema, InlineFragmentNode,
                     OperationDefinitionNode, SelectionSetNode, get_named_type, is_leaf_type, value_from_ast_untyped)

MAX_QUERY_COST = 1000
MUTATION_COST = 10


def _first(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            value = value_from_ast_untyped(arg.value, variables)
            return int(value) if value is not None else None
    return None


def selection_cost(schema: GraphQLSchema, parent: Any, selection_set: SelectionSetNode | None,
                   fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
                   default_first: int = 1) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += selection_cost(schema, target, selection.selection_set, fragments, variables, default_first)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            target = schema.get_type(fragment.type_condition.name.value)
            total += selection_cost(schema, target, fragment.selection_set, fragments, variables, default_first)
        elif isinstance(selection, FieldNode):
            name = selection.name.value
            fields = getattr(parent, "fields", {}) or {}
            if name.startswith("__") or name not in fields:
                continue
            named = get_named_type(fields[name].type)
            if is_leaf_type(named):
                continue
            child = selection_cost(schema, named, selection.selection_set, fragments, variables, default_first)
            if named.name.endswith("Connection"):
                total += 2 + (_first(selection, variables) or default_first) * max(child - 1, 1)
            else:
                total += 1 + child
    return total


def requested_cost(schema: GraphQLSchema, operation: OperationDefinitionNode,
                   fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]) -> int:
    if operation.operation.value == "mutation":
        return MUTATION_COST * len(operation.selection_set.selections)
    return selection_cost(schema, schema.query_type, operation.selection_set, fragments, variables)


def actual_cost(data: Any, mutation: bool) -> int:
    if mutation:
        return MUTATION_COST
    return _actual(data)


def _actual(value: Any) -> int:
    if isinstance(value, list):
        return sum(_actual(v) for v in value)
    if not isinstance(value, dict):
        return 0
    inner = sum(_actual(v) for v in value.values())
    connection = "pageInfo" in value or set(value) <= {"nodes", "edges", "pageInfo"} and value
    return inner + (2 if connection else 1)


class Bucket:
    """One shop's leaky bucket of cost points (Standard plan: 2,000 points, 100 back a second)."""

    def __init__(self, maximum: float = 2000.0, restore_rate: float = 100.0):
        self.maximum, self.restore_rate = maximum, restore_rate
        self.available = maximum
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.updated) * self.restore_rate)
        self.updated = now

    def try_take(self, requested: float) -> bool:
        with self.lock:
            self._refill()
            return self.available >= requested

    def charge(self, actual: float) -> None:
        with self.lock:
            self._refill()
            self.available = max(0.0, self.available - actual)

    def status(self) -> dict[str, float]:
        with self.lock:
            self._refill()
            return {"maximumAvailable": self.maximum, "currentlyAvailable": round(self.available, 1),
                    "restoreRate": self.restore_rate}
