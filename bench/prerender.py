"""Pre-render every page the connectors will ask for, so the benchmark does not time the sandbox.

For each stream this walks the same requests the connector makes (the same first parameters,
computed from the same settings and, on a later night, from the cursors the warehouse holds;
then the tokens, links and cursors the answers give), asks the sandbox's routes for each answer
in-process (``Sandbox.answer``: no HTTP), and stores the answer in the sandbox's
:class:`~sandbox.pagestore.PageStore` under the exact request. Reports are created and run to
completion, so the connector's create call is answered with a finished report. Per-order items
and per-ticket comments are rendered for every order or ticket the listing returns (a superset
of those a later night asks for).

This mirrors the connectors' request logic, so it can drift from it: a request the store does
not hold is still answered correctly, rendered on demand, and counted by the server
(``rendered`` in the sandbox's serving stats), which is how the benchmark shows whether the
sandbox was measured. The page bodies double as "the same API pages saved to disk" for the
DuckDB-reader limit; report documents are saved beside them.

Memory stays bounded by the seller, not by what is rendered: each answer is written to the
store as soon as it is rendered (the store keeps only an index in memory), a listing is walked
one page at a time, and a report document, once saved to disk and stored as the download's
answer, is dropped from the sandbox's memory. Each step's own peak RSS is recorded. The
per-order and per-ticket pages (the "N+1" families, two million requests on ``medium``) can be
rendered apart from the listings (``listings`` / ``children``), in a second process: see
bench/serve.py.
"""

from __future__ import annotations

import base64
import ctypes
import gc
import gzip
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from bench.measure import peak_rss_mib, reset_peak_rss, rss_mib
from connectors.amazon_ads.settings import AmazonAdsSettings
from connectors.amazon_sp.marketplaces import local_date, time_zone
from connectors.amazon_sp.settings import AmazonSpSettings
from connectors.fx.settings import FxSettings
from connectors.http import find_next_token
from connectors.shopify.settings import ShopifySettings
from connectors.zendesk import streams as zendesk_streams
from connectors.zendesk.settings import ZendeskSettings
from sandbox.pagestore import PageStore, request_key
from sandbox.server import Sandbox
from sandbox.web import Response

log = logging.getLogger("bench.prerender")

