"""Shopify Admin REST streams: the shop and its orders, landed into ``raw``.

Grain: ``raw.shopify_shops`` one row per shop id; ``raw.shopify_orders`` one row per order id,
the copy with the newest ``updated_at`` winning. Test orders and cancelled orders are landed like
any other: the staging models decide what counts, so the raw layer stays a faithful copy.

Orders are read by ``updated_at`` from the stored cursor minus a 3-day re-pull window (first
run: ``history_days`` back), so an order edited again is read again; the upsert makes the repeat
harmless and a rerun of the same window changes nothing. A replay of one past day
(``settings.replay_day``) reads instead the orders created in that day's window
(``created_at_min``/``created_at_max``, each in its current state) and keeps the cursor. After
the first page the ``Link: rel="next"`` URL is followed exactly as given: Shopify answers 400 to
``status`` or ``updated_at_min`` beside ``page_info`` (the token already carries the filters).
Every order
row carries the shop's ``myshopify_domain`` (asked from ``shop.json`` at the start of the run),
which is what the staging models join an order to its shop's currency and time zone on.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import duckdb
import requests

from connectors.base import PageBuffer, StreamRun, as_utc, replay_window
from connectors.errors import AuthenticationError, ConnectorError
from connectors.http import PlatformSession, RepeatGuard, sanitize_url
from connectors.landing import JsonPages, read_cursor
from connectors.raw_tables import SHOPIFY_ORDERS, SHOPIFY_SHOPS
from connectors.shopify.settings import PLATFORM, ShopifySettings

log = logging.getLogger("connectors.shopify")

SHOP_STREAM = "shopify_shops"
ORDERS_STREAM = "shopify_orders"

SHOP_PAGE = JsonPages(records="$.shop", one_record=True)
ORDER_PAGES = JsonPages(records="$.orders")

# The newest order of a page, read by DuckDB from the page bytes: the cursor must be known
# before the last batch lands, because it is committed in that batch's transaction.
_PAGE_NEWEST_SQL = (
    "select max(cast(updated_at as timestamptz)) from "
    "(select unnest(json_extract_string(?, '$.orders[*].updated_at')) as updated_at)"
)


def sync_shop(
    con: duckdb.DuckDBPyConnection, settings: ShopifySettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land ``shop.json`` (currency, time zone) into ``raw.shopify_shops``; no cursor."""
    run = StreamRun(SHOP_STREAM)
    session = _open_session(settings)
    try:
        response = _get(session, "shop.json", stream=SHOP_STREAM, run=run)
    finally:
        session.session.close()
    buffer = PageBuffer(con, SHOPIFY_SHOPS, SHOP_PAGE, run, run_id=run_id)
    buffer.add(response.content)
    buffer.close()
    return run.finish(None)


