"""Zendesk Support streams: tickets with their comments, and users, landed into ``raw``.

Grain: ``raw.zendesk_tickets`` one row per ticket id and ``raw.zendesk_ticket_comments`` one row
per comment id, the copy read with the newest ticket ``generated_timestamp`` winning;
``raw.zendesk_users`` one row per user id, the newest ``updated_at`` winning.

Tickets come from the cursor-based incremental export. The first run starts ``history_days``
back; later runs resume from the stored ``after_cursor``, which is exact, so there is no re-pull
window. A replay of one past day (``settings.replay_day``) reads the export from that day's
window start instead (connectors.base.replay_window), stops at the first page past its end, and
keeps the cursor: the tickets whose latest change falls in the window, with their comments.
The export lists a ticket again each time it changes, even inside one run: the landing
keeps one row per ticket (newest ``generated_timestamp``), and its comments are read once, with
that newest timestamp as their version. The tickets cursor is committed with the last tickets
batch, after every comment of the run has landed: a run that fails halfway reads the same tickets
and comments again next time, and the upserts make the repeat harmless.

Every export call asks for the ``metric_sets`` sideload: beside ``tickets`` each page then
carries Zendesk's ticket metrics (reply, resolution and wait times, reopens) of the same tickets,
landed from the same page bytes into ``raw.zendesk_ticket_metrics`` (one row per ticket, the
newest ``updated_at`` winning) before the cursor is committed. The warehouse takes each
ticket's solve time and reopens from them and checks its own reply times against them.

Users come from the incremental users export, which the first run starts at 0 (every user): the
agents who answer tickets are usually older than any history window, and response-time KPIs need
their role.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import duckdb
import requests

from connectors.base import PageBuffer, StreamRun, as_utc, replay_window
from connectors.errors import AuthenticationError, ConnectorError, RecordError
from connectors.http import PlatformSession, RepeatGuard, sanitize_url
from connectors.landing import JsonPages, LoadResult, read_cursor, wrap_page
from connectors.raw_tables import (
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKETS,
    ZENDESK_USERS,
)
from connectors.zendesk.settings import PLATFORM, ZendeskSettings

log = logging.getLogger("connectors.zendesk")

TICKETS_STREAM = "zendesk_tickets"
USERS_STREAM = "zendesk_users"
TICKETS_EXPORT = "api/v2/incremental/tickets/cursor.json"
USERS_EXPORT = "api/v2/incremental/users/cursor.json"

TICKET_PAGES = JsonPages(records="$.tickets")
# the same export pages, read for their sideload; a page without it lands no metrics
METRIC_SET_PAGES = JsonPages(records="$.metric_sets")
TICKET_SIDELOADS = "metric_sets"  # the export's ``include``
# comments pages travel in an envelope naming their ticket and its version (wrap_page), so the
# comments of many tickets land in a few large batches
COMMENT_PAGES = JsonPages(
    records="$.page.comments",
    page_columns={
        "ticket_id": "$.ticket_id",
        "ticket_generated_timestamp": "$.ticket_generated_timestamp",
    },
)
USER_PAGES = JsonPages(records="$.users")

# What the loop needs from a page, read by DuckDB from its bytes (the records themselves are
# parsed once, by the landing's reader).
_EXPORT_POSITION_SQL = (
    "select json_extract_string(p, '$.after_cursor'), "
    "coalesce(try_cast(json_extract(p, '$.end_of_stream') as boolean), false) "
    "from (select cast(? as varchar) as p)"
)
_PAGE_TICKETS_SQL = (
    "select t->>'id', cast(t->>'generated_timestamp' as bigint), t->>'status' "
    "from (select unnest(json_extract(cast(? as varchar), '$.tickets[*]')) as t)"
)
_COMMENT_PAGE_SQL = (
    "select json_extract_string(p, '$.next_page'), coalesce(json_array_length(p, '$.comments'), 0) "
    "from (select cast(? as varchar) as p)"
)


def sync_tickets(
    con: duckdb.DuckDBPyConnection, settings: ZendeskSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the tickets changed since the stored cursor, and the comments of each of them."""
    run = StreamRun(TICKETS_STREAM)
    stored = read_cursor(con, TICKETS_STREAM)
    start_time = _unix(as_utc(now) - timedelta(days=settings.history_days))
    until: int | None = None  # a replay stops after the first page reaching past this
    if settings.replay_day is not None:
        window_start, window_end = replay_window(settings.replay_day)
        stored, start_time, until = None, _unix(window_start), _unix(window_end)
    page_newest = 0
    tickets = PageBuffer(
        con, ZENDESK_TICKETS, TICKET_PAGES, run, run_id=run_id, max_pages=settings.batch_pages
    )
    metric_sets = PageBuffer(
        con,
        ZENDESK_TICKET_METRICS,
        METRIC_SET_PAGES,
        run,
        run_id=run_id,
        max_pages=settings.batch_pages,
    )
    # ticket id -> (newest generated_timestamp read in this run, the status of that copy)
    newest: dict[str, tuple[int, str]] = {}

    def on_page(response: requests.Response) -> None:
        nonlocal page_newest
        page_newest = 0
        for ticket_id, generated, status in _page_query(
            con, _PAGE_TICKETS_SQL, response, TICKETS_STREAM
        ):
            if generated is not None and generated >= newest.get(ticket_id, (generated,))[0]:
                newest[ticket_id] = (generated, status)
            page_newest = max(page_newest, generated or 0)
        tickets.add(response.content)
        metric_sets.add(response.content)

    session = _open_session(settings)
    try:
        cursor = _read_export(
            con,
            session,
            TICKETS_EXPORT,
            stream=TICKETS_STREAM,
            run=run,
            stored=stored,
            start_time=start_time,
            page_size=settings.export_page_size,
            on_page=on_page,
            stop=None if until is None else lambda: page_newest > until,
            include=TICKET_SIDELOADS,
        )
        if until is not None:
            cursor = None  # a replay keeps the stored cursor
        comments = PageBuffer(
            con,
            ZENDESK_TICKET_COMMENTS,
            COMMENT_PAGES,
            run,
            run_id=run_id,
            max_pages=settings.batch_pages,
        )
        for ticket_id, (generated, status) in newest.items():
            if status == "deleted":
                continue  # a deleted ticket's comments are gone (404)
            _read_comments(session, settings, comments, ticket_id, generated, run=run, con=con)
        comments.close()
    finally:
        session.session.close()
    metric_sets.close()
    tickets.close(cursor)
    log.info(
        "zendesk_tickets: from %s, %d distinct tickets, %d comments, %d metric sets, cursor %s",
        f"cursor {stored}" if stored else f"start_time {start_time}",
        len(newest),
        run.tables.get(ZENDESK_TICKET_COMMENTS.qualified, LoadResult()).records,
        run.tables.get(ZENDESK_TICKET_METRICS.qualified, LoadResult()).records,
        cursor or "kept",
    )
    return run.finish(cursor)


