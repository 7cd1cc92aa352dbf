"""A throwaway HTTP server on 127.0.0.1 that answers from a table of canned responses.

Used to replay genuine platform payloads byte for byte (tests of section "real input") and to
script one-off answers a test needs. Routes match on method and path (query ignored unless the
route gives one); each route holds a list of responses served in order, the last repeated.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class Loopback:
    """``with Loopback() as server: server.route("GET", "/x", Canned(...)); server.url``"""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Canned]] = {}
        self.requests: list[Seen] = []
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, *responses: Canned) -> None:
        """Answer ``method path`` (``path`` may include ``?query`` to match exactly)."""
        self.routes[(method, path)] = list(responses)

    def __enter__(self) -> Loopback:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    Seen(self.command, parts.path, parts.query, dict(self.headers), body)
                )
                queue = server.routes.get((self.command, self.path)) or server.routes.get(
                    (self.command, parts.path)
                )
                if not queue:
                    answer = Canned(404, b'{"error": "no such route in the test server"}')
                else:
                    answer = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value.replace("{base}", server.url))
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = _serve

        return Handler
