"""Zendesk's ticket export listing a ticket more than once in a run, injected through the sandbox.

The real export lists a ticket again each time it changes, so one run can read several copies of
one ticket. Here the sandbox's real pages are read first, then a page is served altered (a fault
rule with a replacement body) and the real ``sync_tickets`` runs: the raw tables must hold one
row per ticket and per comment, the copy with the newest ``generated_timestamp`` winning whatever
page it came on, whether the copies fall in one landing batch or in two.

A small sandbox for the module (seed 5, four days: 9 tickets on 5 export pages of 2, with 35
comments, 2 of them from a reopened ticket); the numbers are asserted as literals so that a change
of the generator shows here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import requests

from connectors import zendesk
from connectors.zendesk.streams import TICKETS_EXPORT
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox

AS_OF = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=5, days=4, orders_per_day=1, skus=3, tickets_per_day=2, as_of=AS_OF)
PAGE_SIZE = 2
TICKETS = 9
PAGES = 5
COMMENTS = 35
ONE_BATCH = 10  # pages landed per transaction: every page in one batch
PAGE_PER_BATCH = 1  # every page its own batch: the copies meet in the MERGE, not in one batch


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults_left(sb: Sandbox) -> Iterator[None]:
    sb.requests.clear()
    yield
    sb.faults.clear()


@pytest.fixture(scope="module")
def pages(sb: Sandbox) -> list[dict]:
    """The export's real pages, read as the connector reads them (same start and page size)."""
    env = sb.env()
    settings = zendesk_settings(sb, ONE_BATCH)
    start = int((AS_OF - timedelta(days=settings.history_days)).timestamp())
    params = {"start_time": str(start), "per_page": str(PAGE_SIZE)}
    auth = (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
    read: list[dict] = []
    with requests.Session() as session:
        for _ in range(PAGES + 1):  # bounded: one more than expected, to see the end
            response = session.get(
                f"{sb.base_url}/{TICKETS_EXPORT}", params=params, auth=auth, timeout=5
            )
            response.raise_for_status()
            read.append(response.json())
            if read[-1]["end_of_stream"]:
                break
            params = {"cursor": read[-1]["after_cursor"], "per_page": str(PAGE_SIZE)}
    assert read[-1]["end_of_stream"]
    sb.requests.clear()
    return read


def zendesk_settings(sb: Sandbox, batch_pages: int) -> zendesk.ZendeskSettings:
    return replace(
        zendesk.ZendeskSettings.from_env(sb.env()),
        export_page_size=PAGE_SIZE,
        batch_pages=batch_pages,
    )


def serve_altered(sb: Sandbox, pages: list[dict], number: int, tickets: list[dict]) -> FaultRule:
    """Answer export page ``number`` (1-based, after the first) once with ``tickets`` in it.

    The rule aims at that page's cursor exactly as requests encodes it; the page keeps its real
    ``after_cursor``, so the export goes on as it would have.
    """
    body = {**pages[number - 1], "tickets": tickets}
    cursor = urlencode({"cursor": pages[number - 2]["after_cursor"]})
    return sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=re.escape(cursor) + "(&|$)",
            status=200,
            headers={"Content-Type": "application/json; charset=utf-8"},
            body=json.dumps(body).encode(),
            times=1,
        )
    )


def changed_copy(ticket: dict, *, generated_timestamp: int) -> dict:
    """Another copy of ``ticket``: a new status and ``generated_timestamp``, ``updated_at`` as
    before (Zendesk moves ``generated_timestamp`` on changes that leave ``updated_at`` alone)."""
    changed = copy.deepcopy(ticket)
    changed["status"] = "pending" if ticket["status"] != "pending" else "open"
    changed["generated_timestamp"] = generated_timestamp
    return changed


def landed_tickets(con) -> dict[int, tuple[int, str]]:
    rows = con.execute(
        "select ticket_id, (_record->>'generated_timestamp')::bigint, _record->>'status' "
        "from raw.zendesk_tickets"
    ).fetchall()
    return {int(ticket_id): (generated, status) for ticket_id, generated, status in rows}


def comment_requests(sb: Sandbox) -> list[str]:
    return [r.path for r in sb.requests if r.path.endswith("/comments.json")]


