"""Order queries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    total_cents: int
    state: str


def get_order(conn, order_id: int) -> Order | None:
    row = conn.execute(
        "SELECT id, customer_id, total_cents, state, legacy_status FROM orders WHERE id = %s",
        (order_id,),
    ).fetchone()
    if row is None:
        return None
    order_id, customer_id, total_cents, state, legacy_status = row
    return Order(order_id, customer_id, total_cents, legacy_status or state)


def create_order(conn, customer_id: int, total_cents: int) -> int:
    row = conn.execute(
        "INSERT INTO orders (customer_id, total_cents) VALUES (%s, %s) RETURNING id",
        (customer_id, total_cents),
    ).fetchone()
    return row[0]
