"""Zendesk tickets: genuine incremental-export pages replayed byte for byte from 127.0.0.1.

The pages were recorded against a Zendesk test account by the zenpy client's test suite (see
each ``.source.txt``). Comments have no genuine recording here: the comment pages below are
scripted, shaped as docs/contracts.md describes.

How the time-based page is replayed: ``incremental_tickets_timebased_per_page1.json`` is the
older time-based export (``next_page``/``end_time``, no ``after_cursor``). The connector speaks
only the cursor-based export, so the page is served where the cursor export answers. The
connector lands its tickets and, finding no ``after_cursor``, ends the export and keeps the
stored cursor: a second run reads the same page again, and the cursor run that follows must
still leave one row per ticket.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from connectors.errors import ConnectorError
from connectors.http import HttpSettings
from connectors.zendesk import ZendeskSettings, sync_tickets
from tests.support.loopback import Canned, Loopback

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "zendesk"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "real" / "zendesk_zenpy_recorded"
START_TIME0 = (FIXTURES / "incremental_tickets_cursor_start_time0.json").read_bytes()
PER_PAGE1 = (FIXTURES / "incremental_tickets_cursor_per_page1.json").read_bytes()
TIMEBASED = (FIXTURES / "incremental_tickets_timebased_per_page1.json").read_bytes()
EXPORT = "/api/v2/incremental/tickets/cursor.json"
RESUME_QUERY = "cursor=MTY5NTA1MjY2My4wfHwyOHw%3D&per_page=1000&include=metric_sets"
PER_PAGE1_NEXT = f"{EXPORT}?{RESUME_QUERY}"
FINAL_CURSOR = "MTcwNzI3MTc0MS4wfHw0MDQ1fA=="
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
# NOW minus 90 days, unix seconds; every export call asks for the metric sets sideload
START_TIME = "start_time=1780452000&per_page=1000&include=metric_sets"
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=2, backoff_factor_s=0.01)
TOKEN = "zd_replay_test_token_0001"
NO_COMMENTS = b'{"comments":[],"next_page":null,"previous_page":null,"count":0}'
RECORDED = json.loads(START_TIME0)["tickets"]


def settings_for(server: Loopback) -> ZendeskSettings:
    return ZendeskSettings(url=server.url, email="replay@example.com", api_token=TOKEN, http=FAST)


def serve_no_comments(server: Loopback) -> None:
    for ticket in RECORDED:
        server.route(
            "GET", f"/api/v2/tickets/{ticket['id']}/comments.json", Canned(body=NO_COMMENTS)
        )


def ticket_table(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(
        con.execute("select ticket_id, _record->>'created_at' from raw.zendesk_tickets").fetchall()
    )


def test_fixture_copies_are_byte_identical_to_the_shared_originals() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent; the in-repo copies are used alone")
    for name in (
        "incremental_tickets_cursor_start_time0.json",
        "incremental_tickets_cursor_per_page1.json",
        "incremental_tickets_timebased_per_page1.json",
    ):
        assert (FIXTURES / name).read_bytes() == (SHARED / name).read_bytes()


def test_the_recorded_export_lands_87_tickets_with_their_ids_and_creation_times(
    con, server
) -> None:
    server.route("GET", EXPORT, Canned(body=START_TIME0))
    serve_no_comments(server)
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    sent = server.requests

    assert ticket_table(con) == {(str(t["id"]), t["created_at"]) for t in RECORDED}
    assert con.execute(
        """select count(*), count(distinct ticket_id), min(ticket_id::int), max(ticket_id::int)
        from raw.zendesk_tickets"""
    ).fetchone() == (87, 87, 1, 4045)
    assert con.execute(
        """select _record->>'created_at', _version from raw.zendesk_tickets
        where ticket_id = '28'"""
    ).fetchone() == ("2023-09-18T15:57:42Z", datetime(2023, 9, 18, 15, 57, 43, tzinfo=UTC))
    assert sent[0].path == EXPORT and sent[0].query == START_TIME
    assert sent[0].headers["Authorization"].startswith("Basic ")
    # one comments call per ticket except the deleted one
    comment_calls = [r.path for r in sent if r.path.endswith("/comments.json")]
    assert len(comment_calls) == 86
    assert "/api/v2/tickets/4045/comments.json" in comment_calls
    assert run.cursor == FINAL_CURSOR
    assert con.execute(
        "select cursor_value from raw._stream_state where stream = 'zendesk_tickets'"
    ).fetchone() == (FINAL_CURSOR,)


def test_the_export_resumes_from_after_cursor_and_keeps_one_row_per_ticket(con, server) -> None:
    server.route("GET", EXPORT, Canned(body=PER_PAGE1))
    server.route("GET", PER_PAGE1_NEXT, Canned(body=START_TIME0))
    serve_no_comments(server)
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    exports = [r.query for r in server.requests if r.path == EXPORT]

    assert exports == [START_TIME, RESUME_QUERY]
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (87,)
    assert run.cursor == FINAL_CURSOR


def test_a_repeated_after_cursor_ends_the_export(con, server) -> None:
    server.route("GET", EXPORT, Canned(body=PER_PAGE1))
    serve_no_comments(server)
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    exports = [r.query for r in server.requests if r.path == EXPORT]

    # page 2 hands back the cursor page 1 gave: the loop stops there
    assert exports == [START_TIME, RESUME_QUERY]
    assert con.execute("select ticket_id from raw.zendesk_tickets").fetchall() == [("28",)]
    assert run.cursor == "MTY5NTA1MjY2My4wfHwyOHw="


def test_a_second_run_starts_from_the_stored_cursor(con, server) -> None:
    server.route("GET", EXPORT, Canned(body=START_TIME0))
    serve_no_comments(server)
    sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    second = sync_tickets(con, settings_for(server), run_id="run-2", now=NOW)
    exports = [r.query for r in server.requests if r.path == EXPORT]

    assert exports[1] == (
        "cursor=MTcwNzI3MTc0MS4wfHw0MDQ1fA%3D%3D&per_page=1000&include=metric_sets"
    )
    result = second.tables["raw.zendesk_tickets"]
    assert (result.records, result.inserted, result.updated) == (87, 0, 0)
    assert con.execute("select count(*) from raw.zendesk_tickets").fetchone() == (87,)


def test_time_based_page_twice_then_cursor_export_leaves_one_row_per_ticket(con, server) -> None:
    server.route("GET", EXPORT, Canned(body=TIMEBASED))
    serve_no_comments(server)
    first = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    second = sync_tickets(con, settings_for(server), run_id="run-2", now=NOW)
    server.route("GET", EXPORT, Canned(body=START_TIME0))
    third = sync_tickets(con, settings_for(server), run_id="run-3", now=NOW)
    exports = [r.query for r in server.requests if r.path == EXPORT]

    # no after_cursor on the time-based page: nothing stored, every run starts from start_time
    assert exports == [START_TIME, START_TIME, START_TIME]
    assert first.cursor is None and second.cursor is None
    tickets = "raw.zendesk_tickets"
    assert (first.tables[tickets].records, first.tables[tickets].inserted) == (7, 7)
    assert (second.tables[tickets].inserted, second.tables[tickets].updated) == (0, 0)
    assert (third.tables[tickets].inserted, third.tables[tickets].updated) == (80, 0)
    assert con.execute(
        "select count(*), count(distinct ticket_id) from raw.zendesk_tickets"
    ).fetchone() == (87, 87)
    assert third.cursor == FINAL_CURSOR


def test_the_newest_generated_timestamp_wins_whichever_page_comes_first(con, server) -> None:
    # the same genuine ticket 28, regenerated later and reopened, arrives before its older copy
    newer = PER_PAGE1.replace(
        b'"generated_timestamp":1695052663', b'"generated_timestamp":1707000000'
    )
    newer = newer.replace(b'"status":"new"', b'"status":"open"')
    comment = {"id": 9001, "type": "Comment", "author_id": 6130907993114, "public": True}
    comment_page = {"comments": [{**comment, "created_at": "2023-09-18T15:57:42Z", "body": "hi"}]}
    server.route("GET", EXPORT, Canned(body=newer))
    server.route("GET", PER_PAGE1_NEXT, Canned(body=START_TIME0))
    serve_no_comments(server)
    server.route(
        "GET",
        "/api/v2/tickets/28/comments.json",
        Canned(body=json.dumps(comment_page).encode()),
    )
    sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)
    calls_for_28 = [r for r in server.requests if r.path == "/api/v2/tickets/28/comments.json"]

    assert con.execute(
        """select _record->>'status', _record->>'generated_timestamp', _version
        from raw.zendesk_tickets where ticket_id = '28'"""
    ).fetchall() == [("open", "1707000000", datetime(2024, 2, 3, 22, 40, tzinfo=UTC))]
    assert len(calls_for_28) == 1
    assert con.execute(
        """select comment_id, ticket_id, ticket_generated_timestamp, _record->>'body'
        from raw.zendesk_ticket_comments"""
    ).fetchall() == [("9001", "28", "1707000000", None)]


def test_comment_pages_are_followed_through_next_page(con, server) -> None:
    single = PER_PAGE1.replace(b'"end_of_stream":false', b'"end_of_stream":true')
    page1 = {
        "comments": [{"id": 1, "type": "Comment", "author_id": 5, "public": True}],
        "next_page": f"{server.url}/api/v2/tickets/28/comments.json?page=2",
        "previous_page": None,
        "count": 2,
    }
    page2 = {
        "comments": [{"id": 2, "type": "Comment", "author_id": 6, "public": False}],
        "next_page": None,
        "previous_page": f"{server.url}/api/v2/tickets/28/comments.json?page=1",
        "count": 2,
    }
    server.route("GET", EXPORT, Canned(body=single))
    server.route("GET", "/api/v2/tickets/28/comments.json", Canned(body=json.dumps(page1).encode()))
    server.route(
        "GET",
        "/api/v2/tickets/28/comments.json?page=2",
        Canned(body=json.dumps(page2).encode()),
    )
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute(
        """select comment_id, ticket_id, _record->>'public'
        from raw.zendesk_ticket_comments order by comment_id"""
    ).fetchall() == [("1", "28", "true"), ("2", "28", "false")]
    assert run.tables["raw.zendesk_ticket_comments"].records == 2
    assert run.requests == 3


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_the_variables_to_fix_and_not_the_token(con, status, server) -> None:
    server.route("GET", EXPORT, Canned(status, body=b'{"error":"Couldn\'t authenticate you"}'))
    with pytest.raises(ConnectorError) as raised:
        sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    message = str(raised.value)
    assert "ZENDESK_API_TOKEN" in message and f"HTTP {status}" in message
    assert TOKEN not in message
    assert con.execute("select count(*) from raw._stream_state").fetchone() == (0,)


def test_an_export_page_that_is_not_json_fails_loudly_and_keeps_the_cursor(con, server) -> None:
    html = {"Content-Type": "text/html"}
    server.route("GET", EXPORT, Canned(body=b"<html>Help Center is closed</html>", headers=html))
    with pytest.raises(ConnectorError, match="did not answer the JSON page expected"):
        sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute("select count(*) from raw._stream_state").fetchone() == (0,)
