"""Order endpoints."""

from flask import Blueprint, g, jsonify

from app.auth import login_required
from app.db import get_conn

bp = Blueprint("orders", __name__, url_prefix="/orders")

PAGE_SIZE = 50


@bp.get("/")
@login_required
def list_orders():
    rows = get_conn().execute(
        "SELECT id, status, total_cents, created_at FROM orders"
        " WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?",
        (g.user["customer_id"], PAGE_SIZE),
    ).fetchall()
    return jsonify([dict(row) for row in rows])
