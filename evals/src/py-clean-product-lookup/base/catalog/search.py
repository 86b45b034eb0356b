"""Product queries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


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
