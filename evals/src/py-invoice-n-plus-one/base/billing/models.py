from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Customer", "Order", "Refund", "Statement"]


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    total: Decimal
    placed_at: dt.datetime


@dataclass(frozen=True)
class Refund:
    id: int
    order_id: int
    amount: Decimal


@dataclass
class Statement:
    customer: Customer
    month: dt.date
    orders: list[Order] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return sum((o.total for o in self.orders), Decimal("0")) - sum(
            (r.amount for r in self.refunds), Decimal("0")
        )
