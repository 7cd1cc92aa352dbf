"""What the running sandbox remembers between requests, and the credentials it accepts.

The seller's data never changes while the server runs; what does change is small and kept
here under one lock: access tokens handed out by the LWA endpoint, report jobs and how often
each was polled, and the documents they produced. The credentials are fixed sandbox values
(never real secrets) so that ``Sandbox.env()`` can hand them to connectors.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sandbox.generator import SellerData

LWA_CLIENT_ID = "amzn1.application-oa2-client.sandbox00000000000000000000"
LWA_CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-lwa-client-secret-0000"
SP_REFRESH_TOKEN = "Atzr|sandbox-sp-api-refresh-token-0000"
ADS_REFRESH_TOKEN = "Atzr|sandbox-ads-api-refresh-token-0000"
SHOPIFY_ACCESS_TOKEN = "shpat_sandbox000000000000000000000000"
SHOPIFY_API_VERSION = "2024-10"
ZENDESK_EMAIL = "api-user@sandbox-support.example"
ZENDESK_API_TOKEN = "sandbox-zendesk-api-token-0000"
ACCESS_TOKEN_SECONDS = 3600


@dataclass
class Report:
    """An SP-API or Ads report job; its status advances one step per poll."""

    report_id: str
    kind: str  # "sp" | "ads"
    spec: dict  # what was asked (body of the create call)
    created_ts: float
    profile_id: int = 0
    fingerprint: str = ""  # Ads: identical configurations collide while one runs
    polls: int = 0
    document_id: str = ""
    rows: int = 0


@dataclass
class Document:
    body: bytes  # gzipped
    content_type: str
    signature: str
    url: str


@dataclass
class ServerState:
    data: SellerData
    base_url: str
    clock: Callable[[], float] = time.time
    # polls until a report is DONE / COMPLETED (1 = on the first poll)
    report_polls: int = 3
    order_items_page_size: int = 30
    lock: threading.RLock = field(default_factory=threading.RLock)
    access_tokens: dict[str, str] = field(default_factory=dict)  # token -> "sp" | "ads"
    reports: dict[str, Report] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    def next_serial(self) -> int:
        with self.lock:
            return next(self._serial)

    def issue_token(self, audience: str) -> str:
        token = "Atza|" + secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[token] = audience
        return token

    def token_audience(self, token: str | None) -> str | None:
        if not token:
            return None
        with self.lock:
            return self.access_tokens.get(token)

    # sorted keys for bisecting the data's indexes (built once, on first use)

    @cached_property
    def order_update_keys(self) -> list[int]:
        return [order.last_update_ts for order in self.data.amazon_orders_by_update]

    @cached_property
    def order_purchase_keys(self) -> list[int]:
        return [order.purchase_ts for order in self.data.amazon_orders_by_purchase]

    @cached_property
    def refund_keys(self) -> list[int]:
        return [refund.posted_ts for refund in self.data.amazon_refunds]

    @cached_property
    def ticket_keys(self) -> list[tuple[int, int]]:
        return [(t.generated_ts, t.ticket_id) for t in self.data.tickets_by_generated]

    @cached_property
    def user_keys(self) -> list[tuple[int, int]]:
        as_of = self.data.as_of
        return [(u.updated_ts(as_of), u.user_id) for u in self.data.users_by_updated]
