"""Fault injection: canned answers (429s, 500s, slow replies) in place of the real ones.

``sandbox.faults.add(FaultRule(method="GET", path_regex=r"/orderItems", status=429,
headers={"x-amzn-RateLimit-Limit": "0.5"}, times=2))`` makes the next two matching requests
answer 429; ``every_nth=3`` instead hits every third matching request (for at most ``times``
hits when both are given; with neither, every matching request). ``delay_s`` waits before
answering; with ``status=None`` the real answer follows the delay (a slow platform). Rules
are checked in the order they were added; the first one that fires answers. ``path_regex`` is
searched in the request target, path and query string as sent, so a rule can aim at one query
parameter too.

Transport faults, on the canned or the real answer: ``disconnect=True`` resets the connection
without answering (no status line at all); ``truncate_at=N`` sends the headers with the full
``Content-Length`` and only the first N body bytes, then resets the connection (a transfer cut
mid-body); ``truncate_at=N, stall_s=S`` sends N bytes, then waits S seconds before the rest (a
read timeout mid-body when S exceeds the client's read timeout).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field


@dataclass
class FaultRule:
    method: str = "GET"
    path_regex: str = ".*"
    status: int | None = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    times: int | None = None  # None: no limit
    every_nth: int | None = None
    delay_s: float = 0.0
    disconnect: bool = False
    truncate_at: int | None = None
    stall_s: float = 0.0
    # bookkeeping, updated under the Faults lock
    seen: int = field(default=0, init=False)
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path_regex)
        if self.every_nth is not None and self.every_nth < 1:
            raise ValueError("every_nth must be at least 1")
        if self.truncate_at is not None and self.truncate_at < 0:
            raise ValueError("truncate_at must be at least 0")

    def matches(self, method: str, target: str) -> bool:
        return self.method.upper() in (method.upper(), "*") and bool(self._pattern.search(target))

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times


class Faults:
    """The sandbox's active fault rules (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, method: str, target: str) -> FaultRule | None:
        """The rule that answers this request, if any (counts the request against the rules)."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(method, target):
                    continue
                rule.seen += 1
                if rule.every_nth is not None and rule.seen % rule.every_nth:
                    continue
                rule.fired += 1
                return rule
        return None
