"""Login with Amazon and the Selling Partner API, as the sandbox serves them.

Contract rules enforced here (each a 400 ``InvalidInput`` unless said otherwise): SP-API calls
need an ``x-amz-access-token`` from the LWA endpoint (403 without); timestamps are ISO-8601
UTC with ``Z``; ``LastUpdatedBefore``/``CreatedBefore``/``PostedBefore`` must be at least two
minutes before now; ``MaxResultsPerPage`` is 1-100; ``NextToken`` must come back exactly as
given (it contains ``+``, ``/`` and ``=``). Report jobs advance one status per poll.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qs

from sandbox import amazon
from sandbox.clock import is_z_timestamp, iso_z, iso_z_millis, local_date, parse_iso
from sandbox.documents import publish, tsv
from sandbox.generator import channel_of
from sandbox.state import (
    ADS_REFRESH_TOKEN,
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    SP_REFRESH_TOKEN,
    Report,
    ServerState,
)
from sandbox.tokens import decode_sp_token, encode_sp_token
from sandbox.web import ROUTER, Request, Response, json_response

log = logging.getLogger("sandbox.api_amazon")

TWO_MINUTES = 120
ORDERS_RATE = {"x-amzn-RateLimit-Limit": "0.0167"}
ITEMS_RATE = {"x-amzn-RateLimit-Limit": "0.5"}
FINANCES_RATE = {"x-amzn-RateLimit-Limit": "0.5"}
INVENTORY_PAGE_SIZE = 50
REPORT_TYPES = ("GET_LEDGER_SUMMARY_VIEW_DATA", "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL")
SP_STATUSES = ("IN_QUEUE", "IN_PROGRESS", "DONE")


def sp_error(status: int, code: str, message: str, details: str = "") -> Response:
    payload = {"errors": [{"code": code, "message": message, "details": details}]}
    return json_response(status, payload, {"x-amzn-RequestId": "sandbox"})


def invalid(message: str) -> Response:
    return sp_error(400, "InvalidInput", message)


# ---------------------------------------------------------------------------------------------
# Login with Amazon


@ROUTER.route("POST", r"/auth/o2/token")
def lwa_token(state: ServerState, request: Request) -> Response:
    content_type = request.header("Content-Type") or ""
    if "json" in content_type:
        try:
            form = {k: str(v) for k, v in (request.json() or {}).items()}
        except ValueError:
            form = {}
    else:
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "refresh_token":
        return json_response(
            400,
            {"error": "unsupported_grant_type", "error_description": "Use refresh_token"},
        )
    audience = {SP_REFRESH_TOKEN: "sp", ADS_REFRESH_TOKEN: "ads"}.get(form.get("refresh_token"))
    if (
        form.get("client_id") != LWA_CLIENT_ID
        or form.get("client_secret") != LWA_CLIENT_SECRET
        or audience is None
    ):
        return json_response(
            400,
            {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            },
        )
    token = state.issue_token(audience)
    return json_response(
        200,
        {
            "access_token": token,
            "refresh_token": form["refresh_token"],
            "token_type": "bearer",
            "expires_in": 3600,
        },
    )


def sp_auth(state: ServerState, request: Request) -> Response | None:
    """403 unless the request carries an SP-API access token from the LWA endpoint."""
    if state.token_audience(request.header("x-amz-access-token")) != "sp":
        return sp_error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "The access token you provided is revoked, malformed or invalid.",
        )
    return None


# ---------------------------------------------------------------------------------------------
# shared checks


def _timestamp(request: Request, name: str) -> tuple[int | None, Response | None]:
    text = request.param(name)
    if text is None:
        return None, None
    if not is_z_timestamp(text):
        return None, invalid(f"{name} must be an ISO-8601 date-time in UTC ending in Z")
    return parse_iso(text), None


def _before(state: ServerState, request: Request, name: str) -> tuple[int, Response | None]:
    """The window's upper bound: given, or two minutes before now; never later than that."""
    latest = int(state.clock()) - TWO_MINUTES
    value, error = _timestamp(request, name)
    if error:
        return 0, error
    if value is None:
        return latest, None
    if value > latest:
        return 0, invalid(f"{name} must be a date-time at least two minutes before now")
    return value, None


def _page_size(request: Request, name: str = "MaxResultsPerPage") -> tuple[int, Response | None]:
    text = request.param(name)
    if text is None:
        return 100, None
    if not text.isdigit() or not 1 <= int(text) <= 100:
        return 0, invalid(f"{name} must be an integer from 1 to 100")
    return int(text), None