def sync_orders(
    con: duckdb.DuckDBPyConnection, settings: ShopifySettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land every order updated since the cursor (minus 3 days) into ``raw.shopify_orders``.

    The new cursor is the newest ``updated_at`` landed, never older than the previous cursor
    (or, on a first run that finds nothing, the window start); it is committed with the last
    batch, so a failed run leaves the previous one in place.
    """
    now = as_utc(now)
    run = StreamRun(ORDERS_STREAM)
    stored = read_cursor(con, ORDERS_STREAM)
    previous = datetime.fromisoformat(stored).astimezone(UTC) if stored else None
    if previous is not None:
        start = previous - timedelta(days=settings.repull_days)
    else:
        start = now - timedelta(days=settings.history_days)
    start = start.replace(microsecond=0)
    newest = previous or start
    params = {
        "status": "any",
        "updated_at_min": start.isoformat(),
        "limit": str(settings.page_size),
    }
    if settings.replay_day is not None:
        created_min, created_max = replay_window(settings.replay_day)
        del params["updated_at_min"]
        params["created_at_min"] = created_min.isoformat()
        params["created_at_max"] = min(created_max, now).isoformat()
    guard = RepeatGuard(PLATFORM, ORDERS_STREAM)
    pages = 0
    session = _open_session(settings)
    try:
        buffer = PageBuffer(
            con,
            SHOPIFY_ORDERS,
            ORDER_PAGES,
            run,
            run_id=run_id,
            context={"shop_domain": _shop_domain(con, session, settings, run)},
            max_pages=settings.batch_pages,
        )
        response = _get(session, "orders.json", stream=ORDERS_STREAM, run=run, params=params)
        while True:
            pages += 1
            page_newest = _page_newest(con, response)
            buffer.add(response.content)
            if page_newest is not None and page_newest > newest:
                newest = page_newest
            next_url = response.links.get("next", {}).get("url")
            if not guard.is_new(next_url):
                break
            session.require_same_origin(next_url, stream=ORDERS_STREAM, setting="SHOPIFY_STORE_URL")
            response = _get(session, next_url, stream=ORDERS_STREAM, run=run)
    finally:
        session.session.close()
    cursor = newest.isoformat() if settings.replay_day is None else None
    buffer.close(cursor)
    log.info(
        "shopify_orders: %s, %d pages, %d orders, cursor %s",
        ", ".join(f"{k} {v}" for k, v in params.items() if k.endswith(("_min", "_max"))),
        pages,
        run.records,
        cursor or "kept",
    )
    return run.finish(cursor)


def _shop_domain(
    con: duckdb.DuckDBPyConnection,
    session: PlatformSession,
    settings: ShopifySettings,
    run: StreamRun,
) -> str:
    """The shop's ``myshopify_domain``: the key the staging models join orders to their shop.

    The store URL's host is not it for a custom domain (or the sandbox), so shop.json is asked.
    """
    response = _get(session, "shop.json", stream=ORDERS_STREAM, run=run)
    try:
        (domain,) = con.execute(
            "select json_extract_string(cast(? as varchar), '$.shop.myshopify_domain')",
            [response.content.decode("utf-8")],
        ).fetchone()
    except (UnicodeDecodeError, duckdb.Error) as exc:
        raise ConnectorError(
            PLATFORM,
            ORDERS_STREAM,
            f"{sanitize_url(response.url)} did not answer a shop: {type(exc).__name__}",
        ) from None
    if not domain:
        domain = urlsplit(settings.store_url).netloc
        log.warning("shop.json has no myshopify_domain; orders keep the store host %s", domain)
    return domain


def _open_session(settings: ShopifySettings) -> PlatformSession:
    return PlatformSession(
        PLATFORM,
        settings.admin_url,
        settings.http,
        headers={
            "X-Shopify-Access-Token": settings.access_token,
            "Accept": "application/json",
        },
    )


def _get(
    session: PlatformSession,
    url: str,
    *,
    stream: str,
    run: StreamRun,
    params: dict[str, str] | None = None,
) -> requests.Response:
    run.requests += 1
    response = session.get(url, stream=stream, params=params, expected=(200, 401, 403))
    if response.status_code in (401, 403):
        raise AuthenticationError(
            PLATFORM,
            stream,
            f"Shopify refused the request (HTTP {response.status_code}): check "
            "SHOPIFY_ACCESS_TOKEN (an Admin API token with read_orders scope) and that "
            "SHOPIFY_STORE_URL is that token's store",
        )
    return response


def _page_newest(con: duckdb.DuckDBPyConnection, response: requests.Response) -> datetime | None:
    try:
        (newest,) = con.execute(_PAGE_NEWEST_SQL, [response.content.decode("utf-8")]).fetchone()
    except (UnicodeDecodeError, duckdb.Error) as exc:
        raise ConnectorError(
            PLATFORM,
            ORDERS_STREAM,
            f"{sanitize_url(response.url)} did not answer an orders page: {type(exc).__name__}",
        ) from None
    return newest.astimezone(UTC) if newest is not None else None
