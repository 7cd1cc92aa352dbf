"""SP-API Finances refund events, served from 127.0.0.1.

No genuine listFinancialEvents payload is in ../shared/real, so the pages here are written from
the shape docs/contracts.md gives (RefundEventList beside other event lists, NextToken in the
payload, CurrencyAmount a JSON number); the sandbox tests exercise the same stream end to end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl

from connectors.amazon_sp import sync_refund_events
from connectors.landing import read_cursor
from tests.connectors.amazon_sp.support import (
    TOKEN_PATH,
    served,
    sp_settings,
    token_body,
)
from tests.support.loopback import Canned, Loopback

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
EVENTS = "/finances/v0/financialEvents"


def refund(order_id: str, posted: str, principal: float, tax: float) -> dict[str, object]:
    return {
        "AmazonOrderId": order_id,
        "SellerOrderId": order_id,
        "MarketplaceName": "Amazon.com",
        "PostedDate": posted,
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": "KF-0042",
                "OrderAdjustmentItemId": "52986411826454",
                "QuantityShipped": 1,
                "ItemChargeAdjustmentList": [
                    {
                        "ChargeType": "Principal",
                        "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": principal},
                    },
                    {
                        "ChargeType": "Tax",
                        "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": tax},
                    },
                ],
            }
        ],
    }


FIRST = refund("111-0000001-0000001", "2026-08-20T17:01:02Z", -24.98, -2.06)
SECOND = refund("111-0000002-0000002", "2026-08-21T09:30:00Z", -12.49, -1.03)
THIRD = refund("111-0000001-0000001", "2026-08-25T11:00:00Z", -5.0, 0.0)
PAGE_1 = {
    "payload": {
        "FinancialEvents": {
            "RefundEventList": [FIRST, SECOND],
            "ShipmentEventList": [{"AmazonOrderId": "111-0000009-0000009"}],
        },
        "NextToken": "Zm9vYmFy+/==",
    }
}
PAGE_2 = {"payload": {"FinancialEvents": {"RefundEventList": [SECOND, THIRD]}}}


def test_refund_events_land_once_each_with_their_amounts(con) -> None:
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        server.route("GET", EVENTS, Canned(body=served(PAGE_1)), Canned(body=served(PAGE_2)))
        run = sync_refund_events(con, sp_settings(server.url), run_id="run-1", now=NOW)
        sent = [(s.query, dict(parse_qsl(s.query))) for s in server.requests if s.path == EVENTS]

    assert [query for _, query in sent] == [
        {
            "PostedAfter": "2026-06-03T02:00:00Z",
            "PostedBefore": "2026-09-01T01:58:00Z",
            "MaxResultsPerPage": "100",
        },
        {"NextToken": "Zm9vYmFy+/=="},
    ]
    assert sent[1][0] == "NextToken=Zm9vYmFy%2B%2F%3D%3D"  # URL-encoded on the wire
    rows = con.execute(
        """select amazon_order_id, posted_at, length(event_hash),
            sum(cast(item.charge->'ChargeAmount'->>'CurrencyAmount' as decimal(18, 2)))
        from raw.amazon_refund_events,
            lateral (
                select unnest(
                    cast(_record->'ShipmentItemAdjustmentList'->0->'ItemChargeAdjustmentList'
                        as json[])
                ) as charge
            ) as item
        group by all order by 1, 2"""
    ).fetchall()
    assert rows == [
        ("111-0000001-0000001", datetime(2026, 8, 20, 17, 1, 2, tzinfo=UTC), 32, Decimal("-27.04")),
        ("111-0000001-0000001", datetime(2026, 8, 25, 11, 0, tzinfo=UTC), 32, Decimal("-5.00")),
        ("111-0000002-0000002", datetime(2026, 8, 21, 9, 30, tzinfo=UTC), 32, Decimal("-13.52")),
    ]
    events = run.tables["raw.amazon_refund_events"]
    assert (events.records, events.inserted) == (3, 3)
    assert run.cursor == "2026-09-01T01:58:00Z"


def test_the_re_pull_of_the_last_seven_days_changes_nothing_already_landed(con) -> None:
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        server.route("GET", EVENTS, Canned(body=served(PAGE_2)))
        settings = sp_settings(server.url)
        sync_refund_events(con, settings, run_id="run-1", now=NOW)
        second = sync_refund_events(con, settings, run_id="run-2", now=NOW + timedelta(days=1))
        windows = [dict(parse_qsl(s.query)) for s in server.requests if s.path == EVENTS]

    assert windows[1]["PostedAfter"] == "2026-08-25T01:58:00Z"
    events = second.tables["raw.amazon_refund_events"]
    assert (events.records, events.inserted, events.updated, events.unchanged) == (2, 0, 0, 2)
    assert read_cursor(con, "amazon_refund_events") == "2026-09-02T01:58:00Z"
