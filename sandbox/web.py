"""The sandbox's tiny HTTP vocabulary: a parsed request, a response, and a route table.

Handlers are plain functions ``(state, request) -> Response``; the route table maps a method
and a path pattern to one. Query strings are decoded the way real servers decode them
(``application/x-www-form-urlencoded``: ``+`` is a space), so a client that puts an opaque
token into a URL without percent-encoding it gets the same 400 it would get in production.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from sandbox.state import ServerState

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: str  # raw, as sent
    headers: Message
    body: bytes
    params: dict[str, list[str]] = field(default_factory=dict)
    match: re.Match[str] | None = None

    def __post_init__(self) -> None:
        self.params = parse_qs(self.query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def group(self, name: str) -> str:
        assert self.match is not None
        return self.match.group(name)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


Handler = Callable[["ServerState", Request], Response]


class Router:
    """``(method, compiled pattern) -> handler``; the first full match wins."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        compiled = re.compile(pattern)

        def register(handler: Handler) -> Handler:
            self.routes.append((method, compiled, handler))
            return handler

        return register

    def resolve(self, method: str, path: str) -> tuple[Handler | None, re.Match[str] | None, bool]:
        """The handler and match for ``method path``; the flag says whether the path exists."""
        path_known = False
        for route_method, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            path_known = True
            if route_method == method:
                return handler, match, True
        return None, None, path_known


ROUTER = Router()
