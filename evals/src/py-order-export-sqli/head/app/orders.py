"""Order endpoints."""

import csv
import io

from flask import Blueprint, Response, abort, g, jsonify, request

from app.auth import login_required
from app.db import get_conn

bp = Blueprint("orders", __name__, url_prefix="/orders")

PAGE_SIZE = 50
EXPORT_COLUMNS = ["id", "status", "total_cents", "created_at"]
SORTABLE = {"created": "created_at", "total": "total_cents", "status": "status"}


@bp.get("/")
@login_required
def list_orders():
    rows = get_conn().execute(
        "SELECT id, status, total_cents, created_at FROM orders"
        " WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?",
        (g.user["customer_id"], PAGE_SIZE),
    ).fetchall()
    return jsonify([dict(row) for row in rows])


@bp.get("/export")
@login_required
def export_orders():
    """The signed-in customer's orders as CSV, optionally filtered by status and sorted."""
    status = request.args.get("status", "all")
    sort = SORTABLE.get(request.args.get("sort", "created"))
    if sort is None:
        abort(400, "sort must be one of: " + ", ".join(SORTABLE))

    query = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM orders WHERE customer_id = ?"
    if status != "all":
        query += f" AND status = '{status}'"
    query += f" ORDER BY {sort}"
    rows = get_conn().execute(query, (g.user["customer_id"],)).fetchall()

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in EXPORT_COLUMNS])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=orders.csv"},
    )
