"""Bulk writes that stay right when two calls touch the same rows at the same moment.

The intake reads the rows a batch touches without locking them (a few bulk SELECTs), decides in Python,
then writes. Between the read and the write another call may have committed: a plain "UPDATE … WHERE
id = …" would then overwrite a newer version with an older one, and a plain INSERT would fail on the
unique key. So every write here is a compare-and-set decided by the database:

- `insert_new`: new rows in one bulk statement (COPY on PostgreSQL, as fast as before); when another call
  inserted some of the same keys first, the bulk insert is undone to a savepoint and redone with
  `ON CONFLICT DO NOTHING`, and the keys that were taken are handed back to be treated as updates.
- `compare_and_set`: `UPDATE … WHERE id = :id AND version = :version_read` for every row at once; the
  statement's row count says whether every row still held the version read. If not, only the rows that
  moved are read again and the caller decides again for them (newer stays, older is dropped).

Both dialects support these statements (SQLite ≥ 3.24), and both report executemany row counts summed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, cast

from sqlalchemy import Connection, CursorResult, Table, bindparam, insert, select, tuple_
from sqlalchemy.orm import Session

from hub.db import dialect_insert

MAX_ROUNDS = 50  # each round means another call committed the same rows in between: never reached in practice


class ContentionError(Exception):
    """The same rows kept changing under this call; the caller answers "try again" (never a 500)."""


def copy_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into `table` through psycopg, converted by the columns' own bind processors (JSON
    serialisation, UTC timestamps), so the rows stored are the ones an INSERT would store."""
    dialect = connection.dialect
    names = list(rows[0])
    processors = [(name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names]
    quote = dialect.identifier_preparer
    statement = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)}) FROM STDIN"
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("The database connection was closed before COPY")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name]) for name, process in processors])


def _rowcount(session: Session, statement: Any, params: list[dict[str, Any]]) -> int:
    """Rows an executemany changed, summed (both drivers sum them; SQLAlchemy types the result as Result)."""
    return cast(CursorResult[Any], session.execute(statement, params)).rowcount


def _copy_or_none(session: Session, table: Table, rows: list[dict[str, Any]]) -> bool:
    """COPY inside a savepoint; False (and nothing written) when a key was taken meanwhile.

    psycopg runs an executemany as one pipelined INSERT per row, which took twice as long as COPY for a
    500-product batch (3,500 rows), so COPY stays the normal path.
    """
    from psycopg.errors import UniqueViolation

    try:
        with session.begin_nested():
            copy_rows(session.connection(), table, rows)
    except UniqueViolation:
        return False
    return True


def insert_new(session: Session, table: Table, rows: list[dict[str, Any]], key: Sequence[str]) -> set[tuple]:
    """Insert `rows` (all with the same keys); return the keys another transaction inserted first.

    Those keys are left as the other transaction wrote them: the caller reads them and decides again.
    """
    if not rows:
        return set()
    rows = sorted(rows, key=lambda row: tuple(row[k] for k in key))  # one lock order for every caller
    connection = session.connection()
    dialect = connection.dialect
    defaulted = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and not defaulted:
        if _copy_or_none(session, table, rows):
            return set()
    elif dialect.name not in ("postgresql", "sqlite"):  # pragma: no cover - the hub supports these two
        session.execute(insert(table), rows)
        return set()
    statement = dialect_insert(session, table).on_conflict_do_nothing(index_elements=list(key))
    inserted = _rowcount(session, statement, rows)
    if inserted == len(rows):
        return set()
    # Which ones were taken: a row that holds exactly what we sent is ours (or identical to ours).
    stored = _read(session, table, [tuple(row[k] for k in key) for row in rows], key, list(rows[0]))
    return {k for k, row in ((tuple(r[k] for k in key), r) for r in rows)
            if stored.get(k) is None or any(stored[k][name] != row[name] for name in row if name in _COMPARED)}


_COMPARED = {"version", "quantity", "price", "content_hash", "deleted", "type"}


def _read(session: Session, table: Table, keys: list[tuple], key: Sequence[str],
          columns: Iterable[str]) -> dict[tuple, dict[str, Any]]:
    found: dict[tuple, dict[str, Any]] = {}
    selected = [table.c[name] for name in dict.fromkeys([*key, *columns])]
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        for row in session.execute(select(*selected).where(tuple_(*(table.c[k] for k in key)).in_(chunk))).mappings():
            found[tuple(row[k] for k in key)] = dict(row)
    return found


def _update_statement(table: Table, names: Sequence[str]) -> Any:
    return (table.update()
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_expected"))
            .values({name: bindparam(f"b_{name}") for name in names}))