def _marketplaces(request: Request) -> tuple[list[str], Response | None]:
    values = [
        part for value in request.params.get("MarketplaceIds", []) for part in value.split(",")
    ]
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return [], invalid("MarketplaceIds is required")
    unknown = [value for value in values if channel_of(value) is None]
    if unknown:
        return [], invalid(f"Invalid marketplace identifier: {unknown[0]}")
    return values, None


def _token(request: Request, name: str, kind: str) -> tuple[dict | None, Response | None]:
    text = request.param(name)
    if text is None:
        return None, None
    decoded = decode_sp_token(text)
    if decoded is None or decoded.get("k") != kind:
        return None, invalid(f"Invalid {name}: {text!r} (send it URL-encoded, exactly as given)")
    return decoded, None


def _scan(
    items: list,
    position: int,
    end_key: int,
    key: Callable[[object], int],
    keep: Callable[[object], bool],
    size: int,
) -> tuple[list, int | None]:
    """Up to ``size`` kept items from ``position`` while key < end; and where the next one is."""
    page: list = []
    index = position
    while index < len(items) and key(items[index]) < end_key:
        if keep(items[index]):
            if len(page) == size:
                return page, index
            page.append(items[index])
        index += 1
    return page, None


# ---------------------------------------------------------------------------------------------
# Orders v0