def sync_users(
    con: duckdb.DuckDBPyConnection, settings: ZendeskSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the users changed since the stored cursor (first run: every user)."""
    run = StreamRun(USERS_STREAM)
    stored = read_cursor(con, USERS_STREAM)
    users = PageBuffer(con, ZENDESK_USERS, USER_PAGES, run, run_id=run_id)
    session = _open_session(settings)
    try:
        cursor = _read_export(
            con,
            session,
            USERS_EXPORT,
            stream=USERS_STREAM,
            run=run,
            stored=stored,
            start_time=0,
            page_size=settings.export_page_size,
            on_page=lambda response: users.add(response.content),
        )
    finally:
        session.session.close()
    users.close(cursor)
    log.info("zendesk_users: %d users, cursor %s", run.records, cursor)
    return run.finish(cursor)


def _read_export(
    con: duckdb.DuckDBPyConnection,
    session: PlatformSession,
    path: str,
    *,
    stream: str,
    run: StreamRun,
    stored: str | None,
    start_time: int,
    page_size: int,
    on_page: Callable[[requests.Response], None],
    stop: Callable[[], bool] | None = None,
    include: str | None = None,
) -> str | None:
    """Walk a cursor-based incremental export; the cursor to resume from next time.

    Ends at ``end_of_stream``, at a cursor the platform already gave (it has been seen handing
    out the same one forever), at a page without ``after_cursor`` (not the cursor export's
    shape: the stored cursor is kept, so the next run reads the same window again), or when
    ``stop()`` says so after a page (a replay's window is over). ``include`` (sideloads) is
    sent on every call, cursor pages too.
    """
    guard = RepeatGuard(PLATFORM, stream)
    per_page = str(page_size)
    extra = {"per_page": per_page, **({"include": include} if include else {})}
    params = {"cursor": stored} if stored else {"start_time": str(start_time)}
    params |= extra
    cursor = stored
    while True:
        response = _get(session, path, stream=stream, run=run, params=params)
        ((after, end_of_stream),) = _page_query(con, _EXPORT_POSITION_SQL, response, stream)
        on_page(response)
        if not after:
            log.warning("%s: a page without after_cursor ended the export; cursor kept", stream)
            return cursor
        if not guard.is_new(after):
            return cursor
        cursor = after
        if end_of_stream or (stop is not None and stop()):
            return cursor
        params = {"cursor": after, **extra}


def _read_comments(
    session: PlatformSession,
    settings: ZendeskSettings,
    comments: PageBuffer,
    ticket_id: str,
    generated: int,
    *,
    run: StreamRun,
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Add every comments page of one ticket to ``comments``, versioned by the ticket's
    ``generated_timestamp``."""
    if not ticket_id.isdigit():
        raise RecordError(PLATFORM, TICKETS_STREAM, f"ticket id {ticket_id!r} is not a number")
    guard = RepeatGuard(PLATFORM, TICKETS_STREAM)
    url = f"api/v2/tickets/{ticket_id}/comments.json"
    while True:
        response = _get(session, url, stream=TICKETS_STREAM, run=run, missing_ok=True)
        if response.status_code == 404:
            log.info("zendesk ticket %s no longer exists; no comments read", ticket_id)
            break
        ((next_page, count),) = _page_query(con, _COMMENT_PAGE_SQL, response, TICKETS_STREAM)
        if count:
            comments.add(
                wrap_page(
                    response.content,
                    ticket_id=ticket_id,
                    ticket_generated_timestamp=str(generated),
                )
            )
        if not guard.is_new(next_page):
            break
        session.require_same_origin(next_page, stream=TICKETS_STREAM, setting="ZENDESK_URL")
        url = next_page


def _page_query(
    con: duckdb.DuckDBPyConnection, sql: str, response: requests.Response, stream: str
) -> list[tuple]:
    """Run one of the page queries above on a response body; a body that is not JSON fails."""
    try:
        return con.execute(sql, [response.content.decode("utf-8")]).fetchall()
    except (UnicodeDecodeError, duckdb.Error) as exc:
        raise ConnectorError(
            PLATFORM,
            stream,
            f"{sanitize_url(response.url)} did not answer the JSON page expected: "
            f"{type(exc).__name__}",
        ) from None


def _open_session(settings: ZendeskSettings) -> PlatformSession:
    platform = PlatformSession(
        PLATFORM, settings.url, settings.http, headers={"Accept": "application/json"}
    )
    platform.session.auth = settings.auth
    return platform


def _get(
    session: PlatformSession,
    url: str,
    *,
    stream: str,
    run: StreamRun,
    params: dict[str, str] | None = None,
    missing_ok: bool = False,
) -> requests.Response:
    run.requests += 1
    expected = (200, 401, 403, 404) if missing_ok else (200, 401, 403)
    response = session.get(url, stream=stream, params=params, expected=expected)
    if response.status_code in (401, 403):
        raise AuthenticationError(
            PLATFORM,
            stream,
            f"Zendesk refused the request (HTTP {response.status_code}): check ZENDESK_EMAIL "
            "and ZENDESK_API_TOKEN (token access enabled, an admin user for the incremental "
            "exports) and that ZENDESK_URL is that account",
        )
    return response


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())
