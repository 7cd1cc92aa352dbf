"""Finish a per-parent stream from the saved pages, through our landing code, without HTTP.

On ``medium`` the two streams that make one request per parent (SP-API getOrderItems per order,
Zendesk comments per ticket: 2.0 M and 0.5 M requests, the platforms' contracts) are landed
through the real connector for a fixed time only (bench/budget.py). The rest of their records
is landed here, so that the raw tables hold the full seller-year and the dbt build measures it:
the same pages the connector would have asked for, read from the pre-rendered store instead of
over HTTP, in the order the connector asks for them, handed to the connector's own page
shapes, envelopes and batch buffers (``connectors.landing``: one transaction per batch, the
same merge, the cursor committed last), in larger batches (``FILL_BATCH_PAGES``). No record
is landed from Python objects: DuckDB reads the page bytes, as in the connectors.

Starting from a connector run that was stopped half way, the result is what that connector
would have left after running to its end (tests/bench/test_budget.py compares both, row by
row): the orders stream asks the warehouse which orders still lack their items, as the connector
does on a rerun; the tickets stream walks the export again from the stored cursor and reads every
ticket's comments (the connector's rerun does the same; unchanged rows are left as they are).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import duckdb

from connectors.amazon_sp.client import iso_z, window
from connectors.amazon_sp.orders import (
    ITEM_PAGES,
    ORDER_PAGES,
    ORDERS_PATH,
    ORDERS_STREAM,
    _Enveloped,
    _orders_needing_items,
)
from connectors.amazon_sp.settings import AmazonSpSettings
from connectors.base import PageBuffer, StreamRun, as_utc
from connectors.http import find_next_token
from connectors.landing import read_cursor, wrap_page
from connectors.raw_tables import (
    AMAZON_ORDER_ITEMS,
    AMAZON_ORDERS,
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKETS,
)
from connectors.zendesk import streams as zendesk
from connectors.zendesk.settings import ZendeskSettings
from sandbox.pagestore import PageStore

log = logging.getLogger("bench.fill")


# pages per landing batch: larger than a connector's (200), as one bulk load from disk would
# take them; each batch's merge scans the raw table's keys, so a seller-year's two million
# per-order pages in batches of 200 would spend most of their time re-reading the table
FILL_BATCH_PAGES = 10_000


class MissingPage(LookupError):
    """The store does not hold a page the connector would ask for (the pre-render drifted)."""


def _page(store: PageStore, path: str, params: Mapping[str, str]) -> bytes:
    answer = store.lookup("GET", path, urlencode(list(params.items())))
    if answer is None or answer.status != 200:
        raise MissingPage(f"no saved page for GET {path}?{urlencode(list(params.items()))}")
    return answer.body


def _token_pages(
    store: PageStore, path: str, params: Mapping[str, str], next_params: Mapping[str, str]
) -> Iterator[bytes]:
    """Every page of a NextToken listing, as connectors.amazon_sp.client.follow_pages walks it."""
    query, seen = dict(params), set()
    while True:
        body = _page(store, path, query)
        yield body
        token = find_next_token(body)
        if not token or token in seen:
            return
        seen.add(token)
        query = {**next_params, "NextToken": token}


def fill_amazon_orders(
    con: duckdb.DuckDBPyConnection,
    store: PageStore,
    settings: AmazonSpSettings,
    *,
    run_id: str,
    now: datetime,
    listing_complete: bool,
) -> StreamRun:
    """Land what a stopped ``sync_orders`` left: the order listing again unless it was read to
    its end, then the items of every order still missing them; the cursor last."""
    now = as_utc(now)
    run = StreamRun(ORDERS_STREAM)
    start, end = window(con, ORDERS_STREAM, now, repull=settings.orders_repull, settings=settings)
    cursor = iso_z(end)
    if not listing_complete and start < end:
        marketplaces = ",".join(settings.marketplace_ids)
        params = {
            "MarketplaceIds": marketplaces,
            "LastUpdatedAfter": iso_z(start),
            "LastUpdatedBefore": cursor,
            "MaxResultsPerPage": str(settings.page_size),
        }
        orders = PageBuffer(
            con, AMAZON_ORDERS, ORDER_PAGES, run, run_id=run_id, max_pages=FILL_BATCH_PAGES
        )
        for body in _token_pages(store, ORDERS_PATH, params, {"MarketplaceIds": marketplaces}):
            orders.add(body)
        orders.close()
    pending = _orders_needing_items(con, run_id, start)
    items = PageBuffer(
        con, AMAZON_ORDER_ITEMS, ITEM_PAGES, run, run_id=run_id, max_pages=FILL_BATCH_PAGES
    )
    for order_id, last_update in pending:
        one_order = _Enveloped(order_last_update_date=last_update)
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/orderItems"
        for body in _token_pages(store, path, {}, {}):
            one_order.add(body)
        items.add_together(one_order.pages)
    items.close(cursor)
    run.requests = len(pending)
    log.info("filled amazon_orders: items of %d orders, %d records", len(pending), run.records)
    return run.finish(cursor)


def fill_zendesk_tickets(
    con: duckdb.DuckDBPyConnection,
    store: PageStore,
    settings: ZendeskSettings,
    *,
    run_id: str,
    now: datetime,
) -> StreamRun:
    """Land what a stopped ``sync_tickets`` left: the export from the stored cursor (tickets
    and their metric sets), every listed ticket's comments, then the cursor."""
    run = StreamRun(zendesk.TICKETS_STREAM)
    stored = read_cursor(con, zendesk.TICKETS_STREAM)
    start_time = int((as_utc(now) - timedelta(days=settings.history_days)).timestamp())
    path = "/" + zendesk.TICKETS_EXPORT
    extra = {"per_page": str(settings.export_page_size), "include": zendesk.TICKET_SIDELOADS}
    params = {"cursor": stored} if stored else {"start_time": str(start_time)}
    params |= extra
    tickets = PageBuffer(
        con,
        ZENDESK_TICKETS,
        zendesk.TICKET_PAGES,
        run,
        run_id=run_id,
        max_pages=FILL_BATCH_PAGES,
    )
    metric_sets = PageBuffer(
        con,
        ZENDESK_TICKET_METRICS,
        zendesk.METRIC_SET_PAGES,
        run,
        run_id=run_id,
        max_pages=FILL_BATCH_PAGES,
    )
    newest: dict[str, tuple[int, str]] = {}
    cursor, seen = stored, set()
    while True:
        body = _page(store, path, params)
        (after, end_of_stream), *_ = con.execute(
            zendesk._EXPORT_POSITION_SQL, [body.decode("utf-8")]
        ).fetchall()
        for ticket_id, generated, status in con.execute(
            zendesk._PAGE_TICKETS_SQL, [body.decode("utf-8")]
        ).fetchall():
            if generated is not None and generated >= newest.get(ticket_id, (generated,))[0]:
                newest[ticket_id] = (generated, status)
        tickets.add(body)
        metric_sets.add(body)
        if not after or after in seen:
            break
        seen.add(after)
        cursor = after
        if end_of_stream:
            break
        params = {"cursor": after, **extra}
    comments = PageBuffer(
        con,
        ZENDESK_TICKET_COMMENTS,
        zendesk.COMMENT_PAGES,
        run,
        run_id=run_id,
        max_pages=FILL_BATCH_PAGES,
    )
    for ticket_id, (generated, status) in newest.items():
        if status == "deleted":
            continue
        url, asked = f"/api/v2/tickets/{ticket_id}/comments.json", set()
        query: dict[str, str] = {}
        while True:
            body = _page(store, url, query)
            # what the loop needs from the page (the connector asks DuckDB; one query per page
            # would cost more than the landing here)
            page = json.loads(body)
            next_page, count = page.get("next_page"), len(page.get("comments") or ())
            if count:
                comments.add(
                    wrap_page(body, ticket_id=ticket_id, ticket_generated_timestamp=str(generated))
                )
            if not next_page or next_page in asked:
                break
            asked.add(next_page)
            following = urlsplit(next_page)
            url, query = following.path, dict(parse_qsl(following.query, keep_blank_values=True))
        run.requests += 1
    comments.close()
    metric_sets.close()
    tickets.close(cursor)
    log.info("filled zendesk_tickets: comments of %d tickets, %d records", len(newest), run.records)
    return run.finish(cursor)


FILLS = {"amazon_orders": fill_amazon_orders, "zendesk_tickets": fill_zendesk_tickets}
