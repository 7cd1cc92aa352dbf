"""Zendesk's ticket metrics as the sandbox serves them: hand-computed tickets, the schedule copy
the dbt seeds must share, and the ``include=metric_sets`` sideload of the ticket export.

Support hours: Monday-Friday 09:00-17:00 America/New_York; Thanksgiving (2026-11-26) closed. US
daylight saving ends on Sunday 2026-11-01 (EDT UTC-4 -> EST UTC-5). Whole minutes truncate.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
import yaml

from sandbox import zendesk
from sandbox.generator import SellerData
from sandbox.server import Sandbox
from sandbox.zendesk import BusinessMinutes, Comment, Ticket, metric_set_json, settle

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt_project" / "seeds"
REAL = ROOT / "tests" / "fixtures" / "real" / "zendesk"
TICKETS = "/api/v2/incremental/tickets/cursor.json"
AGENT = zendesk.STAFF_ID_BASE + 1
CUSTOMER = 380_000_000_001
# one clock for every hand-made ticket: 2026-10-01 to 2026-12-01
CLOCK = BusinessMinutes(
    int(datetime(2026, 10, 1, tzinfo=UTC).timestamp()),
    int(datetime(2026, 12, 1, tzinfo=UTC).timestamp()),
)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def ticket(
    comments: list[tuple[str, int, bool]],
    statuses: list[tuple[str, str]],
    as_of: str,
) -> tuple[Ticket, int]:
    """A ticket from (time, author, public) comments and (time, status) changes, settled."""
    created = ts(comments[0][0])
    made = Ticket(
        ticket_id=1,
        created_ts=created,
        requester_id=CUSTOMER,
        submitter_id=comments[0][1],
        assignee_id=AGENT,
        channel="web",
        subject="s",
        tag="t",
        priority="normal",
        kind="question",
        comments=[
            Comment(100 + index, ts(at), author, public, "text", "web")
            for index, (at, author, public) in enumerate(comments)
        ],
        statuses=[(ts(at), status) for at, status in statuses],
        assigned_ts=created,
        rating=None,
    )
    settle(made, ts(as_of))
    return made, ts(as_of)


def metrics(made: tuple[Ticket, int]) -> dict:
    return metric_set_json(made[0], made[1], "http://127.0.0.1", CLOCK)


def minutes(metric: dict, name: str) -> tuple[int | None, int | None]:
    return metric[name]["calendar"], metric[name]["business"]


def test_the_sandbox_schedule_is_the_dbt_seeds_schedule() -> None:
    with (SEEDS / "support_schedule.csv").open(encoding="utf-8") as handle:
        seeded = {
            (int(row["weekday"]), int(row["start_minute"]), int(row["end_minute"]))
            for row in csv.DictReader(handle)
        }
    with (SEEDS / "support_holidays.csv").open(encoding="utf-8") as handle:
        holidays = {date.fromisoformat(row["holiday_date"]) for row in csv.DictReader(handle)}
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())

    served = {
        (weekday, start, end)
        for weekday, intervals in zendesk.SUPPORT_HOURS.items()
        for start, end in intervals
    }
    assert served == seeded
    assert zendesk.SUPPORT_HOLIDAYS == holidays
    assert zendesk.SUPPORT_TIME_ZONE == project["vars"]["support_time_zone"]


@pytest.mark.parametrize(
    ("start", "end", "expected_seconds"),
    [
        pytest.param(
            "2026-10-30T20:00:00Z",
            "2026-11-02T15:00:00Z",
            # Fri 16:00-17:00 EDT = 3600 s; Mon 09:00-10:00 EST (14:00-15:00Z) = 3600 s
            7200,
            id="across the DST change each day keeps its own offset",
        ),
        pytest.param(
            "2026-11-25T21:00:00Z",
            "2026-11-27T15:00:00Z",
            # Wed 16:00-17:00 EST = 3600; Thanksgiving 0; Fri 09:00-10:00 EST = 3600
            7200,
            id="a holiday adds nothing",
        ),
        pytest.param(
            "2026-10-30T20:59:30Z",
            "2026-11-02T14:00:45Z",
            # Fri 16:59:30-17:00:00 EDT = 30 s; Mon 09:00:00-09:00:45 EST = 45 s
            75,
            id="partial minutes at both ends count to the second",
        ),
        pytest.param(
            "2026-10-31T12:00:00Z",
            "2026-11-01T23:00:00Z",
            0,  # Saturday and Sunday
            id="a weekend adds nothing",
        ),
    ],
)
def test_business_seconds_by_walking_minutes(start: str, end: str, expected_seconds: int) -> None:
    assert CLOCK.seconds(ts(start), ts(end)) == expected_seconds


def test_a_private_note_is_no_reply_and_minutes_truncate() -> None:
    metric = metrics(
        ticket(
            [
                ("2026-10-13T13:00:00Z", CUSTOMER, True),  # Tue 09:00 EDT
                ("2026-10-13T13:10:00Z", AGENT, False),  # private note
                ("2026-10-13T13:45:50Z", AGENT, True),
            ],
            [("2026-10-13T13:00:00Z", "new"), ("2026-10-13T13:45:50Z", "pending")],
            as_of="2026-10-14T00:00:00Z",
        )
    )
    # 45 min 50 s = 2750 s -> 45 whole minutes, all within business hours
    assert minutes(metric, "reply_time_in_minutes") == (45, 45)
    assert metric["reply_time_in_seconds"] == {"calendar": 2750}
    assert metric["replies"] == 1
    assert minutes(metric, "full_resolution_time_in_minutes") == (None, None)


def test_an_agent_created_ticket_stops_the_clock_at_the_agents_second_public_comment() -> None:
    metric = metrics(
        ticket(
            [
                ("2026-10-13T14:00:00Z", AGENT, True),  # the agent opens it: not a reply
                ("2026-10-13T15:00:00Z", CUSTOMER, True),
                ("2026-10-13T16:30:00Z", AGENT, True),
            ],
            [("2026-10-13T14:00:00Z", "pending"), ("2026-10-13T16:30:00Z", "pending")],
            as_of="2026-10-14T00:00:00Z",
        )
    )
    # 14:00Z -> 16:30Z = 150 min (10:00-12:30 EDT, all business)
    assert minutes(metric, "reply_time_in_minutes") == (150, 150)
    assert metric["replies"] == 1


def test_an_unanswered_ticket_has_null_reply_time() -> None:
    metric = metrics(
        ticket(
            [("2026-10-30T21:00:00Z", CUSTOMER, True), ("2026-10-30T21:30:00Z", AGENT, False)],
            [("2026-10-30T21:00:00Z", "new"), ("2026-10-30T21:30:00Z", "open")],
            as_of="2026-11-03T00:00:00Z",
        )
    )
    assert minutes(metric, "reply_time_in_minutes") == (None, None)
    assert metric["reply_time_in_seconds"] == {"calendar": None}
    assert (metric["replies"], metric["reopens"], metric["solved_at"]) == (0, 0, None)


REOPENED = (
    [
        ("2026-11-02T14:00:00Z", CUSTOMER, True),  # Mon 09:00 EST
        ("2026-11-02T14:30:00Z", AGENT, True),
        ("2026-11-03T14:00:00Z", CUSTOMER, True),  # Tue 09:00 EST: the problem is back
        ("2026-11-03T14:20:00Z", AGENT, True),
    ],
    [
        ("2026-11-02T14:00:00Z", "new"),
        ("2026-11-02T14:30:00Z", "pending"),
        ("2026-11-02T15:00:00Z", "solved"),
        ("2026-11-03T14:00:00Z", "open"),
        ("2026-11-03T14:20:00Z", "pending"),
        ("2026-11-03T16:00:00Z", "solved"),
        ("2026-11-07T16:00:00Z", "closed"),
    ],
)


def test_a_reopened_ticket_has_a_first_and_a_full_resolution() -> None:
    metric = metrics(ticket(*REOPENED, as_of="2026-11-04T00:00:00Z"))
    assert (metric["reopens"], metric["replies"]) == (1, 2)
    assert metric["solved_at"] == "2026-11-03T16:00:00Z"
    assert minutes(metric, "reply_time_in_minutes") == (30, 30)
    # first solve Mon 15:00Z: 60 min, all business
    assert minutes(metric, "first_resolution_time_in_minutes") == (60, 60)
    # Mon 14:00Z -> Tue 16:00Z = 26 h = 1560 min; business Mon 09:00-17:00 EST = 480 plus
    # Tue 09:00-11:00 EST = 120 -> 600
    assert minutes(metric, "full_resolution_time_in_minutes") == (1560, 600)
    # requester waits in new (Mon 14:00-14:30) and open (Tue 14:00-14:20): 30 + 20 = 50;
    # the agent waits in pending (Mon 14:30-15:00, Tue 14:20-16:00): 30 + 100 = 130
    assert minutes(metric, "requester_wait_time_in_minutes") == (50, 50)
    assert minutes(metric, "agent_wait_time_in_minutes") == (130, 130)
    assert minutes(metric, "on_hold_time_in_minutes") == (0, 0)


def test_a_ticket_open_again_has_no_full_resolution_yet() -> None:
    metric = metrics(ticket(*REOPENED, as_of="2026-11-03T15:00:00Z"))
    assert (metric["reopens"], metric["solved_at"]) == (1, None)
    assert minutes(metric, "first_resolution_time_in_minutes") == (60, 60)
    assert minutes(metric, "full_resolution_time_in_minutes") == (None, None)
    assert minutes(metric, "agent_wait_time_in_minutes") == (None, None)


def test_solved_tickets_reopen_once_or_twice_in_a_month_of_tickets(month: SellerData) -> None:
    clock = zendesk.clock_for(month.tickets, month.as_of)
    served = zendesk.metric_sets_json(month.tickets_by_generated, month.as_of, "x", clock)
    solved = [metric for metric in served if metric["solved_at"] is not None]
    reopens = sorted({metric["reopens"] for metric in served})
    assert len(served) == len(month.tickets)
    assert reopens == [0, 1, 2]
    assert 0 < sum(metric["reopens"] > 0 for metric in solved) < len(solved) / 3


def _genuine_metric_keys() -> set[str]:
    listed = json.loads((REAL / "ticket_metrics_list_example.json").read_text(encoding="utf-8"))
    single = json.loads((REAL / "ticket_metric_object_example.json").read_text(encoding="utf-8"))
    # the list example has `url`, the object example `custom_status_updated_at`: both exist
    return set(listed["ticket_metrics"][0]) | set(single)


def test_the_export_sideloads_one_metric_set_per_ticket_of_the_page(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    with_metrics = http.get(
        sandbox.base_url + TICKETS,
        params={"start_time": "0", "per_page": "10", "include": "metric_sets"},
        auth=zendesk_auth,
        timeout=10,
    ).json()
    without = http.get(
        sandbox.base_url + TICKETS, params={"start_time": "0", "per_page": "10"},
        auth=zendesk_auth, timeout=10,
    ).json()  # fmt: skip

    assert "metric_sets" not in without
    assert [m["ticket_id"] for m in with_metrics["metric_sets"]] == [
        t["id"] for t in with_metrics["tickets"]
    ]
    assert with_metrics["tickets"] == without["tickets"]
    for metric in with_metrics["metric_sets"]:
        assert set(metric) == _genuine_metric_keys()
        for name in ("reply_time_in_minutes", "full_resolution_time_in_minutes"):
            assert set(metric[name]) == {"calendar", "business"}
