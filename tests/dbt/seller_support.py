"""The help desk's tickets beyond first replies: solves, reopens, ratings, contacts per order.

Landed on the first night after seller.py's Zendesk batches, in the same record shapes: tickets
7-14 with their comments, and a Zendesk metric set (the export's ``metric_sets`` sideload) for
every ticket but the deleted one, tickets 1-5 included. Each metric set holds what Zendesk
reports for its ticket under the seeds' schedule (Monday-Friday 09:00-17:00 America/New_York,
Thanksgiving closed), in whole minutes truncated, so the warehouse's comparison finds no
difference. New days and brands only: seller.py's support rows keep their values.

- 7 (US, Fri 2026-10-30 16:00 EDT): solved Mon 2026-11-02 10:00 EST, across the DST change.
- 8 (DE, Wed 2026-11-25 09:00 EST): closed, solved Fri 11-27 17:00 EST, across Thanksgiving.
- 9, 10, 11, 12 (DE, Mon 2026-11-02): 9 solved, reopened the next morning and solved again,
  rated good; 10 answered after a private note, solved, rated bad; 11 answered by the admin the
  next morning, closed, survey offered; 12 unanswered, survey unoffered.
- 13, 14 (US, Fri 2026-10-09 EDT, the day of US order 111-0000002): 13 answered, 14 not.
"""

from __future__ import annotations

from typing import Any

from connectors.raw_tables import ZENDESK_TICKET_METRICS
from tests.dbt import seller
from tests.dbt.seller import ADMIN, AGENT, CUSTOMER, US_BRAND, Batch

DE_BRAND = 360002  # mapped to Amazon DE by seeds/support_brands.csv
METRIC_PAGES = seller.JsonPages(records="$.metric_sets")

Minutes = tuple[int, int]  # (calendar, business), whole minutes


def _rated(ticket: dict[str, Any], score: str | None) -> dict[str, Any]:
    return {**ticket, "satisfaction_rating": None if score is None else {"score": score}}


def _comment(comment_id: int, author: int, public: bool, created: str) -> dict[str, Any]:
    return seller._comment(comment_id, author, public, created)


TICKETS = [
    seller._ticket(7, "2026-10-30T20:00:00Z", US_BRAND, status="solved"),
    seller._ticket(8, "2026-11-25T14:00:00Z", DE_BRAND, status="closed"),
    _rated(seller._ticket(9, "2026-11-02T14:00:00Z", DE_BRAND, status="solved"), "good"),
    _rated(seller._ticket(10, "2026-11-02T16:00:00Z", DE_BRAND, status="solved"), "bad"),
    _rated(seller._ticket(11, "2026-11-02T21:00:00Z", DE_BRAND, status="closed"), "offered"),
    _rated(seller._ticket(12, "2026-11-02T22:30:00Z", DE_BRAND, status="open"), "unoffered"),
    seller._ticket(13, "2026-10-09T13:00:00Z", US_BRAND),
    seller._ticket(14, "2026-10-09T15:00:00Z", US_BRAND),
]

COMMENTS: dict[int, list[dict[str, Any]]] = {
    7: [
        _comment(71, CUSTOMER, True, "2026-10-30T20:00:00Z"),
        _comment(72, AGENT, True, "2026-10-30T20:30:00Z"),
    ],
    8: [
        _comment(81, CUSTOMER, True, "2026-11-25T14:00:00Z"),
        _comment(82, AGENT, True, "2026-11-25T14:30:00Z"),
    ],
    9: [
        _comment(91, CUSTOMER, True, "2026-11-02T14:00:00Z"),
        _comment(92, AGENT, True, "2026-11-02T14:30:00Z"),
        _comment(93, CUSTOMER, True, "2026-11-03T14:00:00Z"),  # after the solve: reopened
        _comment(94, AGENT, True, "2026-11-03T14:20:00Z"),
    ],
    10: [
        _comment(101, CUSTOMER, True, "2026-11-02T16:00:00Z"),
        _comment(102, AGENT, False, "2026-11-02T16:05:00Z"),  # private note
        _comment(103, AGENT, True, "2026-11-02T16:10:00Z"),
    ],
    11: [
        _comment(111, CUSTOMER, True, "2026-11-02T21:00:00Z"),
        _comment(112, ADMIN, True, "2026-11-03T14:30:00Z"),  # Tue 09:30 EST
    ],
    12: [_comment(121, CUSTOMER, True, "2026-11-02T22:30:00Z")],
    13: [
        _comment(131, CUSTOMER, True, "2026-10-09T13:00:00Z"),
        _comment(132, AGENT, True, "2026-10-09T13:20:00Z"),
    ],
    14: [_comment(141, CUSTOMER, True, "2026-10-09T15:00:00Z")],
}


