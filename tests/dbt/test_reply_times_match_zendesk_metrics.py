"""The default sandbox help desk, landed through the real connector and built by dbt: every
ticket's first reply time equals Zendesk's own ``reply_time_in_minutes`` (the sandbox computes
those by walking minutes with zoneinfo, another path than the dbt SQL), and the check names the
ticket when one differs.

The seller is ``SellerConfig()``'s default (seed 7, 90 days, 25 tickets a day) at a pinned
``as_of``, so the window always holds the US daylight-saving change (2026-11-01) and
Thanksgiving (2026-11-26). dbt builds only what the comparisons need (``+`` their models), in
its own warehouse, not the shared one of tests/dbt/conftest.py.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.warehouse import connect
from connectors.zendesk import ZendeskSettings, sync_tickets, sync_users
from orchestration.checks.consistency import ZENDESK_REPLY_TIMES_MATCH_METRICS
from orchestration.checks.framework import run_check
from sandbox import zendesk
from sandbox.clock import local_midnight
from sandbox.generator import SellerConfig, SellerData
from sandbox.server import start_sandbox
from tests.dbt.conftest import DBT, DBT_PROJECT, DBT_TIMEOUT_S, dbt_environment

AS_OF = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)
US_CLOCK_CHANGE = int(datetime(2026, 11, 1, 6, 0, tzinfo=UTC).timestamp())  # 02:00 EDT
THANKSGIVING = local_midnight(date(2026, 11, 26), zendesk.SUPPORT_TIME_ZONE)
COMPARISON = "int_ticket_reply_time_differences"


@dataclass
class Landed:
    path: Path
    work: Path
    data: SellerData
    served: dict[int, dict]  # ticket id -> the metric set the sandbox serves


def dbt(work: Path, warehouse: Path, *args: str) -> None:
    completed = subprocess.run(
        [str(DBT), *args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT,
        env=dbt_environment(warehouse),
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Landed]:
    work = tmp_path_factory.mktemp("reply_times")
    path = work / "warehouse.duckdb"
    with start_sandbox(SellerConfig(as_of=AS_OF)) as sandbox:
        settings = ZendeskSettings.from_env(sandbox.env())
        con = connect(path)
        try:
            sync_users(con, settings, run_id="night-1", now=AS_OF)
            sync_tickets(con, settings, run_id="night-1", now=AS_OF)
        finally:
            con.close()
        data = sandbox.data
        clock = zendesk.clock_for(data.tickets, data.as_of)
        served = {
            metric["ticket_id"]: metric
            for metric in zendesk.metric_sets_json(data.tickets, data.as_of, "", clock)
        }
    dbt(work, path, "build", "--select", f"+{COMPARISON}", "+int_ticket_resolutions")
    yield Landed(path, work, data, served)


def first_reply(ticket: zendesk.Ticket) -> int | None:
    """When the sandbox's ticket got its first reply, read from its timeline (Zendesk's rule)."""
    staff = [c.ts for c in ticket.comments[1:] if c.public and c.author_id != ticket.requester_id]
    return next((ts for ts in staff if ts <= AS_OF.timestamp()), None)


def test_every_ticket_is_compared_and_none_differs(landed: Landed) -> None:
    con = connect(landed.path, read_only=True)
    try:
        compared = con.execute(
            "select count(*) from intermediate.int_ticket_first_replies "
            "join staging.stg_zendesk__ticket_metrics using (ticket_id)"
        ).fetchone()
        landed_tickets = con.execute("select count(*) from raw.zendesk_tickets").fetchone()
        differing = con.execute(f"select * from intermediate.{COMPARISON}").fetchall()
        outcome = run_check(con, ZENDESK_REPLY_TIMES_MATCH_METRICS, as_of=AS_OF)
    finally:
        con.close()

    # the export starts 90 days before as_of: the first day's earliest tickets stay out
    assert len(landed.served) - 10 < landed_tickets[0] <= len(landed.served)
    assert compared == landed_tickets
    assert differing == []
    assert outcome.passed and outcome.rows_checked == landed_tickets[0], outcome.message


def test_the_compared_tickets_hold_every_hard_case(landed: Landed) -> None:
    con = connect(landed.path, read_only=True)
    try:
        compared = {
            int(ticket_id)
            for (ticket_id,) in con.execute(
                "select ticket_id from intermediate.int_ticket_first_replies "
                "join staging.stg_zendesk__ticket_metrics using (ticket_id)"
            ).fetchall()
        }
    finally:
        con.close()
    tickets = [t for t in landed.data.tickets if t.ticket_id in compared]
    replied = [t for t in tickets if first_reply(t) is not None]
    agent_created = [t for t in replied if zendesk.is_staff(t.comments[0].author_id)]
    notes_first = [
        t for t in replied if not t.comments[1].public and zendesk.is_staff(t.comments[1].author_id)
    ]
    across_dst = [t for t in replied if t.created_ts < US_CLOCK_CHANGE < (first_reply(t) or 0)]
    across_holiday = [t for t in replied if t.created_ts < THANKSGIVING < (first_reply(t) or 0)]
    reopened = [t for t in tickets if landed.served[t.ticket_id]["reopens"] > 0]

    # the served metric sets agree with the timelines on who got a reply at all
    assert {t.ticket_id for t in replied} == {
        t.ticket_id
        for t in tickets
        if landed.served[t.ticket_id]["reply_time_in_minutes"]["calendar"] is not None
    }
    counts = [len(found) for found in (agent_created, notes_first, across_dst, across_holiday)]
    assert len(replied) > 1500 and min(counts) > 0, counts
    assert reopened


def test_resolution_times_match_zendesks_too(landed: Landed) -> None:
    # full resolution of every solved ticket, and first resolution of those never reopened
    # (a reopened ticket's first solve is placed by Zendesk's own minutes), truncated like
    # Zendesk's, must be equal: the same business-minute macro as first replies, checked on
    # the sandbox's independent walk
    con = connect(landed.path, read_only=True)
    try:
        solved, differing = con.execute(
            """select
                count(*),
                count(*) filter (where
                    floor(resolutions.full_resolution_minutes)
                        is distinct from metrics.full_resolution_minutes
                    or floor(resolutions.full_resolution_business_minutes)
                        is distinct from metrics.full_resolution_business_minutes
                    or (not resolutions.is_reopened and (
                        floor(resolutions.first_resolution_minutes)
                            is distinct from metrics.first_resolution_minutes
                        or floor(resolutions.first_resolution_business_minutes)
                            is distinct from metrics.first_resolution_business_minutes
                    ))
                )
            from intermediate.int_ticket_resolutions as resolutions
            join staging.stg_zendesk__ticket_metrics as metrics using (ticket_id)
            where resolutions.is_solved"""
        ).fetchone()
        reopened = con.execute(
            "select count(*) from intermediate.int_ticket_resolutions "
            "where is_solved and is_reopened and first_solved_at_source = 'first_resolution_time'"
        ).fetchone()[0]
    finally:
        con.close()

    assert solved > 1000 and reopened > 100
    assert differing == 0


def test_a_ticket_whose_zendesk_minutes_differ_is_named(landed: Landed, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(landed.path, copy)
    ticket_id = next(
        ticket_id
        for ticket_id, metric in sorted(landed.served.items())
        if (metric["reply_time_in_minutes"]["business"] or 0) > 0
    )
    con = connect(copy)
    try:
        # Zendesk's schedule one business minute longer for this ticket than our seeds say
        con.execute(
            """update raw.zendesk_ticket_metrics
            set _record = json_merge_patch(_record, json_object(
                'reply_time_in_minutes', json_object(
                    'calendar', (_record->'reply_time_in_minutes'->>'calendar')::bigint,
                    'business', (_record->'reply_time_in_minutes'->>'business')::bigint + 1)))
            where ticket_id = ?""",
            [str(ticket_id)],
        )
    finally:
        con.close()
    # the metrics' staging table, then the comparison (its target: partial parse)
    dbt(landed.work, copy, "run", "--select", "stg_zendesk__ticket_metrics", COMPARISON)

    con = connect(copy, read_only=True)
    try:
        listed = con.execute(
            f"select ticket_id, differences, reply_business_minutes_difference "
            f"from intermediate.{COMPARISON}"
        ).fetchall()
        outcome = run_check(con, ZENDESK_REPLY_TIMES_MATCH_METRICS, as_of=AS_OF)
    finally:
        con.close()

    assert listed == [(str(ticket_id), "business minutes", -1)]
    assert not outcome.passed
    assert outcome.failing_rows["ticket_id"].tolist() == [str(ticket_id)]
    assert f"{ticket_id} (business minutes)" in outcome.message
