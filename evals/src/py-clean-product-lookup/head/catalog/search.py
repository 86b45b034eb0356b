"""Product queries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

MAX_RESULTS = 100
ID_CHUNK = 500  # well below SQLite's limit on bound variables per statement


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price_cents: int


def get_product(conn: sqlite3.Connection, product_id: int) -> Product | None:
    row = conn.execute(
        "SELECT id, name, price_cents FROM products WHERE id = ?", (product_id,)
    ).fetchone()
    return Product(*row) if row else None


def products_by_ids(conn: sqlite3.Connection, ids: list[int]) -> list[Product]:
    """The products with the given IDs, ordered by ID; unknown IDs are ignored."""
    unique = sorted(set(ids))
    found: list[Product] = []
    for start in range(0, len(unique), ID_CHUNK):
        chunk = unique[start : start + ID_CHUNK]
        placeholders = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            f"SELECT id, name, price_cents FROM products WHERE id IN ({placeholders}) ORDER BY id",
            chunk,
        ).fetchall()
        found.extend(Product(*row) for row in rows)
    return found


def search_by_prefix(conn: sqlite3.Connection, prefix: str, limit: int = 20) -> list[Product]:
    """Products whose name starts with ``prefix`` (``%`` and ``_`` match literally)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "SELECT id, name, price_cents FROM products"
        " WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
        (escaped + "%", max(1, min(limit, MAX_RESULTS))),
    ).fetchall()
    return [Product(*row) for row in rows]