def assert_comments_once(con, sb: Sandbox, expected: dict[int, tuple[int, str]]) -> None:
    """Every comment once, versioned by its ticket's newest copy (every ticket here has
    comments); each ticket's comments read once (none has more than one comments page)."""
    assert con.execute(
        "select count(*), count(distinct comment_id) from raw.zendesk_ticket_comments"
    ).fetchone() == (COMMENTS, COMMENTS)
    versions = dict(
        con.execute(
            "select distinct ticket_id::bigint, ticket_generated_timestamp::bigint "
            "from raw.zendesk_ticket_comments"
        ).fetchall()
    )
    assert versions == {ticket_id: generated for ticket_id, (generated, _) in expected.items()}
    requested = comment_requests(sb)
    assert len(requested) == len(set(requested)) == TICKETS


def test_the_sandbox_export_has_the_pages_these_tests_alter(sb, pages) -> None:
    assert [len(page["tickets"]) for page in pages] == [2, 2, 2, 2, 1]
    assert len(sb.data.zendesk_tickets_json()) == TICKETS
    assert sum(len(sb.data.zendesk_comments_json(t)) for t in sb.data.tickets_by_id) == COMMENTS
    assert all(page["tickets"][0]["status"] != "deleted" for page in pages)


@pytest.mark.parametrize(
    "batch_pages",
    [
        pytest.param(ONE_BATCH, id="copies in one landing batch"),
        pytest.param(PAGE_PER_BATCH, id="copies in two landing batches"),
    ],
)
def test_a_ticket_repeated_on_the_next_page_lands_once_with_its_comments_once(
    sb, con, pages, batch_pages: int
) -> None:
    repeated = pages[0]["tickets"][0]
    rule = serve_altered(sb, pages, 2, [*pages[1]["tickets"], repeated])

    run = zendesk.sync_tickets(con, zendesk_settings(sb, batch_pages), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    expected = {
        t["id"]: (t["generated_timestamp"], t["status"]) for t in sb.data.zendesk_tickets_json()
    }
    assert len(expected) == TICKETS
    assert landed_tickets(con) == expected
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (TICKETS,)
    assert_comments_once(con, sb, expected)
    assert run.cursor == pages[-1]["after_cursor"]


@pytest.mark.parametrize(
    "batch_pages",
    [
        pytest.param(ONE_BATCH, id="copies in one landing batch"),
        pytest.param(PAGE_PER_BATCH, id="copies in two landing batches"),
    ],
)
def test_a_newer_changed_copy_on_a_later_page_wins_over_the_first_one(
    sb, con, pages, batch_pages: int
) -> None:
    original = pages[0]["tickets"][0]
    newest = max(t["generated_timestamp"] for page in pages for t in page["tickets"])
    newer = changed_copy(original, generated_timestamp=newest + 60)
    assert newer["status"] != original["status"]
    assert newer["generated_timestamp"] > int(
        datetime.fromisoformat(newer["updated_at"]).timestamp()
    )
    rule = serve_altered(sb, pages, 4, [*pages[3]["tickets"], newer])

    zendesk.sync_tickets(con, zendesk_settings(sb, batch_pages), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    expected = {
        t["id"]: (t["generated_timestamp"], t["status"]) for t in sb.data.zendesk_tickets_json()
    }
    expected[original["id"]] = (newest + 60, newer["status"])
    assert landed_tickets(con) == expected
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (TICKETS,)
    assert_comments_once(con, sb, expected)


@pytest.mark.parametrize(
    "batch_pages",
    [
        pytest.param(ONE_BATCH, id="copies in one landing batch"),
        pytest.param(PAGE_PER_BATCH, id="copies in two landing batches"),
    ],
)
def test_an_older_changed_copy_on_a_later_page_loses_to_the_newer_one_read_first(
    sb, con, pages, batch_pages: int
) -> None:
    kept = pages[3]["tickets"][0]
    stale = changed_copy(kept, generated_timestamp=kept["generated_timestamp"] - 60)
    rule = serve_altered(sb, pages, 5, [*pages[4]["tickets"], stale])

    zendesk.sync_tickets(con, zendesk_settings(sb, batch_pages), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    expected = {
        t["id"]: (t["generated_timestamp"], t["status"]) for t in sb.data.zendesk_tickets_json()
    }
    assert landed_tickets(con) == expected
    assert expected[kept["id"]] == (kept["generated_timestamp"], kept["status"])
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (TICKETS,)
    assert_comments_once(con, sb, expected)