SP_REPORTS = "/reports/2021-06-30"
ADS_REPORTS = "/reporting/reports"
ADS_CREATE_TYPE = "application/vnd.createasyncreportrequest.v3+json"
LEDGER_REPORT = "GET_LEDGER_SUMMARY_VIEW_DATA"
LEDGER_OPTIONS = {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"}
SHIPMENTS_REPORT = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
MAX_POLLS = 20
SAMPLE_REQUESTS = 5_000  # per family
# the per-parent families (one request per order / ticket) and the steps that walk them
CHILD_FAMILIES = ("amazon_order_items", "zendesk_ticket_comments")
CHILD_STEPS = ("amazon_orders", "zendesk_tickets")
SP_DOCUMENT_FAMILIES = ("amazon_inventory_ledger", "amazon_shipments")


@dataclass
class Listing:
    """The first request of one paginated listing: what the dlt peer is pointed at."""

    family: str
    path: str
    params: dict[str, str]
    # sent beside the cursor on later pages (the first request's filters are not repeated)
    next_params: dict[str, str] = field(default_factory=dict)


@dataclass
class Prerendered:
    """What was stored: pages per family, saved report documents, the listings walked."""

    pages: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    documents: dict[str, list[str]] = field(default_factory=dict)  # family -> saved files
    listings: list[Listing] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mib: dict[str, float] = field(default_factory=dict)  # per step, its own peak
    # the first requests of each family, replayed to measure the server alone
    samples: dict[str, list[dict]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "pages": self.pages,
            "bytes": self.bytes,
            "documents": self.documents,
            "listings": [vars(listing) for listing in self.listings],
            "seconds": {name: round(value, 2) for name, value in self.seconds.items()},
            "peak_rss_mib": {name: round(v, 1) for name, v in self.peak_rss_mib.items()},
            "samples": self.samples,
        }

    def merge(self, other: dict) -> None:
        """Add what another process pre-rendered (its ``as_json``) into this result."""
        for name in ("pages", "bytes"):
            for family, value in other[name].items():
                getattr(self, name)[family] = getattr(self, name).get(family, 0) + value
        for family, files in other["documents"].items():
            self.documents.setdefault(family, []).extend(files)
        self.listings += [Listing(**listing) for listing in other["listings"]]
        for step, value in other["seconds"].items():
            self.seconds[f"{step} (per-parent pages)"] = value
        for step, value in other["peak_rss_mib"].items():
            self.peak_rss_mib[f"{step} (per-parent pages)"] = value
        for family, sample in other["samples"].items():
            self.samples.setdefault(family, []).extend(sample)


class Prerenderer:
    """Walks the connectors' requests against one sandbox and fills its page store."""

    def __init__(
        self,
        sandbox: Sandbox,
        store: PageStore,
        env: Mapping[str, str],
        now: datetime,
        cursors: Mapping[str, str] | None = None,
        *,
        listings: bool = True,
        children: bool = True,
    ) -> None:
        # listings: every page but the per-parent ones; children: the per-order and per-ticket
        # pages (their listings are walked again, not stored); both by default
        self.listings = listings
        self.children = children
        self.sandbox = sandbox
        self.store = store
        self.env = dict(env)
        self.now = now.astimezone(UTC)
        self.cursors = dict(cursors or {})
        self.result = Prerendered()
        self._sp_headers: dict[str, str] = {}
        self._ads_headers: dict[str, str] = {}

    # -- plumbing ----------------------------------------------------------------------------

    def _ask(
        self,
        family: str,
        method: str,
        path: str,
        params: Mapping[str, str] | list[tuple[str, str]] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        store: bool = True,
    ) -> Response:
        query = urlencode(list(params.items()) if isinstance(params, Mapping) else params or [])
        response = self.sandbox.answer(method, path, query, body, headers)
        if response.status >= 400:
            raise RuntimeError(
                f"pre-render {method} {path}?{query} answered {response.status}: "
                f"{response.body[:300]!r}"
            )
        store = store and (self.children if family in CHILD_FAMILIES else self.listings)
        if store and self.store.put(family, request_key(method, path, query, body), response):
            self.result.pages[family] = self.result.pages.get(family, 0) + 1
            self.result.bytes[family] = self.result.bytes.get(family, 0) + len(response.body)
            sample = self.result.samples.setdefault(family, [])
            if len(sample) < SAMPLE_REQUESTS:
                # no headers: stored answers need none, and no credential lands in a file
                sample.append(
                    {"method": method, "path": path, "query": query, "body": body.decode("utf-8")}
                )
        return response

    def _save_document(self, family: str, url: str) -> None:
        """Keep a report document for the limit, in UTF-8 as the connector lands it (Amazon's
        EU reports come as Cp1252; connectors.amazon_sp.reports re-encodes them)."""
        parts = urlsplit(url)
        document = self.sandbox.answer("GET", parts.path, parts.query)
        if document.status != 200:
            raise RuntimeError(f"pre-render download of {family} answered {document.status}")
        body = document.body
        charset = document.headers.get("Content-Type", "").lower().partition("charset=")[2]
        if charset and charset.strip() not in ("utf-8", "utf8"):
            text = gzip.decompress(body).decode(charset.strip())
            body = gzip.compress(text.encode("utf-8"), compresslevel=1, mtime=0)
        files = self.result.documents.setdefault(family, [])
        path = self.store.directory / f"{family}.{len(files) + 1}.gz"
        path.write_bytes(body)
        files.append(path.name)
        # the download is answered from the store from now on: the sandbox can forget the
        # bytes of an SP-API document (its metadata route needs only the URL; an Ads report's
        # status also gives the file's size, so those are kept)
        key = request_key("GET", parts.path, parts.query)
        self.store.put(f"{family} document", key, document)
        if family in SP_DOCUMENT_FAMILIES:
            _forget_document_bytes(self.sandbox, parts.path.rsplit("/", 1)[-1])

    def _timed(self, name: str, step) -> None:  # noqa: ANN001 - a bound method
        reset_peak_rss()
        started = time.perf_counter()
        step()
        self.result.seconds[name] = time.perf_counter() - started
        self.result.peak_rss_mib[name] = peak_rss_mib()
        release_memory()
        log.info(
            "pre-rendered %s in %.1f s, peak RSS %.0f MiB, %.0f MiB after",
            name,
            self.result.seconds[name],
            self.result.peak_rss_mib[name],
            rss_mib(),
        )

    def run(self, steps: tuple[str, ...] | None = None) -> Prerendered:
        """Pre-render every stream (or only ``steps``); the order does not matter (nothing
        depends on another)."""
        for name, step in (
            ("amazon_orders", self.amazon_orders),
            ("amazon_refund_events", self.amazon_refund_events),
            ("amazon_inventory_summaries", self.amazon_inventory_summaries),
            ("amazon_inventory_ledger", self.amazon_inventory_ledger),
            ("amazon_shipments", self.amazon_shipments),
            ("amazon_ads", self.amazon_ads),
            ("shopify", self.shopify),
            ("zendesk_tickets", self.zendesk_tickets),
            ("zendesk_users", self.zendesk_users),
            ("fx_rates", self.fx_rates),
        ):
            if steps is None or name in steps:
                self._timed(name, step)
        return self.result

    # -- Amazon SP-API -----------------------------------------------------------------------

    def _sp(self) -> dict[str, str]:
        if not self._sp_headers:
            self._sp_headers = {"x-amz-access-token": self._lwa_token("AMAZON_SP_REFRESH_TOKEN")}
        return self._sp_headers

    def _lwa_token(self, refresh_variable: str) -> str:
        form = urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": self.env[refresh_variable],
                "client_id": self.env["AMAZON_LWA_CLIENT_ID"],
                "client_secret": self.env["AMAZON_LWA_CLIENT_SECRET"],
            }
        ).encode()
        answer = self.sandbox.answer(
            "POST",
            "/auth/o2/token",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        return json.loads(answer.body)["access_token"]

    def _sp_window(self, stream: str, repull: timedelta, sp: AmazonSpSettings):
        """connectors.amazon_sp.client.window: cursor minus re-pull (or history) to now - lag."""
        end = (self.now - sp.end_lag).replace(microsecond=0)
        stored = self.cursors.get(stream)
        if stored:
            start = datetime.fromisoformat(stored.replace("Z", "+00:00")) - repull
        else:
            start = self.now - timedelta(days=sp.history_days)
        return start.replace(microsecond=0), end

    def _follow_sp(
        self,
        family: str,
        path: str,
        params: dict[str, str],
        next_params: Mapping[str, str],
        token_param: str = "NextToken",
    ) -> Iterator[bytes]:
        """Each page of a NextToken listing, as it is stored (one page in memory at a time)."""
        query = dict(params)
        seen: set[str] = set()
        while True:
            body = self._ask(family, "GET", path, query, headers=self._sp()).body
            yield body
            token = find_next_token(body)
            if not token or token in seen:
                return
            seen.add(token)
            query = {**next_params, token_param: token}

    def amazon_orders(self) -> None:
        sp = AmazonSpSettings.from_env(self.env)
        start, end = self._sp_window("amazon_orders", sp.orders_repull, sp)
        if start >= end:
            return
        marketplaces = ",".join(sp.marketplace_ids)
        params = {
            "MarketplaceIds": marketplaces,
            "LastUpdatedAfter": _iso_z(start),
            "LastUpdatedBefore": _iso_z(end),
            "MaxResultsPerPage": str(sp.page_size),
        }
        path = "/orders/v0/orders"
        if self.listings:
            self.result.listings.append(
                Listing("amazon_orders", path, params, {"MarketplaceIds": marketplaces})
            )
        pages = self._follow_sp("amazon_orders", path, params, {"MarketplaceIds": marketplaces})
        for page in pages:
            if not self.children:
                continue
            for order in json.loads(page)["payload"]["Orders"]:
                items = f"{path}/{quote(order['AmazonOrderId'], safe='')}/orderItems"
                for _ in self._follow_sp("amazon_order_items", items, {}, {}):
                    pass

    def amazon_refund_events(self) -> None:
        sp = AmazonSpSettings.from_env(self.env)
        start, end = self._sp_window("amazon_refund_events", sp.refunds_repull, sp)
        if start >= end:
            return
        params = {
            "PostedAfter": _iso_z(start),
            "PostedBefore": _iso_z(end),
            "MaxResultsPerPage": str(sp.page_size),
        }
        path = "/finances/v0/financialEvents"
        self.result.listings.append(Listing("amazon_refund_events", path, params))
        for _ in self._follow_sp("amazon_refund_events", path, params, {}):
            pass

    def amazon_inventory_summaries(self) -> None:
        sp = AmazonSpSettings.from_env(self.env)
        for marketplace_id in sp.marketplace_ids:
            filters = {
                "details": "true",
                "granularityType": "Marketplace",
                "granularityId": marketplace_id,
                "marketplaceIds": marketplace_id,
            }
            pages = self._follow_sp(
                "amazon_inventory_summaries",
                "/fba/inventory/v1/summaries",
                filters,
                filters,
                token_param="nextToken",
            )
            for _ in pages:
                pass

    def amazon_inventory_ledger(self) -> None:
        """connectors.amazon_sp.reports.sync_inventory_ledger's windows, one report each."""
        sp = AmazonSpSettings.from_env(self.env)
        last_complete = {
            mp: local_date(mp, self.now) - timedelta(days=1) for mp in sp.marketplace_ids
        }
        stored = self.cursors.get("amazon_inventory_ledger")
        if stored:
            start_date = date.fromisoformat(stored) - sp.ledger_repull + timedelta(days=1)
        else:
            start_date = min(last_complete.values()) - timedelta(days=sp.history_days - 1)
        latest_end = (self.now - sp.end_lag).replace(microsecond=0)
        for mp, end_date in last_complete.items():
            if end_date < start_date:
                continue
            start = datetime.combine(start_date, clock_time.min, time_zone(mp)).astimezone(UTC)
            end = min(
                datetime.combine(end_date, clock_time(23, 59, 59), time_zone(mp)).astimezone(UTC),
                latest_end,
            )
            self._sp_report(
                "amazon_inventory_ledger", LEDGER_REPORT, mp, start, end, LEDGER_OPTIONS
            )

    def amazon_shipments(self) -> None:
        sp = AmazonSpSettings.from_env(self.env)
        start, end = self._sp_window("amazon_shipments", sp.shipments_repull, sp)
        if start >= end:
            return
        for mp in sp.marketplace_ids:
            self._sp_report("amazon_shipments", SHIPMENTS_REPORT, mp, start, end, None)

    def _sp_report(
        self,
        family: str,
        report_type: str,
        marketplace_id: str,
        start: datetime,
        end: datetime,
        options: Mapping[str, str] | None,
    ) -> None:
        spec: dict[str, object] = {
            "reportType": report_type,
            "marketplaceIds": [marketplace_id],
            "dataStartTime": _iso_z(start),
            "dataEndTime": _iso_z(end),
        }
        if options:
            spec["reportOptions"] = dict(options)
        headers = {**self._sp(), "Content-Type": "application/json"}
        created = self._ask(
            f"{family} report",
            "POST",
            f"{SP_REPORTS}/reports",
            headers=headers,
            body=json.dumps(spec).encode(),
        )
        report_id = json.loads(created.body)["reportId"]
        for _ in range(MAX_POLLS):
            status = json.loads(
                self._ask(
                    family,
                    "GET",
                    f"{SP_REPORTS}/reports/{report_id}",
                    headers=self._sp(),
                    store=False,
                ).body
            )
            if status["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
                break
        if status["processingStatus"] != "DONE":
            return
        document = json.loads(
            self._ask(
                family,
                "GET",
                f"{SP_REPORTS}/documents/{status['reportDocumentId']}",
                headers=self._sp(),
                store=False,
            ).body
        )
        self._save_document(family, document["url"])

    # -- Amazon Ads --------------------------------------------------------------------------

    def _ads(self) -> dict[str, str]:
        if not self._ads_headers:
            token = self._lwa_token("AMAZON_ADS_REFRESH_TOKEN")
            self._ads_headers = {
                "Authorization": f"Bearer {token}",
                "Amazon-Advertising-API-ClientId": self.env["AMAZON_LWA_CLIENT_ID"],
            }
        return self._ads_headers

    def amazon_ads(self) -> None:
        """Profiles, then every Sponsored Products report type the connector requests."""
        from connectors.amazon_ads import streams as ads_streams

        ads = AmazonAdsSettings.from_env(self.env)
        answer = self._ask("amazon_ads_profiles", "GET", "/v2/profiles", headers=self._ads())
        profiles = {str(p["profileId"]): p for p in json.loads(answer.body)}
        selected = list(ads.profile_ids) or list(profiles)
        reports = [
            (report.stream, report.report_type_id, list(report.group_by), list(report.columns))
            for report in (
                getattr(ads_streams, "SP_CAMPAIGNS", None),
                getattr(ads_streams, "SP_ADVERTISED_PRODUCTS", None),
            )
            if report is not None
        ] or [
            (
                ads_streams.CAMPAIGNS_STREAM,
                "spCampaigns",
                ["campaign"],
                list(ads_streams.SP_CAMPAIGN_COLUMNS),
            )
        ]
        for stream, report_type, group_by, columns in reports:
            for profile_id in selected:
                zone = time_zone_of(profiles[profile_id].get("timezone"))
                end = self.now.astimezone(zone).date() - timedelta(days=1)
                stored = self.cursors.get(f"{stream}:{profile_id}")
                if stored:
                    start = date.fromisoformat(stored) - ads.repull + timedelta(days=1)
                else:
                    start = end - timedelta(days=ads.history_days - 1)
                while start <= end:
                    chunk_end = min(start + timedelta(days=ads.max_report_days - 1), end)
                    self._ads_report(
                        stream, report_type, group_by, columns, profile_id, start, chunk_end
                    )
                    start = chunk_end + timedelta(days=1)

    def _ads_report(
        self,
        family: str,
        report_type: str,
        group_by: list[str],
        columns: list[str],
        profile_id: str,
        start: date,
        end: date,
    ) -> None:
        request = {
            "name": f"kpi-warehouse {report_type} {profile_id} {start}..{end}",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "configuration": {
                "adProduct": "SPONSORED_PRODUCTS",
                "groupBy": group_by,
                "columns": columns,
                "reportTypeId": report_type,
                "timeUnit": "DAILY",
                "format": "GZIP_JSON",
            },
        }
        scope = {**self._ads(), "Amazon-Advertising-API-Scope": profile_id}
        created = self._ask(
            f"{family} report",
            "POST",
            ADS_REPORTS,
            headers={**scope, "Content-Type": ADS_CREATE_TYPE},
            body=json.dumps(request).encode(),
        )
        report_id = json.loads(created.body)["reportId"]
        for _ in range(MAX_POLLS):
            report = json.loads(
                self._ask(
                    family, "GET", f"{ADS_REPORTS}/{report_id}", headers=scope, store=False
                ).body
            )
            if report.get("status") == "COMPLETED" and report.get("url"):
                self._save_document(family, report["url"])
                return
            if report.get("status") == "FAILED":
                raise RuntimeError(f"pre-render: ads report {report_id} FAILED")
        raise RuntimeError(f"pre-render: ads report {report_id} never completed")

    # -- Shopify -----------------------------------------------------------------------------

    def shopify(self) -> None:
        shop = ShopifySettings.from_env(self.env)
        base = urlsplit(shop.admin_url).path
        headers = {"X-Shopify-Access-Token": shop.access_token}
        self._ask("shopify_shops", "GET", f"{base}/shop.json", headers=headers)
        stored = self.cursors.get("shopify_orders")
        if stored:
            start = datetime.fromisoformat(stored).astimezone(UTC) - timedelta(
                days=shop.repull_days
            )
        else:
            start = self.now - timedelta(days=shop.history_days)
        params = {
            "status": "any",
            "updated_at_min": start.replace(microsecond=0).isoformat(),
            "limit": str(shop.page_size),
        }
        path, query = f"{base}/orders.json", list(params.items())
        self.result.listings.append(Listing("shopify_orders", path, params))
        seen: set[str] = set()
        while True:
            answer = self._ask("shopify_orders", "GET", path, query, headers=headers)
            following = _link_next(answer.headers.get("Link", ""))
            if not following or following in seen:
                return
            seen.add(following)
            parts = urlsplit(following)
            path, query = parts.path, parse_qsl(parts.query, keep_blank_values=True)

    # -- Zendesk -----------------------------------------------------------------------------

    def _zendesk(self, zendesk: ZendeskSettings) -> dict[str, str]:
        pair = f"{zendesk.auth[0]}:{zendesk.auth[1]}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}

    def _export(
        self,
        family: str,
        path: str,
        params: dict[str, str],
        extra: dict[str, str],
        headers: Mapping[str, str],
    ) -> Iterator[bytes]:
        """Each page of a cursor export, as it is stored; ``extra`` (page size, sideloads)
        rides on every page."""
        seen: set[str] = set()
        query = {**params, **extra}
        if self.listings:
            self.result.listings.append(Listing(family, path, query, dict(extra)))
        while True:
            body = self._ask(family, "GET", path, query, headers=headers).body
            yield body
            page = json.loads(body)
            after = page.get("after_cursor")
            if not after or after in seen or page.get("end_of_stream"):
                return
            seen.add(after)
            query = {"cursor": after, **extra}

    def zendesk_tickets(self) -> None:
        zendesk = ZendeskSettings.from_env(self.env)
        headers = self._zendesk(zendesk)
        stored = self.cursors.get("zendesk_tickets")
        start_time = int((self.now - timedelta(days=zendesk.history_days)).timestamp())
        params = {"cursor": stored} if stored else {"start_time": str(start_time)}
        extra = {"per_page": str(zendesk.export_page_size)}
        sideloads = getattr(zendesk_streams, "TICKET_SIDELOADS", None)
        if sideloads:
            extra["include"] = sideloads
        path = "/api/v2/incremental/tickets/cursor.json"
        newest: dict[int, tuple[int, str]] = {}
        for body in self._export("zendesk_tickets", path, params, extra, headers):
            if not self.children:
                continue
            for ticket in json.loads(body)["tickets"]:
                generated = ticket.get("generated_timestamp") or 0
                if generated >= newest.get(ticket["id"], (generated,))[0]:
                    newest[ticket["id"]] = (generated, ticket.get("status"))
        for ticket_id, (_generated, status) in newest.items():
            if status == "deleted":
                continue
            path, query = f"/api/v2/tickets/{ticket_id}/comments.json", []
            seen: set[str] = set()
            while True:
                answer = self._ask("zendesk_ticket_comments", "GET", path, query, headers=headers)
                following = json.loads(answer.body).get("next_page")
                if not following or following in seen:
                    break
                seen.add(following)
                parts = urlsplit(following)
                path, query = parts.path, parse_qsl(parts.query, keep_blank_values=True)

    def zendesk_users(self) -> None:
        zendesk = ZendeskSettings.from_env(self.env)
        headers = self._zendesk(zendesk)
        stored = self.cursors.get("zendesk_users")
        params = {"cursor": stored} if stored else {"start_time": "0"}
        extra = {"per_page": str(zendesk.export_page_size)}
        path = "/api/v2/incremental/users/cursor.json"
        for _ in self._export("zendesk_users", path, params, extra, headers):
            pass

    # -- FX ----------------------------------------------------------------------------------

    def fx_rates(self) -> None:
        fx = FxSettings.from_env(self.env)
        today = self.now.date()
        stored = self.cursors.get("fx_rates")
        if stored:
            start = date.fromisoformat(stored) - timedelta(days=7)
        else:
            start = today - timedelta(days=fx.history_days) - timedelta(days=7)
        base = urlsplit(fx.rates_url).path.rstrip("/")
        params = {"base": fx.reporting_currency, "symbols": ",".join(fx.quoted)}
        self._ask("fx_rates", "GET", f"{base}/v1/{start.isoformat()}..{today.isoformat()}", params)


def _forget_document_bytes(sandbox: Sandbox, quoted_name: str) -> None:
    state = sandbox._state  # noqa: SLF001 - the benchmark owns this sandbox
    with state.lock:
        for name, document in state.documents.items():
            if quote(name) == quoted_name:
                state.documents[name] = replace(document, body=b"")


def release_memory() -> None:
    """Hand what a step freed back to the system (a report of millions of rows is built as
    Python objects by the sandbox; without this the process keeps their pages)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the pages stay with the process
        pass


def time_zone_of(name: object):  # noqa: ANN201 - a ZoneInfo
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _link_next(header: str) -> str | None:
    for part in header.split(","):
        url, _, relation = part.partition(";")
        if 'rel="next"' in relation:
            return url.strip().strip("<>")
    return None


def write_manifest(result: Prerendered, store: PageStore, path: Path) -> None:
    """Where each family's pages and documents are, for the limit and the server-alone run."""
    manifest = result.as_json()
    manifest["files"] = {family: store.body_path(family).name for family in store.families}
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
