"""The SQL of storing fire events: one INSERT ... ON CONFLICT per batch, and the upsert that
counts duplicates.

Raw SQL on purpose: the ORM's ``bulk_create`` spends more time compiling a large batch than the
database spends writing it, and cannot tell which rows a conflict skipped.
"""

import json
from collections import Counter

from django.db import connection

from tagmanager.models import FireDuplicateDaily, FireEvent

# The columns written, in order; the primary key comes from the database.
FIELDS = [f for f in FireEvent._meta.concrete_fields if not f.primary_key]
COLUMN = {f.attname: i for i, f in enumerate(FIELDS)}
# Only these need converting for the database (UUIDs, JSON, decimals, times).
_PREPARED = {"consent_id", "categories", "utm", "value", "client_time", "server_time"}
# Rows per INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
_CHUNK = 1000


def rows_insert(rows: list[tuple]) -> set[tuple]:
    """INSERT ... ON CONFLICT (event_id, container) DO NOTHING; return the (container id,
    event id) of the rows actually inserted. ``rows`` hold values in ``FIELDS`` order."""
    if connection.vendor == "postgresql":
        return _rows_insert_postgresql(rows)
    quote = connection.ops.quote_name
    prepare = [
        (lambda v, f=f: f.get_db_prep_save(v, connection)) if f.attname in _PREPARED else None
        for f in FIELDS
    ]
    columns = ", ".join(quote(f.column) for f in FIELDS)
    one = "(" + ", ".join(["%s"] * len(FIELDS)) + ")"
    table, key = quote(FireEvent._meta.db_table), quote("event_id")
    inserted = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            params = [
                p(value) if p else value
                for row in chunk
                for p, value in zip(prepare, row, strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({key}, {quote('container_id')}) DO NOTHING "
                f"RETURNING {key}, {quote('container_id')}",
                params,
            )
            inserted.update((r[1], r[0]) for r in cursor.fetchall())
    return inserted


def _rows_insert_postgresql(rows: list[tuple]) -> set[tuple]:
    """One statement of one array per column (``unnest``): 15 parameters whatever the number
    of rows, where a VALUES list of thousands of placeholders costs more to build and parse
    than the insert itself."""
    quote = connection.ops.quote_name
    casts = []
    for f in FIELDS:
        kind = f.db_type(connection).split("(")[0]
        casts.append({"jsonb": "text", "numeric": "numeric"}.get(kind, kind))
    columns = ", ".join(quote(f.column) for f in FIELDS)
    arrays = ", ".join(f"%s::{cast}[]" for cast in casts)
    selected = ", ".join(
        f"c{i}::jsonb" if f.get_internal_type() == "JSONField" else f"c{i}"
        for i, f in enumerate(FIELDS)
    )
    names = ", ".join(f"c{i}" for i in range(len(FIELDS)))
    json_columns = {i for i, f in enumerate(FIELDS) if f.get_internal_type() == "JSONField"}
    params = [
        [json.dumps(row[i]) for row in rows] if i in json_columns else [row[i] for row in rows]
        for i in range(len(FIELDS))
    ]
    table, key = quote(FireEvent._meta.db_table), quote("event_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} "
            f"FROM unnest({arrays}) AS t({names}) "
            f"ON CONFLICT ({key}, {quote('container_id')}) DO NOTHING "
            f"RETURNING {key}, {quote('container_id')}",
            params,
        )
        return {(r[1], r[0]) for r in cursor.fetchall()}


def duplicates_count(counts: Counter) -> None:
    """Add to the per-day, per-tag duplicate counters (an upsert that adds, race-free)."""
    if not counts:
        return
    quote = connection.ops.quote_name
    table = quote(FireDuplicateDaily._meta.db_table)
    day_field = FireDuplicateDaily._meta.get_field("day")
    params = []
    for (container_id, day, tag_id), n in sorted(counts.items()):
        params += [container_id, day_field.get_db_prep_save(day, connection), tag_id, n]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (container_id, day, tag_id, duplicates) "
            f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(counts))} "
            "ON CONFLICT (container_id, day, tag_id) "
            f"DO UPDATE SET duplicates = {table}.duplicates + excluded.duplicates",
            params,
        )
