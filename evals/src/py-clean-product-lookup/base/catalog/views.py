from dataclasses import asdict

from flask import Blueprint, abort, jsonify

from catalog.db import get_conn
from catalog.search import get_product

bp = Blueprint("products", __name__, url_prefix="/products")


@bp.get("/<int:product_id>")
def show(product_id: int):
    product = get_product(get_conn(), product_id)
    if product is None:
        abort(404)
    return jsonify(asdict(product))