@ROUTER.route("GET", r"/orders/v0/orders")
def get_orders(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    marketplaces, error = _marketplaces(request)
    if error:
        return error
    token, error = _token(request, "NextToken", "orders")
    if error:
        return error
    if token is None:
        statuses = [
            s for value in request.params.get("OrderStatuses", []) for s in value.split(",") if s
        ]
        size, error = _page_size(request)
        if error:
            return error
        updated_after, error = _timestamp(request, "LastUpdatedAfter")
        if error:
            return error
        created_after, error = _timestamp(request, "CreatedAfter")
        if error:
            return error
        if (updated_after is None) == (created_after is None):
            return invalid("Exactly one of CreatedAfter and LastUpdatedAfter is required")
        field = "u" if updated_after is not None else "c"
        before_name = "LastUpdatedBefore" if field == "u" else "CreatedBefore"
        before, error = _before(state, request, before_name)
        if error:
            return error
        after = updated_after if field == "u" else created_after
        assert after is not None
        if after >= before:
            return invalid(f"{before_name} must be later than the 'after' date-time")
        keys = state.order_update_keys if field == "u" else state.order_purchase_keys
        token = {
            "k": "orders",
            "f": field,
            "a": after,
            "b": before,
            "m": sorted(marketplaces),
            "s": statuses,
            "n": size,
            "p": bisect.bisect_left(keys, after),
        }
    elif sorted(marketplaces) != token["m"]:
        return invalid("MarketplaceIds must be the same as in the request that gave NextToken")
    data = state.data
    orders = data.amazon_orders_by_update if token["f"] == "u" else data.amazon_orders_by_purchase
    wanted = set(token["m"])
    statuses = set(token["s"])

    def keep(order: amazon.AmazonOrder) -> bool:
        return order.channel.marketplace_id in wanted and (not statuses or order.status in statuses)

    def key(order: amazon.AmazonOrder) -> int:
        return order.last_update_ts if token["f"] == "u" else order.purchase_ts

    page, following = _scan(orders, token["p"], token["b"], key, keep, token["n"])
    payload: dict = {"Orders": [amazon.order_json(order) for order in page]}
    if following is not None:
        payload["NextToken"] = encode_sp_token({**token, "p": following})
    bound = "LastUpdatedBefore" if token["f"] == "u" else "CreatedBefore"
    payload[bound] = iso_z(token["b"])
    return json_response(200, {"payload": payload}, ORDERS_RATE)


@ROUTER.route("GET", r"/orders/v0/orders/(?P<order_id>[^/]+)/orderItems")
def get_order_items(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    order_id = request.group("order_id")
    order = state.data.amazon_orders_by_id.get(order_id)
    if order is None:
        return sp_error(404, "NotFound", f"Order {order_id} was not found")
    token, error = _token(request, "NextToken", "items")
    if error:
        return error
    start = 0
    if token is not None:
        if token.get("o") != order_id:
            return invalid("NextToken belongs to another order")
        start = token["p"]
    size = state.order_items_page_size
    items = order.items[start : start + size]
    payload: dict = {
        "AmazonOrderId": order_id,
        "OrderItems": [amazon.item_json(order, item, state.data.as_of) for item in items],
    }
    if start + size < len(order.items):
        payload["NextToken"] = encode_sp_token({"k": "items", "o": order_id, "p": start + size})
    return json_response(200, {"payload": payload}, ITEMS_RATE)


# ---------------------------------------------------------------------------------------------
# Finances v0


@ROUTER.route("GET", r"/finances/v0/financialEvents")
def list_financial_events(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    token, error = _token(request, "NextToken", "finances")
    if error:
        return error
    if token is None:
        size, error = _page_size(request)
        if error:
            return error
        after, error = _timestamp(request, "PostedAfter")
        if error:
            return error
        if after is None:
            return invalid("PostedAfter is required")
        before, error = _before(state, request, "PostedBefore")
        if error:
            return error
        if after >= before:
            return invalid("PostedBefore must be later than PostedAfter")
        token = {
            "k": "finances",
            "a": after,
            "b": before,
            "n": size,
            "p": bisect.bisect_left(state.refund_keys, after),
        }
    page, following = _scan(
        state.data.amazon_refunds,
        token["p"],
        token["b"],
        lambda refund: refund.posted_ts,
        lambda refund: True,
        token["n"],
    )
    payload: dict = {
        "FinancialEvents": {
            "ShipmentEventList": [],
            "RefundEventList": [amazon.refund_event_json(refund) for refund in page],
            "GuaranteeClaimEventList": [],
            "ChargebackEventList": [],
            "ServiceFeeEventList": [],
            "AdjustmentEventList": [],
        }
    }
    if following is not None:
        payload["NextToken"] = encode_sp_token({**token, "p": following})
    return json_response(200, {"payload": payload}, FINANCES_RATE)


# ---------------------------------------------------------------------------------------------
# FBA inventory v1


@ROUTER.route("GET", r"/fba/inventory/v1/summaries")
def inventory_summaries(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    if request.param("granularityType") != "Marketplace":
        return invalid("granularityType must be Marketplace")
    marketplace = request.param("granularityId") or ""
    channel = channel_of(marketplace)
    if channel is None:
        return invalid(f"Invalid granularityId: {marketplace}")
    listed = (request.param("marketplaceIds") or "").split(",")
    if listed != [marketplace]:
        return invalid("marketplaceIds must name the granularityId marketplace")
    token, error = _token(request, "nextToken", "inventory")
    if error:
        return error
    start = token["p"] if token else 0
    if token and token.get("m") != marketplace:
        return invalid("nextToken belongs to another marketplace")
    wanted = {sku for value in request.params.get("sellerSkus", []) for sku in value.split(",")}
    summaries = [
        summary
        for summary in state.data.amazon_inventory_json(marketplace)
        if not wanted or summary["sellerSku"] in wanted
    ]
    page = summaries[start : start + INVENTORY_PAGE_SIZE]
    if request.param("details") != "true":
        page = [{k: v for k, v in s.items() if k != "inventoryDetails"} for s in page]
    body: dict = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": marketplace},
            "inventorySummaries": page,
        }
    }
    if start + INVENTORY_PAGE_SIZE < len(summaries):
        following = {"k": "inventory", "m": marketplace, "p": start + INVENTORY_PAGE_SIZE}
        body["pagination"] = {"nextToken": encode_sp_token(following)}
    return json_response(200, body, {"x-amzn-RateLimit-Limit": "2.0"})


# ---------------------------------------------------------------------------------------------
# Reports 2021-06-30


@ROUTER.route("POST", r"/reports/2021-06-30/reports")
def create_report(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    try:
        spec = request.json()
    except ValueError:
        return invalid("The body must be JSON")
    if not isinstance(spec, dict):
        return invalid("The body must be a JSON object")
    report_type = spec.get("reportType")
    if report_type not in REPORT_TYPES:
        return invalid(f"Report type {report_type!r} is not served by the sandbox")
    marketplaces = spec.get("marketplaceIds") or []
    if not marketplaces or any(channel_of(mp) is None for mp in marketplaces):
        return invalid("marketplaceIds must list known marketplaces")
    try:
        for name in ("dataStartTime", "dataEndTime"):
            if spec.get(name):
                parse_iso(str(spec[name]))
    except ValueError:
        return invalid("dataStartTime and dataEndTime must be ISO-8601 date-times")
    if report_type == "GET_LEDGER_SUMMARY_VIEW_DATA":
        options = spec.get("reportOptions") or {}
        if (
            options.get("aggregateByLocation", "COUNTRY") != "COUNTRY"
            or options.get("aggregatedByTimePeriod", "DAILY") != "DAILY"
        ):
            return invalid("The sandbox serves the ledger by COUNTRY and DAILY only")
    serial = state.next_serial()
    report_id = str(50_000_000_000 + serial)
    report = Report(report_id=report_id, kind="sp", spec=spec, created_ts=state.clock())
    with state.lock:
        state.reports[report_id] = report
    log.info("report %s created: %s", report_id, report_type)
    return json_response(202, {"reportId": report_id})


def _report_window(state: ServerState, spec: dict) -> tuple[int, int]:
    end = parse_iso(str(spec["dataEndTime"])) if spec.get("dataEndTime") else state.data.as_of
    start = parse_iso(str(spec["dataStartTime"])) if spec.get("dataStartTime") else end - 30 * 86400
    return start, end


def _build_document(state: ServerState, report: Report) -> tuple[bytes, str, int]:
    spec = report.spec
    start, end = _report_window(state, spec)
    marketplaces = spec["marketplaceIds"]
    european = all(channel_of(mp).key == "DE" for mp in marketplaces)
    encoding, charset = ("cp1252", "Cp1252") if european else ("utf-8", "UTF-8")
    rows: list[dict[str, str]] = []
    if spec["reportType"] == "GET_LEDGER_SUMMARY_VIEW_DATA":
        header = amazon.LEDGER_HEADER
        for mp in marketplaces:
            tz = channel_of(mp).timezone
            first, last = local_date(start, tz), local_date(end, tz)
            for row in state.data.amazon_ledger_rows(mp):
                day = date(int(row["Date"][6:]), int(row["Date"][:2]), int(row["Date"][3:5]))
                if first <= day <= last:
                    rows.append(row)
    else:
        header = amazon.SHIPMENTS_HEADER
        for mp in marketplaces:
            for order, item in state.data.shipped_items(mp):
                if start <= item.ship_ts <= end:
                    rows.append(amazon.shipment_row(order, item))
    return tsv(header, rows, encoding), f"text/plain; charset={charset}", len(rows)


@ROUTER.route("GET", r"/reports/2021-06-30/reports/(?P<report_id>[^/]+)")
def get_report(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    with state.lock:
        report = state.reports.get(request.group("report_id"))
        if report is None or report.kind != "sp":
            return sp_error(404, "NotFound", "The report was not found")
        report.polls += 1
        polls = report.polls
        if polls >= state.report_polls and not report.document_id:
            raw, content_type, count = _build_document(state, report)
            report.rows = count
            if count:
                document_id = f"amzn1.spdoc.1.4.na.{report.report_id}.sandbox"
                publish(state, document_id, raw, content_type)
                report.document_id = document_id
            else:
                report.document_id = "-"  # no data: Amazon cancels the report
    if polls >= state.report_polls:
        status = "DONE" if report.document_id != "-" else "CANCELLED"
    else:
        status = SP_STATUSES[0] if polls == 1 else SP_STATUSES[1]
    start, end = _report_window(state, report.spec)
    body = {
        "reportId": report.report_id,
        "reportType": report.spec["reportType"],
        "dataStartTime": iso_z_millis(start),
        "dataEndTime": iso_z_millis(end),
        "marketplaceIds": report.spec["marketplaceIds"],
        "createdTime": iso_z_millis(int(report.created_ts)),
        "processingStatus": status,
    }
    if status != "IN_QUEUE":
        body["processingStartTime"] = iso_z_millis(int(report.created_ts) + 1)
    if status in ("DONE", "CANCELLED"):
        body["processingEndTime"] = iso_z_millis(int(report.created_ts) + 2)
    if status == "DONE":
        body["reportDocumentId"] = report.document_id
    return json_response(200, body)


@ROUTER.route("GET", r"/reports/2021-06-30/documents/(?P<document_id>[^/]+)")
def get_report_document(state: ServerState, request: Request) -> Response:
    denied = sp_auth(state, request)
    if denied:
        return denied
    document_id = request.group("document_id")
    with state.lock:
        document = state.documents.get(document_id)
    if document is None:
        return sp_error(404, "NotFound", "The report document was not found")
    return json_response(
        200,
        {"reportDocumentId": document_id, "url": document.url, "compressionAlgorithm": "GZIP"},
    )
