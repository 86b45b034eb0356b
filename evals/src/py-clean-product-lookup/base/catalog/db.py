import sqlite3

from flask import current_app, g


def get_conn() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config.get("DATABASE", "catalog.db"))
    return g.db
