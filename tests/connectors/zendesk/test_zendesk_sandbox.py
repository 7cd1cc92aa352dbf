"""Zendesk streams against the sandbox help desk: pages, comments, faults, resumes, reruns.

The sandbox (sandbox/server.py) serves a generated help desk on 127.0.0.1 with the cursor
exports' rules. Seed 3 gives 23 tickets (82 comments visible at ``AS_OF``, 4 of them from two
reopened tickets) and 23 users; an export page size of 5 makes 5 ticket pages, each with the
metric sets of its tickets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from connectors.http import HttpSettings
from connectors.zendesk import ZendeskSettings, sync_tickets, sync_users
from sandbox import zendesk
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox

AS_OF = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=3, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=3, backoff_factor_s=0.01)
TICKETS_EXPORT = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as sandbox:
        yield sandbox


def settings_for(sandbox: Sandbox) -> ZendeskSettings:
    return replace(ZendeskSettings.from_env(sandbox.env()), http=FAST, export_page_size=5)


def landed_tickets(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    rows = con.execute(
        "select ticket_id, (_record->>'generated_timestamp')::bigint from raw.zendesk_tickets"
    ).fetchall()
    return {int(ticket_id): generated for ticket_id, generated in rows}


def generated_tickets(sandbox: Sandbox) -> dict[int, int]:
    return {t["id"]: t["generated_timestamp"] for t in sandbox.data.zendesk_tickets_json()}


def landed_comments(con: duckdb.DuckDBPyConnection) -> set[tuple[int, int]]:
    rows = con.execute("select comment_id, ticket_id from raw.zendesk_ticket_comments").fetchall()
    return {(int(comment_id), int(ticket_id)) for comment_id, ticket_id in rows}


def generated_comments(sandbox: Sandbox) -> set[tuple[int, int]]:
    return {
        (comment["id"], ticket.ticket_id)
        for ticket in sandbox.data.tickets
        for comment in sandbox.data.zendesk_comments_json(ticket.ticket_id)
    }


def served_metric_sets(sandbox: Sandbox) -> dict[str, dict]:
    data = sandbox.data
    clock = zendesk.clock_for(data.tickets, data.as_of)
    served = zendesk.metric_sets_json(
        data.tickets_by_generated, data.as_of, sandbox.base_url, clock
    )
    return {str(metric["ticket_id"]): metric for metric in served}


def test_every_ticket_and_comment_lands_once_over_five_pages(con, sb) -> None:
    run = sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert len(generated_tickets(sb)) == 23 and len(generated_comments(sb)) == 82
    assert landed_tickets(con) == generated_tickets(sb)
    assert landed_comments(con) == generated_comments(sb)
    exports = [r.params for r in sb.requests if r.path == TICKETS_EXPORT]
    assert len(exports) == 5
    assert exports[0]["start_time"] == [str(int((AS_OF - timedelta(days=90)).timestamp()))]
    assert all("cursor" in params for params in exports[1:])
    assert all(params["include"] == ["metric_sets"] for params in exports)
    assert run.requests == 5 + 23  # five export pages, one comments page per ticket
    # comments are versioned by their ticket's generated_timestamp; bodies are not kept
    assert con.execute(
        """select count(*) from raw.zendesk_ticket_comments as c
        join raw.zendesk_tickets as t using (ticket_id)
        where c._version = t._version and c.ticket_generated_timestamp::bigint
            = (t._record->>'generated_timestamp')::bigint
            and c._record->>'body' is null and c._record->>'html_body' is null"""
    ).fetchone() == (82,)
    # every ticket's metric set, as served but for its API self-link, versioned by its updated_at
    landed = con.execute(
        "select ticket_id, _record, _version = (_record->>'updated_at')::timestamptz "
        "from raw.zendesk_ticket_metrics"
    ).fetchall()
    served = served_metric_sets(sb)
    assert all(metric["url"].startswith(sb.base_url) for metric in served.values())
    assert {ticket_id: json.loads(record) for ticket_id, record, _ in landed} == {
        ticket_id: {k: v for k, v in metric.items() if k != "url"}
        for ticket_id, metric in served.items()
    }
    assert all(versioned for _, _, versioned in landed)
    assert sorted({json.loads(record)["reopens"] for _, record, _ in landed}) == [0, 1]


def test_users_land_with_their_roles_and_without_personal_fields(con, sb) -> None:
    run = sync_users(con, settings_for(sb), run_id="run-1", now=AS_OF)

    generated = {u["id"]: u["role"] for u in sb.data.zendesk_users_json()}
    rows = con.execute("select user_id, _record->>'role' from raw.zendesk_users").fetchall()
    assert {int(user_id): role for user_id, role in rows} == generated
    assert len(generated) == 23
    assert con.execute(
        """select count(*) from raw.zendesk_users
        where _record->>'name' is null and _record->>'email' is null"""
    ).fetchone() == (23,)
    users_exports = [r.params for r in sb.requests if r.path.endswith("users/cursor.json")]
    assert users_exports[0]["start_time"] == ["0"]
    assert run.records == 23


def test_a_429_with_retry_after_and_a_500_are_retried_and_nothing_is_missing(
    con, sb, retry_sleeps
) -> None:
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=r"incremental/tickets/cursor\.json\?cursor=",
            status=429,
            headers={"Retry-After": "1"},
            times=2,
        )
    )
    sb.faults.add(FaultRule(method="GET", path_regex=r"/comments\.json", status=500, times=3))
    sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert retry_sleeps[:2] == [1, 1]
    assert len([r for r in sb.requests if r.path == TICKETS_EXPORT]) == 5 + 2
    assert landed_tickets(con) == generated_tickets(sb)
    assert landed_comments(con) == generated_comments(sb)


def test_a_second_run_from_the_cursor_lands_nothing_new(con, sb) -> None:
    sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)
    second = sync_tickets(con, settings_for(sb), run_id="run-2", now=AS_OF)

    assert second.records == 0
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (23,)


def test_rereading_the_whole_window_changes_no_row(con, sb) -> None:
    sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)
    con.execute("delete from raw._stream_state")
    second = sync_tickets(con, settings_for(sb), run_id="run-2", now=AS_OF)

    tickets = second.tables["raw.zendesk_tickets"]
    comments = second.tables["raw.zendesk_ticket_comments"]
    assert (tickets.records, tickets.inserted, tickets.updated) == (23, 0, 0)
    assert (comments.records, comments.inserted, comments.updated) == (82, 0, 0)
    metrics = second.tables["raw.zendesk_ticket_metrics"]
    assert (metrics.records, metrics.inserted, metrics.updated) == (23, 0, 0)
    assert con.execute(
        """select count(*) from (
            select _run_id from raw.zendesk_tickets
            union all select _run_id from raw.zendesk_ticket_comments
            union all select _run_id from raw.zendesk_ticket_metrics
        ) where _run_id <> 'run-1'"""
    ).fetchone() == (0,)


def test_a_replayed_day_read_through_another_host_changes_no_row(con, sb) -> None:
    # Zendesk records carry their API self-link (``url``), which names the host: the same
    # help desk served again on another port (a new sandbox process, as each
    # ``nightly --sandbox --partition D`` starts; in production a renamed subdomain or a proxy)
    # must not look changed. Day 2026-08-29's window (28th 10:00Z .. 30th 12:00Z) reads the
    # tickets changed since its start, each as it is now.
    sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)
    with start_sandbox(CONFIG) as again:
        assert again.base_url != sb.base_url
        replay = replace(settings_for(again), replay_day=date(2026, 8, 29))
        rerun = sync_tickets(con, replay, run_id="replay", now=AS_OF)

    tables = ("raw.zendesk_tickets", "raw.zendesk_ticket_metrics", "raw.zendesk_ticket_comments")
    assert all(rerun.tables[table].records > 0 for table in tables)
    assert [(rerun.tables[t].inserted, rerun.tables[t].updated) for t in tables] == [(0, 0)] * 3
    assert con.execute(
        "select count(*) from raw.zendesk_tickets where _record->>'url' is not null"
    ).fetchone() == (0,)


def test_the_next_night_resumes_from_the_cursor_with_one_row_per_ticket(con, sb) -> None:
    sync_tickets(con, settings_for(sb), run_id="run-1", now=AS_OF)
    first_night = generated_tickets(sb)
    later_as_of = AS_OF + timedelta(days=3)
    with start_sandbox(replace(CONFIG, days=10, as_of=later_as_of)) as next_night:
        second = sync_tickets(con, settings_for(next_night), run_id="run-2", now=later_as_of)
        exports = [r.params for r in next_night.requests if r.path == TICKETS_EXPORT]
        expected_tickets = generated_tickets(next_night)
        expected_comments = generated_comments(next_night)

    assert "cursor" in exports[0] and "start_time" not in exports[0]
    assert landed_tickets(con) == expected_tickets
    assert landed_comments(con) == expected_comments
    changed = [i for i, generated in first_night.items() if expected_tickets[i] != generated]
    new = len(expected_tickets) - len(first_night)
    result = second.tables["raw.zendesk_tickets"]
    assert (result.inserted, result.updated) == (new, len(changed))
    assert result.records == new + len(changed)  # the exact cursor re-reads nothing else
