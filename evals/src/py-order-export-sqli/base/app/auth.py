import functools

from flask import abort, g, request

from app.db import get_conn


def login_required(view):
    """Reject the request unless it carries a valid session token; sets ``g.user``."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not token:
            abort(401)
        row = get_conn().execute(
            "SELECT id, customer_id FROM sessions WHERE token = ? AND expires_at > datetime('now')",
            (token,),
        ).fetchone()
        if row is None:
            abort(401)
        g.user = row
        return view(*args, **kwargs)

    return wrapped
