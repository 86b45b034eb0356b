"""SQL access for billing. Every function takes an open psycopg connection."""

from __future__ import annotations

import datetime as dt

from billing.models import Customer, Order, Refund


def active_customers(conn) -> list[Customer]:
    """Every customer with an active account (about 40k in production)."""
    rows = conn.execute(
        "SELECT id, name, email FROM customers WHERE status = 'active' ORDER BY id"
    ).fetchall()
    return [Customer(*row) for row in rows]


def orders_for_customer(conn, customer_id: int, start: dt.datetime, end: dt.datetime) -> list[Order]:
    """One customer's orders placed in [start, end), for the account page."""
    rows = conn.execute(
        "SELECT id, customer_id, total, placed_at FROM orders"
        " WHERE customer_id = %s AND placed_at >= %s AND placed_at < %s ORDER BY placed_at",
        (customer_id, start, end),
    ).fetchall()
    return [Order(*row) for row in rows]


def refunds_for_orders(conn, order_ids: list[int]) -> list[Refund]:
    """The refunds of the given orders, fetched in one query."""
    if not order_ids:
        return []
    rows = conn.execute(
        "SELECT id, order_id, amount FROM refunds WHERE order_id = ANY(%s) ORDER BY id",
        (order_ids,),
    ).fetchall()
    return [Refund(*row) for row in rows]
