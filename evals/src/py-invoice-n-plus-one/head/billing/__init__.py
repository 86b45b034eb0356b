"""Billing: customers, orders, refunds and the nightly jobs that settle them."""
