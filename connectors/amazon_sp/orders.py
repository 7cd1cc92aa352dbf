"""SP-API Orders v0: orders by last-update window, then the items of every changed order.

Grain: ``raw.amazon_orders`` one row per AmazonOrderId, the copy with the newest LastUpdateDate
winning (the same order on two pages, or in two runs, collapses to one row);
``raw.amazon_order_items`` one row per (AmazonOrderId, OrderItemId), versioned by its order's
LastUpdateDate. Buyer and address fields are dropped at landing (see raw_tables).

Window: LastUpdatedAfter = stored cursor minus 3 days (first run: ``history_days`` back) to
LastUpdatedBefore = now minus 2 minutes, every configured marketplace in one call (getOrders takes
up to 50 MarketplaceIds). The cursor is that window end. A replay of one past day
(``settings.replay_day``) reads instead the orders *created* in that day's window
(CreatedAfter/CreatedBefore, each in its current state) and leaves the cursor as it is.

Items: getOrderItems is asked for every order whose stored items are older than the order
itself (none yet, or landed for an earlier LastUpdateDate), among the orders landed by this run
or last updated inside this window. Asking the warehouse rather than remembering ids in memory
makes the stream crash-safe: the orders land before their items, all items pages of one order
land in the same batch, the cursor moves only after the last items, and a run that died half way
asks again for exactly the orders still missing items.
It also means an unchanged order is never asked twice, which matters on an endpoint limited to
about one call every two seconds. (An order that genuinely has no items is asked again on each
run while it stays inside the re-pull window: harmless, a few calls.)

Rate limits: a 429 QuotaExceeded is retried by the shared HTTP layer after ``Retry-After`` or,
when absent, one token interval from ``x-amzn-RateLimit-Limit``; a page is added to the batch only
once it answered 200, so every order's items land exactly once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import quote

import duckdb

from connectors.amazon_sp.client import follow_pages, iso_z, open_session, window
from connectors.amazon_sp.settings import PLATFORM, AmazonSpSettings
from connectors.base import PageBuffer, StreamRun, as_utc
from connectors.http import RepeatGuard
from connectors.landing import JsonPages, ensure_state_tables, wrap_page
from connectors.raw_tables import AMAZON_ORDER_ITEMS, AMAZON_ORDERS

log = logging.getLogger("connectors.amazon_sp")

ORDERS_STREAM = "amazon_orders"
ORDERS_PATH = "/orders/v0/orders"
_BY_UPDATE = ("LastUpdatedAfter", "LastUpdatedBefore")

ORDER_PAGES = JsonPages(records="$.payload.Orders")
# items pages travel in an envelope carrying their order's LastUpdateDate (wrap_page), so the
# items of thousands of orders land in a few large batches
ITEM_PAGES = JsonPages(
    records="$.page.payload.OrderItems",
    page_columns={
        "amazon_order_id": "$.page.payload.AmazonOrderId",
        "order_last_update_date": "$.order_last_update_date",
    },
)

# Orders whose items are missing or older than the order, oldest change first.
_ORDERS_NEEDING_ITEMS = f"""
    select orders.amazon_order_id, orders._record ->> 'LastUpdateDate' as last_update_date
    from {AMAZON_ORDERS.qualified} as orders
    where (orders._run_id = $run_id or orders._version >= $window_start)
        and not exists (
            select 1
            from {AMAZON_ORDER_ITEMS.qualified} as items
            where items.amazon_order_id = orders.amazon_order_id
                and items._version >= orders._version
        )
    order by orders._version, orders.amazon_order_id
"""


def sync_orders(
    con: duckdb.DuckDBPyConnection, settings: AmazonSpSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the orders updated in this run's window, then the items of every changed order."""
    now = as_utc(now)
    run = StreamRun(ORDERS_STREAM)
    start, end = window(con, ORDERS_STREAM, now, repull=settings.orders_repull, settings=settings)
    cursor = iso_z(end)
    replay = settings.replay_day is not None
    after, before = ("CreatedAfter", "CreatedBefore") if replay else _BY_UPDATE
    orders = PageBuffer(
        con, AMAZON_ORDERS, ORDER_PAGES, run, run_id=run_id, max_pages=settings.batch_pages
    )
    order_pages = item_pages = 0
    guard = RepeatGuard(PLATFORM, ORDERS_STREAM)
    with open_session(settings) as session:
        if start < end:
            marketplaces = ",".join(settings.marketplace_ids)
            order_pages = follow_pages(
                session,
                ORDERS_PATH,
                orders,
                stream=ORDERS_STREAM,
                guard=guard,
                params={
                    "MarketplaceIds": marketplaces,
                    after: iso_z(start),
                    before: cursor,
                    "MaxResultsPerPage": str(settings.page_size),
                },
                next_params={"MarketplaceIds": marketplaces},
            )
        orders.close()
        pending = _orders_needing_items(con, run_id, start)
        items = PageBuffer(
            con, AMAZON_ORDER_ITEMS, ITEM_PAGES, run, run_id=run_id, max_pages=settings.batch_pages
        )
        for order_id, last_update in pending:
            one_order = _Enveloped(order_last_update_date=last_update)
            item_pages += follow_pages(
                session,
                f"{ORDERS_PATH}/{quote(order_id, safe='')}/orderItems",
                one_order,
                stream=ORDERS_STREAM,
                params={},
                next_params={},
            )
            items.add_together(one_order.pages)
        # a repeated token cut the window short: keep the stored cursor so the next run reads
        # the whole window again (upserts make the re-read harmless); a replay keeps it too
        keep_cursor = guard.repeated or replay
        items.close(None if keep_cursor else cursor)
        run.requests = session.requests
    log.info(
        "amazon_orders: %s %s..%s, %d order pages, items of %d orders in %d pages, "
        "%d records, cursor %s",
        after.removesuffix("After"),
        iso_z(start),
        cursor,
        order_pages,
        len(pending),
        item_pages,
        run.records,
        "kept" if keep_cursor else cursor,
    )
    return run.finish(None if keep_cursor else cursor)


class _Enveloped:
    """Collects one order's items pages inside the envelope that carries its version.

    They are handed to the buffer together, so they land in one transaction: a run killed
    between two of them must not leave the order with part of its items, which would look
    complete to the next run (its stored items are as new as the order) and never be asked again.
    """

    def __init__(self, **context: str) -> None:
        self.context = context
        self.pages: list[bytes] = []

    def add(self, body: bytes) -> None:
        self.pages.append(wrap_page(body, **self.context))


def _orders_needing_items(
    con: duckdb.DuckDBPyConnection, run_id: str, window_start: datetime
) -> list[tuple[str, str]]:
    ensure_state_tables(con)
    con.execute(AMAZON_ORDERS.ddl())
    con.execute(AMAZON_ORDER_ITEMS.ddl())
    rows = con.execute(
        _ORDERS_NEEDING_ITEMS, {"run_id": run_id, "window_start": window_start}
    ).fetchall()
    return [(str(order_id), str(last_update)) for order_id, last_update in rows]