def _metric_set(
    ticket_id: int,
    created: str,
    *,
    reply: tuple[int, int, int] | None = None,  # (calendar, business, calendar seconds)
    first: Minutes | None = None,
    full: Minutes | None = None,
    solved_at: str | None = None,
    reopens: int = 0,
    replies: int = 0,
) -> dict[str, Any]:
    def minutes(pair: Minutes | None) -> dict[str, int | None]:
        calendar, business = pair if pair else (None, None)
        return {"calendar": calendar, "business": business}

    return {
        "url": f"https://example.zendesk.com/api/v2/ticket_metrics/{9000 + ticket_id}.json",
        "id": 9000 + ticket_id,
        "ticket_id": ticket_id,
        "created_at": created,
        "updated_at": created,
        "reopens": reopens,
        "replies": replies,
        "solved_at": solved_at,
        "reply_time_in_minutes": minutes(reply[:2] if reply else None),
        "reply_time_in_seconds": {"calendar": reply[2] if reply else None},
        "first_resolution_time_in_minutes": minutes(first),
        "full_resolution_time_in_minutes": minutes(full),
    }


# What Zendesk reports for each ticket (the arithmetic of seller.py's tickets is in
# test_kpi_customer_service_daily.py; the new ones' is in the module docstring's days and here).
METRIC_SETS = [
    _metric_set(1, "2026-10-13T13:00:00Z", reply=(45, 45, 2700), replies=1),
    _metric_set(2, "2026-10-13T14:00:00Z", reply=(150, 150, 9000), replies=1),
    # Fri 16:00 EDT -> Mon 10:00 EST: 4020 min; business 60 + 60
    _metric_set(3, "2026-10-30T20:00:00Z", reply=(4020, 120, 241200), replies=1),
    _metric_set(4, "2026-10-30T21:00:00Z"),  # unanswered: every time NULL
    # Wed 16:00 EST -> Fri 10:00 EST: 2520 min; business 60 + Thanksgiving 0 + 60
    _metric_set(5, "2026-11-25T21:00:00Z", reply=(2520, 120, 151200), replies=1),
    _metric_set(
        7,
        "2026-10-30T20:00:00Z",
        reply=(30, 30, 1800),
        # Fri 20:00Z -> Mon 15:00Z = 67 h = 4020 min; Fri 16:00-17:00 EDT + Mon 09:00-10:00 EST
        first=(4020, 120),
        full=(4020, 120),
        solved_at="2026-11-02T15:00:00Z",
        replies=1,
    ),
    _metric_set(
        8,
        "2026-11-25T14:00:00Z",
        reply=(30, 30, 1800),
        # Wed 14:00Z -> Fri 22:00Z = 56 h = 3360 min; Wed 480 + Thanksgiving 0 + Fri 480 = 960
        first=(3360, 960),
        full=(3360, 960),
        solved_at="2026-11-27T22:00:00Z",
        replies=1,
    ),
    _metric_set(
        9,
        "2026-11-02T14:00:00Z",
        reply=(30, 30, 1800),
        # first solved Mon 15:00:40Z: 60 min 40 s -> 60 whole minutes, all business
        first=(60, 60),
        # final solve Tue 16:00Z: 26 h = 1560 min; Mon 09:00-17:00 EST 480 + Tue 09:00-11:00 120
        full=(1560, 600),
        solved_at="2026-11-03T16:00:00Z",
        reopens=1,
        replies=2,
    ),
    _metric_set(
        10,
        "2026-11-02T16:00:00Z",
        reply=(10, 10, 600),  # the private note at 16:05Z is no reply
        first=(120, 120),
        full=(120, 120),
        solved_at="2026-11-02T18:00:00Z",
        replies=1,
    ),
    _metric_set(
        11,
        "2026-11-02T21:00:00Z",
        # Mon 21:00Z -> Tue 14:30Z = 17.5 h = 1050 min; Mon 16:00-17:00 60 + Tue 09:00-09:30 30
        reply=(1050, 90, 63000),
        # -> Tue 15:00Z = 18 h = 1080 min; business 60 + 60
        first=(1080, 120),
        full=(1080, 120),
        solved_at="2026-11-03T15:00:00Z",
        replies=1,
    ),
    _metric_set(12, "2026-11-02T22:30:00Z"),
    _metric_set(13, "2026-10-09T13:00:00Z", reply=(20, 20, 1200), replies=1),
    _metric_set(14, "2026-10-09T15:00:00Z"),
]


def first_night() -> list[Batch]:
    """The tickets, their comments and every metric set, as the ticket stream lands them."""
    batches = [
        Batch(seller.ZENDESK_TICKETS, seller.TICKET_PAGES, [seller._json({"tickets": TICKETS})]),
        Batch(
            ZENDESK_TICKET_METRICS,
            METRIC_PAGES,
            [seller._json({"metric_sets": METRIC_SETS})],
        ),
    ]
    for ticket in TICKETS:
        page = {"comments": COMMENTS[ticket["id"]], "next_page": None, "count": 1}
        batches.append(
            Batch(
                seller.ZENDESK_TICKET_COMMENTS,
                seller.COMMENT_PAGES,
                [seller._json(page)],
                {
                    "ticket_id": str(ticket["id"]),
                    "ticket_generated_timestamp": str(ticket["generated_timestamp"]),
                },
            )
        )
    return batches
