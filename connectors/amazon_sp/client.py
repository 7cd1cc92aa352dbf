"""What every SP-API stream shares: the authorised session, UTC windows and NextToken pages.

Windows: each incremental stream reads from its stored cursor minus a trailing re-pull window
(first run: ``history_days`` back; a replay of one day: that day's window, cursor kept) to
``now`` minus the platform's 2-minute lag, in UTC written with ``Z`` (SP-API answers 400
InvalidInput to an offset such as ``+09:00`` or an end closer to now). Pages: the next token
is read from the page bytes and sent back URL-encoded by requests; a token the platform already
gave ends the loop (SP-API has been seen repeating one forever).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import duckdb

from connectors.amazon_lwa import AmazonSession, token_source
from connectors.amazon_sp.settings import PLATFORM, AmazonSpSettings
from connectors.base import PageSink, replay_window
from connectors.errors import ConnectorError
from connectors.http import RepeatGuard, find_next_token, require_json_page
from connectors.landing import read_cursor

log = logging.getLogger("connectors.amazon_sp")

# No real listing comes near this; a platform inventing new tokens forever stops here.
MAX_PAGES = 100_000


def open_session(settings: AmazonSpSettings) -> AmazonSession:
    """An SP-API session sending the LWA token in ``x-amz-access-token``."""
    return AmazonSession(
        PLATFORM,
        settings.api_url,
        token_source(settings.lwa, settings.http),
        lambda token: {"x-amz-access-token": token},
        settings.http,
        headers={"Accept": "application/json"},
    )


def iso_z(moment: datetime) -> str:
    """ISO-8601 in UTC with ``Z`` and whole seconds, the form SP-API accepts everywhere."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def window(
    con: duckdb.DuckDBPyConnection,
    stream: str,
    now: datetime,
    *,
    repull: timedelta,
    settings: AmazonSpSettings,
) -> tuple[datetime, datetime]:
    """``(start, end)`` of this run: cursor minus ``repull`` (or history) to now minus the lag;
    for a replay (``settings.replay_day``), that day's window, ending no later than that.

    The end is truncated to the whole second below, so it is never later than ``now - lag``.
    """
    end = (now - settings.end_lag).replace(microsecond=0)
    if settings.replay_day is not None:
        replay_start, replay_end = replay_window(settings.replay_day)
        return replay_start, min(replay_end, end)
    stored = read_cursor(con, stream)
    if stored:
        start = parse_iso(stored) - repull
    else:
        start = now - timedelta(days=settings.history_days)
    return start.replace(microsecond=0), end


def follow_pages(
    session: AmazonSession,
    path: str,
    buffer: PageSink,
    *,
    stream: str,
    params: Mapping[str, str],
    next_params: Mapping[str, str],
    token_param: str = "NextToken",
    guard: RepeatGuard | None = None,
) -> int:
    """GET ``path`` and every page after it, adding each body to ``buffer``; returns the pages.

    ``next_params`` are sent beside the token on later pages (getOrders wants MarketplaceIds,
    inventory summaries want every filter again, Finances and getOrderItems want the token only).
    Pass a ``guard`` to learn afterwards whether the platform repeated a token (``repeated``):
    the window was then not read to its end, and a windowed stream must keep its cursor.
    """
    guard = guard or RepeatGuard(PLATFORM, stream)
    query: Mapping[str, str] = params
    pages = 0
    while True:
        response = session.get(path, stream=stream, params=dict(query))
        pages += 1
        body = require_json_page(response, PLATFORM, stream)
        buffer.add(body)
        token = find_next_token(body)
        if not guard.is_new(token):
            return pages
        if pages >= MAX_PAGES:
            raise ConnectorError(PLATFORM, stream, f"{path}: more than {MAX_PAGES} pages")
        query = {**next_params, token_param: token or ""}
