"""Order queries."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_CURRENCIES = frozenset({"EUR", "GBP", "USD"})


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    total_cents: int
    currency: str
    state: str


def get_order(conn, order_id: int) -> Order | None:
    row = conn.execute(
        "SELECT id, customer_id, total_cents, currency, state FROM orders WHERE id = %s",
        (order_id,),
    ).fetchone()
    if row is None:
        return None
    return Order(*row)


def create_order(conn, customer_id: int, total_cents: int, currency: str = "EUR") -> int:
    if currency not in SUPPORTED_CURRENCIES:
        raise ValueError(f"unsupported currency: {currency!r}")
    row = conn.execute(
        "INSERT INTO orders (customer_id, total_cents, currency) VALUES (%s, %s, %s) RETURNING id",
        (customer_id, total_cents, currency),
    ).fetchone()
    return row[0]
