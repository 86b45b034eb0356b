from dataclasses import asdict

from flask import Blueprint, abort, jsonify, request

from catalog.db import get_conn
from catalog.search import MAX_RESULTS, get_product, products_by_ids, search_by_prefix

bp = Blueprint("products", __name__, url_prefix="/products")


@bp.get("/<int:product_id>")
def show(product_id: int):
    product = get_product(get_conn(), product_id)
    if product is None:
        abort(404)
    return jsonify(asdict(product))


@bp.get("/")
def lookup():
    """`?id=1&id=2` fetches products by ID; `?q=pre` searches names by prefix."""
    ids = request.args.getlist("id", type=int)
    if ids:
        if len(ids) > MAX_RESULTS:
            abort(400, f"at most {MAX_RESULTS} ids")
        return jsonify([asdict(p) for p in products_by_ids(get_conn(), ids)])
    prefix = request.args.get("q", "").strip()
    if not prefix:
        abort(400, "give ?id= or ?q=")
    limit = request.args.get("limit", 20, type=int)
    return jsonify([asdict(p) for p in search_by_prefix(get_conn(), prefix, limit)])