@dataclass(frozen=True)
class _DriverUpdate:
    """The compare-and-set UPDATE compiled once for a dialect, with each parameter's converter.

    It runs on the driver directly: SQLAlchemy's generic path converted every parameter of every row
    again (half of what a 500-item stock batch cost). Each column's own converter (JSON, UTC timestamps)
    runs once per distinct value here, so the rows stored are the same. SQLite takes it as an
    executemany; PostgreSQL as one statement over arrays of the values (`unnest`), because psycopg
    runs an executemany as one statement per row, which cost more than everything else in the call.
    """

    sql: str
    names: tuple[str, ...]  # the statement's parameters in its order ("b_<column>", "b_id", "b_expected")
    positional: bool
    arrays: bool  # one execution with a list of values per parameter, not one parameter row per row
    converters: tuple[Callable[[Any], Any] | None, ...]

    def parameters(self, params: list[tuple[Any, Any, dict[str, Any]]]) -> Any:
        """The driver's parameters for (row id, version read, values to write) triples."""
        converting: list[tuple[int, Callable[[Any], Any], dict[tuple[type, Any], Any]]] = [
            (i, convert, {}) for i, convert in enumerate(self.converters) if convert is not None]
        rows = []
        for row_id, expected, values in params:
            row = [row_id if name == "b_id" else expected if name == "b_expected" else values[name[2:]]
                   for name in self.names]
            for i, convert, seen in converting:
                raw = row[i]
                key = (type(raw), raw)  # 1 and True are equal keys, but not the same value to store
                try:
                    row[i] = seen[key]
                except KeyError:
                    row[i] = seen[key] = convert(raw)
                except TypeError:  # not hashable (a list of locations): converted each time
                    row[i] = convert(raw)
            rows.append(row)
        if self.arrays:
            return {name: [row[i] for row in rows] for i, name in enumerate(self.names)}
        return [tuple(row) if self.positional else dict(zip(self.names, row)) for row in rows]


@functools.lru_cache(maxsize=64)
def _driver_update(table: Table, names: tuple[str, ...], dialect: Any) -> _DriverUpdate:
    columns = {"b_id": "id", "b_expected": "version"}

    def converters(order: Sequence[str]) -> tuple[Callable[[Any], Any] | None, ...]:
        return tuple(table.c[columns.get(name, name.removeprefix("b_"))].type.dialect_impl(dialect)
                     .bind_processor(dialect) for name in order)

    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer.quote
        order = ("b_id", "b_expected", *(f"b_{name}" for name in names))
        types = [table.c[columns.get(name, name.removeprefix("b_"))].type.compile(dialect=dialect) for name in order]
        sql = (f"UPDATE {dialect.identifier_preparer.format_table(table)} AS t SET "
               + ", ".join(f"{quote(name)} = v.{quote(name)}" for name in names)
               + " FROM unnest(" + ", ".join(f"%({name})s::{kind}[]" for name, kind in zip(order, types))
               + ") AS v(" + ", ".join(quote(name.removeprefix("b_")) for name in order)
               + ") WHERE t.id = v.id AND t.version = v.expected")
        return _DriverUpdate(sql, order, False, True, converters(order))
    compiled = _update_statement(table, names).compile(dialect=dialect)
    order = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    return _DriverUpdate(compiled.string, order, bool(compiled.positional), False, converters(order))


def _update_rows(session: Session, table: Table, names: tuple[str, ...],
                 params: list[tuple[Any, Any, dict[str, Any]]]) -> int:
    """Rows the compare-and-set UPDATE changed (an executemany's counts summed: both drivers sum them)."""
    connection = session.connection()
    prepared = _driver_update(table, names, connection.dialect)
    return cast(CursorResult[Any], connection.exec_driver_sql(prepared.sql, prepared.parameters(params))).rowcount


def compare_and_set(session: Session, table: Table, entries: list[Any], *, values: Callable[[Any], dict[str, Any]],
                    held: Callable[[Any], Any], reread: Callable[[list[int]], dict[int, Any]],
                    resolve: Callable[[Any, Any], str]) -> list[Any]:
    """Write each entry's `values(entry)` to row `held(entry).id` if that row still has `held(entry).version`.

    When some rows moved on, `reread(ids)` gives their current state and `resolve(entry, row)` says for
    each: "done" (the row holds what we meant to write), "retry" (the caller stored `row` as the entry's
    new held row and still wants to write: a newer or equal version) or "drop" (the row holds a newer
    version). Returns the entries written; each keeps the held row its write replaced.
    """
    pending = sorted(entries, key=lambda entry: held(entry).id)  # one lock order for every caller
    written: list[Any] = []
    for _round in range(MAX_ROUNDS):
        if not pending:
            return written
        groups: dict[tuple[str, ...], list[tuple[Any, Any, dict[str, Any]]]] = {}
        for entry in pending:
            row, wanted = held(entry), values(entry)
            groups.setdefault(tuple(sorted(wanted)), []).append((row.id, row.version, wanted))
        count = 0
        for names, params in groups.items():
            count += _update_rows(session, table, names, params)
        if count == len(pending):
            return written + pending
        current = reread([held(entry).id for entry in pending])
        retry = []
        for entry in pending:
            row = current.get(held(entry).id)
            outcome = "drop" if row is None else resolve(entry, row)  # None: removed with its store
            if outcome == "done":
                written.append(entry)
            elif outcome == "retry":
                retry.append(entry)
        pending = retry
    raise ContentionError("The same rows kept changing while this call was being applied")
