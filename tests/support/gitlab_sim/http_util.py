"""Request-body parsing (JSON and Rails-style nested form fields) and pagination."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .errors import ApiError

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def nested_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`position[line_range][start][line_code]=x` → nested dicts."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        m = _KEY.match(key)
        if not m:
            out[key] = value
            continue
        parts = [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2))
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        if parts[-1] == "":
            continue  # array params are not used by this API subset
        node[parts[-1]] = value
    return out


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """Decode a JSON or form-encoded body into a params dict."""
    if not raw:
        return {}
    if "json" in content_type:
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise ApiError(400, {"error": "The provided content-type 'application/json' is not supported."}) from None
        return data if isinstance(data, dict) else {}
    if "x-www-form-urlencoded" in content_type or not content_type:
        return nested_form(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    raise ApiError(415, {"error": f"The provided content-type '{content_type}' is not supported."})


def paginate(items: list, query: dict[str, str], base: str) -> tuple[list, dict[str, str]]:
    """Slice `items` by `page`/`per_page` and build GitLab's x-* and Link headers."""
    try:
        page = max(1, int(query.get("page", 1)))
    except ValueError:
        page = 1
    try:
        per_page = int(query.get("per_page", 20))
    except ValueError:
        per_page = 20
    per_page = 20 if per_page < 1 else min(per_page, 100)
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {
        "x-page": str(page), "x-per-page": str(per_page),
        "x-next-page": str(page + 1) if page < pages else "",
        "x-prev-page": str(page - 1) if page > 1 else "",
        "x-total": str(total), "x-total-pages": str(pages),
    }
    rest = {k: v for k, v in query.items() if k not in ("page", "per_page")}

    def link(p: int) -> str:
        return f"{base}?{urlencode({**rest, 'page': p, 'per_page': per_page})}"

    links = []
    if page > 1:
        links.append(f'<{link(page - 1)}>; rel="prev"')
    if page < pages:
        links.append(f'<{link(page + 1)}>; rel="next"')
    links.append(f'<{link(1)}>; rel="first"')
    if total > 10_000:  # GitLab omits the totals and rel=last for very large collections
        del headers["x-total"], headers["x-total-pages"]
    else:
        links.append(f'<{link(pages)}>; rel="last"')
    headers["Link"] = ", ".join(links)
    return chunk, headers
