"""Monthly statements: one per active customer with the month's orders and refunds."""

from __future__ import annotations

import datetime as dt
import logging

from billing.models import *
from billing.repository import active_customers, orders_for_customer, refunds_for_orders

log = logging.getLogger(__name__)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start of ``month`` and the start of the month after it."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=dt.timezone.utc)
    if month.month == 12:
        end = dt.datetime(month.year + 1, 1, 1, tzinfo=dt.timezone.utc)
    else:
        end = dt.datetime(month.year, month.month + 1, 1, tzinfo=dt.timezone.utc)
    return start, end


def previous_month(today: dt.date) -> dt.date:
    """The first day of the month before ``today``."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def build_statements(conn, month: dt.date) -> list[Statement]:
    """A statement for every active customer who ordered in ``month``."""
    start, end = month_bounds(month)
    statements: list[Statement] = []
    for customer in active_customers(conn):
        orders = orders_for_customer(conn, customer.id, start, end)
        if not orders:
            continue
        refunds = refunds_for_orders(conn, [o.id for o in orders])
        statements.append(Statement(customer=customer, month=month, orders=orders, refunds=refunds))
    log.info("built %d statements for %s", len(statements), month.isoformat())
    return statements


def save_statements(conn, statements: list[Statement]) -> None:
    """Store the statements; re-running a month replaces its rows."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO statements (customer_id, month, balance) VALUES (%s, %s, %s)"
            " ON CONFLICT (customer_id, month) DO UPDATE SET balance = EXCLUDED.balance",
            [(s.customer.id, s.month, s.balance) for s in statements],
        )
