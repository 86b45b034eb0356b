"""The error an API handler raises; the server renders it as GitLab would."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP error response: status, JSON (or text) payload and extra headers."""

    def __init__(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {payload}")
        self.status = status
        self.payload = payload
        self.headers = headers or {}


def bad_request(reason: str) -> ApiError:
    """`{"message": "400 Bad request - <reason>"}`."""
    return ApiError(400, {"message": f"400 Bad request - {reason}"})


def not_found(what: str = "") -> ApiError:
    """`{"message": "404 <What> Not Found"}`, or the bare record miss."""
    return ApiError(404, {"message": f"404 {what} Not Found" if what else "404 Not found"})


def forbidden() -> ApiError:
    """`{"message": "403 Forbidden"}`."""
    return ApiError(403, {"message": "403 Forbidden"})


def param_error(text: str) -> ApiError:
    """A Grape parameter error: `{"error": "<text>"}`."""
    return ApiError(400, {"error": text})


def note_errors(errors: dict[str, list[str]]) -> ApiError:
    """`400 Bad request - Note {:field=>["msg", ...]}` (Ruby Hash#inspect of the errors)."""
    inner = ", ".join(
        f":{field}=>[{', '.join(_ruby_str(m) for m in msgs)}]" for field, msgs in errors.items()
    )
    return bad_request(f"Note {{{inner}}}")


def _ruby_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


LINE_CODE_ERRORS = ["can't be blank", "must be a valid line code"]
