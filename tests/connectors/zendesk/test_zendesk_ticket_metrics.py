"""Zendesk ticket metrics (the export's ``metric_sets`` sideload) land in their raw table.

The metric objects are genuine: Zendesk's documented examples (the List Ticket Metrics answer and
the JSON-format object) and Airbyte's fixture (a ticket without replies: every time NULL), see
each ``.source.txt``. They are served beside the genuine recorded export's tickets, as the
sideload places them, from 127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from connectors.zendesk import sync_tickets
from tests.connectors.zendesk.test_zendesk_real_payloads import (
    EXPORT,
    NOW,
    START_TIME0,
    serve_no_comments,
    settings_for,
)
from tests.support.loopback import Canned, Loopback

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "zendesk"
LISTED = json.loads((FIXTURES / "ticket_metrics_list_example.json").read_text(encoding="utf-8"))
SINGLE = json.loads((FIXTURES / "ticket_metric_object_example.json").read_text(encoding="utf-8"))
AIRBYTE = json.loads((FIXTURES / "airbyte_ticket_metric.json").read_text(encoding="utf-8"))
GENUINE_METRICS = [*LISTED["ticket_metrics"], SINGLE, AIRBYTE["ticket_metric"]]


def export_with(metric_sets: list[dict]) -> bytes:
    """The genuine recorded export page with ``metric_sets`` beside its tickets."""
    page = json.loads(START_TIME0)
    page["metric_sets"] = metric_sets
    return json.dumps(page).encode()


def without_url(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "url"}


def test_genuine_metric_sets_land_one_row_per_ticket_as_sent(con, server: Loopback) -> None:
    server.route("GET", EXPORT, Canned(body=export_with(GENUINE_METRICS)))
    serve_no_comments(server)
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    rows = con.execute(
        "select ticket_id, _version, _record from raw.zendesk_ticket_metrics order by ticket_id"
    ).fetchall()
    # ticket_metrics[].ticket_id 1511 and 1517, the object example's 4343, Airbyte's 145
    assert [row[0] for row in rows] == ["145", "1511", "1517", "4343"]
    by_ticket = {row[0]: row for row in rows}
    # versions are the metric sets' updated_at
    assert by_ticket["1517"][1] == datetime(2020, 7, 21, 1, 17, 16, tzinfo=UTC)
    assert by_ticket["4343"][1] == datetime(2011, 5, 5, 10, 38, 52, tzinfo=UTC)
    # as sent, but for the API self-link (``url``), which names the host read from
    assert "url" in LISTED["ticket_metrics"][0] and "url" in AIRBYTE["ticket_metric"]
    assert json.loads(by_ticket["1517"][2]) == without_url(LISTED["ticket_metrics"][0])
    assert json.loads(by_ticket["145"][2]) == without_url(AIRBYTE["ticket_metric"])
    assert run.tables["raw.zendesk_ticket_metrics"].records == 4
    assert run.tables["raw.zendesk_tickets"].records == 87


def test_the_newest_metric_set_of_a_ticket_wins_whichever_page_comes_first(
    con, server: Loopback
) -> None:
    older = LISTED["ticket_metrics"][0]
    newer = {**older, "updated_at": "2020-07-22T09:00:00Z", "reopens": 1, "replies": 2}
    first = json.loads(START_TIME0)
    first["metric_sets"], first["end_of_stream"] = [newer], False
    first["after_cursor"] = "bmV3ZXI="
    server.route("GET", EXPORT, Canned(body=json.dumps(first).encode()))
    server.route(
        "GET",
        f"{EXPORT}?cursor=bmV3ZXI%3D&per_page=1000&include=metric_sets",
        Canned(body=export_with([older])),
    )
    serve_no_comments(server)
    sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute(
        "select ticket_id, _record->>'reopens', _record->>'replies' from raw.zendesk_ticket_metrics"
    ).fetchall() == [("1517", "1", "2")]


def test_an_export_without_the_sideload_lands_tickets_and_no_metrics(con, server: Loopback) -> None:
    server.route("GET", EXPORT, Canned(body=START_TIME0))
    serve_no_comments(server)
    run = sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute("select count(*) from raw.zendesk_ticket_metrics").fetchone() == (0,)
    assert run.tables["raw.zendesk_tickets"].records == 87


def test_a_metric_set_without_updated_at_is_quarantined_and_the_rest_lands(
    con, server: Loopback
) -> None:
    broken = {key: value for key, value in SINGLE.items() if key != "updated_at"}
    server.route("GET", EXPORT, Canned(body=export_with([*LISTED["ticket_metrics"], broken])))
    serve_no_comments(server)
    sync_tickets(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute(
        "select ticket_id from raw.zendesk_ticket_metrics order by 1"
    ).fetchall() == [("1511",), ("1517",)]
    assert con.execute(
        "select field, reason, record->>'ticket_id' from raw._quarantine "
        "where raw_table = 'raw.zendesk_ticket_metrics'"
    ).fetchall() == [("_version", "missing", "4343")]
