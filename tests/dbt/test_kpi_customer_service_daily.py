"""First reply times (int_ticket_first_replies) and marts.kpi_customer_service_daily.

Support schedule (seeds): Monday-Friday 09:00-17:00 in America/New_York; Thanksgiving
(2026-11-26) is a holiday. US DST ends on Sunday 2026-11-01 (EDT UTC-4 -> EST UTC-5).
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import US

REPLY_SQL = """
    select first_reply_comment_id, is_agent_created, first_reply_minutes,
        first_reply_business_minutes
    from intermediate.int_ticket_first_replies
    where ticket_id = ?
"""


@pytest.mark.parametrize(
    ("ticket_id", "expected"),
    [
        pytest.param(
            "1",
            ("13", False, 45.0, 45.0),
            # created 13:00Z (09:00 EDT); private note at 13:10Z does not count;
            # public agent reply 13:45Z -> 45 min, all inside business hours
            id="a private note before the public reply never counts",
        ),
        pytest.param(
            "2",
            ("23", True, 150.0, 150.0),
            # the agent opened it at 14:00Z with a public comment (not a reply, not 0 min);
            # the next public agent/admin comment is at 16:30Z -> 150 min (10:00-12:30 EDT)
            id="an agent-created ticket stops the clock at the second public agent comment",
        ),
        pytest.param(
            "3",
            ("32", False, 4020.0, 120.0),
            # Fri 2026-10-30 20:00Z (16:00 EDT) -> Mon 2026-11-02 15:00Z (10:00 EST):
            # calendar 2 d 19 h = 67 h = 4020 min; business Fri 16:00-17:00 EDT = 60 min plus
            # Mon 09:00-10:00 EST = 60 min = 120 (with one offset for both days it would be 180)
            id="a ticket across the DST change counts business minutes with each day's offset",
        ),
        pytest.param(
            "4",
            (None, False, None, None),
            # only a customer comment and a private note: unanswered, NULL (never 0)
            id="an unanswered ticket has null minutes",
        ),
        pytest.param(
            "5",
            ("52", False, 2520.0, 120.0),
            # Wed 2026-11-25 21:00Z (16:00 EST) -> Fri 2026-11-27 15:00Z (10:00 EST):
            # calendar 42 h = 2520 min; business Wed 60 + Thanksgiving 0 + Fri 60 = 120
            id="a holiday adds no business minutes",
        ),
    ],
)
def test_first_reply_minutes(warehouse: BuiltWarehouse, ticket_id: str, expected: tuple) -> None:
    assert warehouse.one(REPLY_SQL, [ticket_id]) == expected


def test_deleted_tickets_are_left_out(warehouse: BuiltWarehouse) -> None:
    assert (
        warehouse.rows(
            "select ticket_id from intermediate.int_ticket_first_replies where ticket_id = '6'"
        )
        == []
    )


def test_daily_support_kpis_are_sums_over_answered_tickets(warehouse: BuiltWarehouse) -> None:
    rows = warehouse.rows(
        "select marketplace_id, local_date, tickets_created_count, answered_tickets_count, "
        "unanswered_tickets_count, agent_created_tickets_count, first_response_minutes_sum, "
        "first_response_minutes, first_response_business_minutes_sum, "
        "first_response_business_minutes "
        "from marts.kpi_customer_service_daily order by marketplace_id, local_date"
    )
    assert [(row[0], row[1].isoformat(), *row[2:]) for row in rows] == [
        # brand 360001 -> Amazon US (seed support_brands); tickets 1 and 2 (6 is deleted):
        # sum 45 + 150 = 195, average 195 / 2 = 97.5, in both calendar and business minutes
        (US, "2026-10-13", 2, 2, 0, 1, 195.0, 97.5, 195.0, 97.5),
        # ticket 5: 2520 / 1, business 120 / 1
        (US, "2026-11-25", 1, 1, 0, 0, 2520.0, 2520.0, 120.0, 120.0),
        # unmapped brand -> 'all': tickets 3 and 4, one answered: 4020 / 1 (not / 2), 120 / 1
        ("all", "2026-10-30", 2, 1, 1, 0, 4020.0, 4020.0, 120.0, 120.0),
    ]
