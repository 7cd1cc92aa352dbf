"""The sandbox server: every platform of the synthetic seller behind one base URL on 127.0.0.1.

``start_sandbox(SellerConfig(...))`` generates the seller, starts a ``ThreadingHTTPServer`` on
an ephemeral port in a background thread and returns a :class:`Sandbox`. Paths are the
platforms' own (``/auth/o2/token``, ``/orders/v0/orders``, ``/v2/profiles``,
``/admin/api/2024-10/orders.json``, ``/api/v2/incremental/tickets/cursor.json``,
``/v1/2026-09-01..2026-09-30``, ...), so one base URL serves as every platform's endpoint in
``Sandbox.env()``. Each request is logged in ``Sandbox.requests`` and may be answered by a fault
rule instead (``Sandbox.faults``), or from pre-rendered pages (``Sandbox.pages``, see
sandbox/pagestore.py; what serving cost is counted in ``Sandbox.stats``). The data is fixed at
start; only tokens and report jobs change while it runs.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

# importing the API modules registers their routes
from sandbox import api_ads, api_amazon, api_fx, api_shopify, api_zendesk, documents  # noqa: F401
from sandbox.faults import FaultRule, Faults
from sandbox.generator import SellerConfig, SellerData, generate
from sandbox.pagestore import PageStore, ServeStats, request_key
from sandbox.state import (
    ADS_REFRESH_TOKEN,
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    SHOPIFY_ACCESS_TOKEN,
    SHOPIFY_API_VERSION,
    SP_REFRESH_TOKEN,
    ZENDESK_API_TOKEN,
    ZENDESK_EMAIL,
    ServerState,
)
from sandbox.web import JSON_TYPE, ROUTER, Request, Response, json_response

log = logging.getLogger("sandbox.server")

HOST = "127.0.0.1"


class ServedRequest(NamedTuple):
    """One request the sandbox received: method, path and the raw query string as sent."""

    method: str
    path: str
    query: str

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)


class Sandbox:
    """A running sandbox. Use as a context manager, or call :meth:`stop`."""

    def __init__(self, data: SellerData, httpd: ThreadingHTTPServer, state: ServerState) -> None:
        self.data = data
        self.faults = Faults()
        self.requests: list[ServedRequest] = []
        # False: keep no log of requests (a benchmark sends millions)
        self.log_requests = True
        # pre-rendered answers served instead of rendering (bench/prerender.py), and what
        # serving cost the sandbox, by family
        self.pages: PageStore | None = None
        self.stats = ServeStats()
        self._httpd = httpd
        self._state = state
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="sandbox-http", daemon=True
        )
        self._stopped = False

    @property
    def base_url(self) -> str:
        return self._state.base_url

    @property
    def report_polls(self) -> int:
        """How many status polls a report job takes to finish (1: done at the first poll)."""
        return self._state.report_polls

    @report_polls.setter
    def report_polls(self, value: int) -> None:
        self._state.report_polls = max(1, value)

    @property
    def order_items_page_size(self) -> int:
        return self._state.order_items_page_size

    @order_items_page_size.setter
    def order_items_page_size(self, value: int) -> None:
        self._state.order_items_page_size = max(1, value)

    def set_clock(self, clock: Callable[[], float]) -> None:
        """Replace the wall clock the two-minute rule and start_time checks use (tests)."""
        self._state.clock = clock

    def answer(
        self,
        method: str,
        path: str,
        query: str = "",
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Answer one request in-process, through the same routes, without HTTP.

        Fault rules and stored pages are not consulted: this is what the routes render (the
        benchmark pre-renders pages with it).
        """
        message = Message()
        for name, value in (headers or {}).items():
            message[name] = value
        return _dispatch(self._state, method, path, query, body, message)[0]

    def env(self) -> dict[str, str]:
        """Every variable of the configuration table in docs/contracts.md, for this sandbox."""
        base = self.base_url
        return {
            "AMAZON_LWA_TOKEN_URL": f"{base}/auth/o2/token",
            "AMAZON_LWA_CLIENT_ID": LWA_CLIENT_ID,
            "AMAZON_LWA_CLIENT_SECRET": LWA_CLIENT_SECRET,
            "AMAZON_SP_API_URL": base,
            "AMAZON_SP_REFRESH_TOKEN": SP_REFRESH_TOKEN,
            "AMAZON_SP_MARKETPLACE_IDS": ",".join(self.data.marketplace_ids),
            "AMAZON_ADS_API_URL": base,
            "AMAZON_ADS_REFRESH_TOKEN": ADS_REFRESH_TOKEN,
            "AMAZON_ADS_PROFILE_IDS": ",".join(str(p.profile_id) for p in self.data.profiles),
            "SHOPIFY_STORE_URL": base,
            "SHOPIFY_ACCESS_TOKEN": SHOPIFY_ACCESS_TOKEN,
            "SHOPIFY_API_VERSION": SHOPIFY_API_VERSION,
            "ZENDESK_URL": base,
            "ZENDESK_EMAIL": ZENDESK_EMAIL,
            "ZENDESK_API_TOKEN": ZENDESK_API_TOKEN,
            "FX_RATES_URL": base,
            "REPORTING_CURRENCY": "USD",
            # the sandbox finishes a report after a few polls; real reports take minutes
            "AMAZON_REPORT_POLL_INTERVAL_S": "0.2",
            # the warehouse it fills is marked as sandbox data, never mixed with real accounts
            "KPI_WAREHOUSE_ORIGIN": "sandbox",
        }

    def start(self) -> Sandbox:
        self._thread.start()
        log.info("sandbox serving on %s", self.base_url)
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        log.info("sandbox on %s stopped", self.base_url)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _handler_class(sandbox_ref: list[Sandbox], state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the platforms' endpoints
        # headers and body leave in two writes; without this, Nagle meets delayed ACK and
        # every keep-alive request waits about 40 ms
        disable_nagle_algorithm = True
        timeout = 60  # an idle keep-alive connection is closed after a minute
        server_version = "sandbox"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # requests are logged below, without query strings

        def _serve(self) -> None:
            sandbox = sandbox_ref[0]
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if sandbox.log_requests:
                sandbox.requests.append(ServedRequest(self.command, parts.path, parts.query))
            started = time.monotonic()
            clock = time.perf_counter()
            kind, family = "fault", "fault"
            rule = sandbox.faults.pick(self.command, self.path)
            if rule is not None and rule.delay_s:
                time.sleep(rule.delay_s)
            if rule is not None and rule.disconnect:
                self._reset()
                return
            if rule is not None and rule.status is not None:
                response = Response(rule.status, rule.body, dict(rule.headers))
                response.headers.setdefault("Content-Type", JSON_TYPE)
            else:
                stored = None
                if sandbox.pages is not None:
                    key = request_key(self.command, parts.path, parts.query, body)
                    stored = sandbox.pages.get(key)
                if stored is not None:
                    (family, response), kind = stored, "stored"
                else:
                    response, family = _dispatch(
                        state, self.command, parts.path, parts.query, body, self.headers
                    )
                    kind = "rendered"
            try:
                self._send(response, rule)
            except OSError:  # the client gave up (its read timeout): nothing left to answer
                self.close_connection = True
                return
            sandbox.stats.record(kind, family, clock, len(response.body))
            log.debug(
                "%s %s -> %d in %.1f ms",
                self.command,
                parts.path,
                response.status,
                (time.monotonic() - started) * 1000,
            )

        def _send(self, response: Response, rule: FaultRule | None) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            cut = None if rule is None else rule.truncate_at
            if cut is None:
                self.wfile.write(response.body)
                return
            self.wfile.write(response.body[:cut])
            self.wfile.flush()
            if rule is not None and rule.stall_s:
                time.sleep(rule.stall_s)
                self.wfile.write(response.body[cut:])
                self.close_connection = True
            else:
                self._reset()

        def _reset(self) -> None:
            """Drop the connection with a TCP reset, as a failing load balancer does."""
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            except OSError:
                pass

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler


def _dispatch(
    state: ServerState,
    method: str,
    path: str,
    query: str,
    body: bytes,
    headers: Message,
) -> tuple[Response, str]:
    """The route's answer, and the route's name (the family the serving stats count)."""
    route, match, path_known = ROUTER.resolve(method, path)
    if route is None:
        if path_known:
            return json_response(405, {"errors": f"{method} is not allowed on {path}"}), "405"
        return json_response(404, {"errors": "Not Found", "path": path}), "404"
    request = Request(method, path, query, headers, body, match=match)
    name = f"{route.__module__.rpartition('.')[2]}.{route.__name__}"  # e.g. api_amazon.get_orders
    try:
        return route(state, request), name
    except Exception:  # a sandbox bug must answer 500, not hang the client
        log.exception("sandbox handler failed for %s %s", method, path)
        return json_response(500, {"errors": "sandbox internal error"}), name


def start_sandbox(config: SellerConfig | None = None, *, port: int = 0) -> Sandbox:
    """Generate the seller for ``config`` and serve it on ``127.0.0.1:port`` (0: any free)."""
    data = generate(config or SellerConfig())
    sandbox_ref: list[Sandbox] = []
    state = ServerState(data=data, base_url="")
    # build the sorted indexes now rather than inside the first requests
    for index in ("order_update_keys", "order_purchase_keys", "refund_keys", "ticket_keys",
                  "user_keys"):  # fmt: skip
        getattr(state, index)
    data.shopify_by_id_desc  # noqa: B018
    httpd = ThreadingHTTPServer((HOST, port), _handler_class(sandbox_ref, state))
    httpd.daemon_threads = True
    host, bound_port = httpd.server_address[:2]
    state.base_url = f"http://{host}:{bound_port}"
    data.base_url = state.base_url
    sandbox = Sandbox(data, httpd, state)
    sandbox_ref.append(sandbox)
    return sandbox.start()
