import sqlite3

from flask import current_app, g


def get_conn() -> sqlite3.Connection:
    """The request's database connection, opened on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config.get("DATABASE", "shop.db"))
        g.db.row_factory = sqlite3.Row
    return g.db
