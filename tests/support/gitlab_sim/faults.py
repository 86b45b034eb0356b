"""Per-test fault injection: throttles, 5xx, dropped connections, HTML or truncated 200s."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    """One armed fault; fires for the next `times` matching requests."""

    method: str | None
    path_regex: str
    status: int
    times: int
    retry_after: int | None
    drop_connection: bool
    notes_variant: bool
    after_handling: bool
    fired: int = 0
    skip: int = 0
    passed: int = 0
    truncate: bool = False

    def matches(self, method: str, path: str) -> bool:
        """True if this fault applies to the request and still has shots left."""
        if self.fired >= self.times:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return re.search(self.path_regex, path) is not None


class Faults:
    """The set of armed faults. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, method: str | None = None, path_regex: str = "", status: int = 500, times: int = 1,
            retry_after: int | None = 1, drop_connection: bool = False, notes_variant: bool = False,
            after_handling: bool = False, skip: int = 0, truncate: bool = False) -> Fault:
        """Arm a fault. See the README for the semantics of each option.

        ``skip``: let the first ``skip`` matching requests through before the fault fires.
        ``truncate``: answer the real response (status, JSON content type) with its body cut in
        half, like a proxy that lost the end of it; ``status`` is then ignored.
        """
        if retry_after is not None and not isinstance(retry_after, int):
            raise TypeError("retry_after must be integer seconds (python-gitlab int()s it)")
        fault = Fault(method, path_regex, int(status), int(times), retry_after, drop_connection,
                      notes_variant, after_handling, skip=int(skip), truncate=bool(truncate))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str, *, after_handling: bool) -> Fault | None:
        """Consume and return the first armed fault matching the request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.after_handling == after_handling and fault.matches(method, path):
                    if fault.passed < fault.skip:
                        fault.passed += 1
                        continue
                    fault.fired += 1
                    return fault
        return None

    @property
    def armed(self) -> list[Fault]:
        """Faults with shots left."""
        with self._lock:
            return [f for f in self._faults if f.fired < f.times]
