"""Shopify Admin REST: ``shop.json`` and ``orders.json`` with cursor pagination.

Enforced: ``X-Shopify-Access-Token`` on every call (401 otherwise); ``limit`` 1-250 (default
50); the default ``status`` is ``open`` (cancelled and archived orders need ``status=any``);
after the first page only ``limit`` and ``page_info`` may be sent (400 naming the extra
parameter otherwise); next and previous pages are announced in an RFC 5988 ``Link`` header.
Orders come newest id first; filters are applied to the order as it stands at ``as_of``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox import shopify
from sandbox.catalog import SHOPIFY_STORE
from sandbox.clock import parse_iso
from sandbox.state import SHOPIFY_ACCESS_TOKEN, ServerState
from sandbox.tokens import decode_page_info, encode_page_info
from sandbox.web import ROUTER, Request, Response, json_response

API = r"/admin/api/(?P<version>\d{4}-\d{2}|unstable)"
DEFAULT_LIMIT = 50
MAX_LIMIT = 250
FILTERS = ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max")
CALL_LIMIT = {"X-Shopify-Shop-Api-Call-Limit": "1/40"}
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def shopify_auth(request: Request) -> Response | None:
    if request.header("X-Shopify-Access-Token") != SHOPIFY_ACCESS_TOKEN:
        return json_response(401, {"errors": INVALID_TOKEN})
    return None


def bad_request(errors: object) -> Response:
    return json_response(400, {"errors": errors})


@ROUTER.route("GET", API + r"/shop\.json")
def shop(state: ServerState, request: Request) -> Response:
    return shopify_auth(request) or json_response(
        200, {"shop": state.data.shopify_shop_json()}, CALL_LIMIT
    )


def _filters(request: Request) -> tuple[dict, Response | None]:
    """The first page's filters, in a form a page_info token can carry."""
    status = request.param("status") or "open"
    if status not in ("open", "closed", "cancelled", "any"):
        return {}, bad_request({"status": [f"{status} is not a valid status"]})
    filters: dict = {"status": status}
    for name in FILTERS:
        text = request.param(name)
        if text is None:
            continue
        try:
            filters[name] = parse_iso(text, SHOPIFY_STORE.timezone)
        except ValueError:
            return {}, bad_request({name: [f"{text!r} is not a valid date-time"]})
    since = request.param("since_id")
    if since is not None:
        if not since.isdigit():
            return {}, bad_request({"since_id": ["must be an integer"]})
        filters["since_id"] = int(since)
    ids = request.param("ids")
    if ids:
        filters["ids"] = sorted({int(part) for part in ids.split(",") if part.strip().isdigit()})
    fields = request.param("fields")
    if fields:
        filters["fields"] = [part.strip() for part in fields.split(",") if part.strip()]
    financial = request.param("financial_status")
    if financial and financial != "any":
        filters["financial_status"] = financial
    return filters, None


def _keep(order: shopify.ShopifyOrder, filters: dict, as_of: int) -> bool:
    status = filters["status"]
    cancelled = shopify.is_cancelled(order, as_of)
    closed = shopify.is_closed(order, as_of)
    if status == "open" and (cancelled or closed):
        return False
    if status == "closed" and not closed:
        return False
    if status == "cancelled" and not cancelled:
        return False
    updated = shopify.updated_ts(order, as_of)
    if "updated_at_min" in filters and updated < filters["updated_at_min"]:
        return False
    if "updated_at_max" in filters and updated > filters["updated_at_max"]:
        return False
    if "created_at_min" in filters and order.created_ts < filters["created_at_min"]:
        return False
    if "created_at_max" in filters and order.created_ts > filters["created_at_max"]:
        return False
    if "since_id" in filters and order.order_id <= filters["since_id"]:
        return False
    if "ids" in filters and order.order_id not in filters["ids"]:
        return False
    return True


def _page(
    orders: list[shopify.ShopifyOrder], filters: dict, as_of: int, start: int, limit: int,
    forward: bool,
) -> tuple[list[int], bool]:  # fmt: skip
    """Indexes of one page from ``start`` (inclusive) in the given direction; more beyond?"""
    picked: list[int] = []
    index = start
    step = 1 if forward else -1
    while 0 <= index < len(orders):
        order = orders[index]
        if _keep(order, filters, as_of) and (
            "financial_status" not in filters
            or shopify.order_json(order, as_of)["financial_status"] == filters["financial_status"]
        ):
            if len(picked) == limit:
                return (picked if forward else picked[::-1]), True
            picked.append(index)
        index += step
    return (picked if forward else picked[::-1]), False


@ROUTER.route("GET", API + r"/orders\.json")
def orders(state: ServerState, request: Request) -> Response:
    denied = shopify_auth(request)
    if denied:
        return denied
    limit_text = request.param("limit") or str(DEFAULT_LIMIT)
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        return bad_request({"limit": [f"must be between 1 and {MAX_LIMIT}"]})
    limit = int(limit_text)
    page_info = request.param("page_info")
    if page_info is not None:
        extra = sorted(name for name in request.params if name not in ("limit", "page_info"))
        if extra:
            return bad_request(f"{extra[0]} cannot be passed when page_info is present")
        token = decode_page_info(page_info)
        if token is None or "f" not in token:
            return bad_request({"page_info": ["Invalid value."]})
        filters, start, forward = token["f"], token["p"], token["d"] == "next"
    else:
        filters, error = _filters(request)
        if error:
            return error
        start, forward = 0, True
    ordered = state.data.shopify_by_id_desc
    as_of = state.data.as_of
    picked, more = _page(ordered, filters, as_of, start, limit, forward)
    records = [shopify.order_json(ordered[index], as_of) for index in picked]
    if "fields" in filters:
        records = [{k: v for k, v in r.items() if k in filters["fields"]} for r in records]
    links = []
    version = request.group("version")
    base = f"{state.base_url}/admin/api/{version}/orders.json"
    if picked:
        has_previous = more if not forward else _page(
            ordered, filters, as_of, picked[0] - 1, 1, False
        )[0] != []  # fmt: skip
        has_next = more if forward else _page(ordered, filters, as_of, picked[-1] + 1, 1, True)[0]
        if has_previous:
            token = encode_page_info({"d": "prev", "f": filters, "p": picked[0] - 1})
            links.append(
                f'<{base}?{urlencode({"limit": limit, "page_info": token})}>; rel="previous"'
            )
        if has_next:
            token = encode_page_info({"d": "next", "f": filters, "p": picked[-1] + 1})
            links.append(f'<{base}?{urlencode({"limit": limit, "page_info": token})}>; rel="next"')
    headers = dict(CALL_LIMIT)
    if links:
        headers["Link"] = ", ".join(links)
    return json_response(200, {"orders": records}, headers)


@ROUTER.route("GET", API + r"/orders/count\.json")
def orders_count(state: ServerState, request: Request) -> Response:
    denied = shopify_auth(request)
    if denied:
        return denied
    filters, error = _filters(request)
    if error:
        return error
    as_of = state.data.as_of
    count = sum(1 for order in state.data.shopify_orders if _keep(order, filters, as_of))
    return json_response(200, {"count": count}, CALL_LIMIT)
