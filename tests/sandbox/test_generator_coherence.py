"""The synthetic seller holds together the way a real one does (a month, seed 7)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sandbox.catalog import CURRENCY_EXPONENT
from sandbox.clock import DAY, local_date
from sandbox.fx import FxSeries, is_working_day
from sandbox.generator import SellerData
from sandbox.zendesk import ACCOUNT_TIMEZONE

LEDGER_EVENTS = (
    "InTransitBetweenWarehouses", "Receipts", "CustomerShipments", "CustomerReturns",
    "VendorReturns", "WarehouseTransferIn/Out", "Found", "Lost", "Damaged", "Disposed",
    "OtherEvents", "UnknownEvents",
)  # fmt: skip
EU_CLOCK_CHANGE = datetime(2026, 10, 25, 1, 0, tzinfo=UTC).timestamp()
US_CLOCK_CHANGE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC).timestamp()


def ledger_date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def test_every_ledger_row_adds_up_and_no_balance_goes_negative(month: SellerData) -> None:
    for marketplace in month.marketplace_ids:
        rows = month.amazon_ledger_rows(marketplace)
        assert len(rows) == 30 * 20  # every complete local day x every SKU
        previous: dict[str, int] = {}
        for row in rows:
            starting = int(row["StartingWarehouseBalance"])
            ending = int(row["EndingWarehouseBalance"])
            assert ending == starting + sum(int(row[column]) for column in LEDGER_EVENTS)
            assert starting >= 0 and ending >= 0
            assert int(row["CustomerShipments"]) <= 0  # Amazon prints units out as negative
            assert previous.get(row["MSKU"], starting) == starting  # day follows day
            previous[row["MSKU"]] = ending


def test_ledger_shipments_are_the_units_the_orders_shipped(month: SellerData) -> None:
    for marketplace in month.marketplace_ids:
        market = month.market(marketplace)
        days = set(market.ledger_days)
        shipped: Counter[str] = Counter()
        for order in market.orders:
            for item in order.items:
                if item.ship_ts and local_date(item.ship_ts, market.channel.timezone) in days:
                    shipped[item.sku.sku] += item.quantity
        in_ledger: Counter[str] = Counter()
        for row in month.amazon_ledger_rows(marketplace):
            in_ledger[row["MSKU"]] -= int(row["CustomerShipments"])
        assert +in_ledger == +shipped
    us_rows = month.amazon_ledger_rows("ATVPDKIKX0DER")
    assert sum(-int(row["CustomerShipments"]) for row in us_rows) == 186


def test_todays_inventory_equals_the_last_ledger_balance(month: SellerData) -> None:
    for marketplace in month.marketplace_ids:
        last = {row["MSKU"]: int(row["EndingWarehouseBalance"]) for row in
                month.amazon_ledger_rows(marketplace)}  # fmt: skip
        summaries = month.amazon_inventory_json(marketplace)
        assert len(summaries) == 20
        for summary in summaries:
            details = summary["inventoryDetails"]
            reserved = details["reservedQuantity"]["totalReservedQuantity"]
            assert summary["totalQuantity"] == last[summary["sellerSku"]]
            assert details["fulfillableQuantity"] == summary["totalQuantity"] - reserved >= 0


def test_a_stocked_out_sku_runs_to_zero_and_sells_nothing_in_its_window(
    month: SellerData,
) -> None:
    market = month.markets["US"]
    assert market.stockouts == {"SBX-0016": [(date(2026, 10, 15), date(2026, 10, 20), 3)]}
    start, end = date(2026, 10, 15), date(2026, 10, 20)
    sold = [
        order.order_id
        for order in market.orders
        if start <= order.local_day < end and any(i.sku.sku == "SBX-0016" for i in order.items)
    ]
    endings = {
        ledger_date(row["Date"]): int(row["EndingWarehouseBalance"])
        for row in month.amazon_ledger_rows("ATVPDKIKX0DER")
        if row["MSKU"] == "SBX-0016"
    }
    assert sold == []
    assert [endings[start + timedelta(days=n)] for n in range(5)] == [0, 0, 0, 0, 0]
    assert endings[end] > 0  # restocked when the window ends


def test_shipments_on_time_and_late_are_both_present(month: SellerData) -> None:
    shipped = [o for o in month.amazon_orders_by_update if o.status == "Shipped"]
    late = [o for o in shipped if max(i.ship_ts for i in o.items) > o.latest_ship_ts]

    assert (len(shipped) - len(late), len(late)) == (319, 21)


def test_refunds_come_one_to_fourteen_days_after_their_order_and_after_it_shipped(
    month: SellerData,
) -> None:
    refunds = month.amazon_refunds
    assert len(refunds) == 16
    for refund in refunds:
        order = refund.order
        assert order.purchase_ts + DAY <= refund.posted_ts <= order.purchase_ts + 14 * DAY
        assert refund.posted_ts > max(item.ship_ts for item in order.items)
        assert refund.posted_ts <= month.as_of
    hidden = [
        o.refund
        for o in month.amazon_orders_by_update
        if o.refund and o.refund.posted_ts > month.as_of
    ]
    assert len(hidden) == 7  # decided, but not yet happened at as_of


def test_orders_fall_on_both_sides_of_local_midnight(month: SellerData) -> None:
    crossing = Counter(
        order.channel.key
        for order in month.amazon_orders_by_update
        if local_date(order.purchase_ts, "UTC") != order.local_day
    )
    assert crossing == {"US": 49, "JP": 15, "DE": 4}


def test_jpy_amounts_have_no_minor_unit(month: SellerData) -> None:
    amounts = [o["OrderTotal"]["Amount"] for o in month.amazon_orders_json("A1VC38T7YXB528")]
    assert len(amounts) == 121
    assert all(amount.isdigit() for amount in amounts)
    assert CURRENCY_EXPONENT["JPY"] == 0


def test_tickets_span_the_eu_and_the_us_clock_changes(month: SellerData) -> None:
    eu = [t for t in month.tickets if t.created_ts < EU_CLOCK_CHANGE < t.updated_ts]
    us = [t for t in month.tickets if t.created_ts < US_CLOCK_CHANGE < t.updated_ts]
    # reopens moved conversations across the US change: 7482 and 7486 now cross it, 7471 no
    # longer does (its rating moved past as_of with its later final solve)
    assert (len(eu), len(us)) == (10, 7)


def test_tickets_have_descriptions_replies_notes_silences_and_ratings(month: SellerData) -> None:
    staff = {user.user_id for user in month.users if user.role != "end-user"}
    by_agent = [t for t in month.tickets if t.submitter_id in staff]
    by_customer = [t for t in month.tickets if t.submitter_id not in staff]
    for ticket in by_customer:
        first = ticket.comments[0]
        assert (first.author_id, first.public) == (ticket.requester_id, True)
    for ticket in by_agent:
        assert ticket.comments[0].author_id in staff
    early_notes = [
        t for t in by_customer
        if len(t.comments) > 1 and not t.comments[1].public
    ]  # fmt: skip
    unanswered = [
        t for t in by_customer if not any(c.public and c.author_id in staff for c in t.comments)
    ]
    scores = Counter(t.rating[1] for t in month.tickets if t.rating and t.rating[0] <= month.as_of)
    assert (len(by_customer), len(by_agent)) == (79, 13)
    assert (len(early_notes), len(unanswered)) == (18, 16)
    assert scores == {"good": 14, "bad": 7}
    roles = Counter(user.role for user in month.users)
    assert roles == {"end-user": 76, "agent": 5, "admin": 1}


def test_generated_timestamp_is_never_older_than_updated_at(month: SellerData) -> None:
    tickets = month.zendesk_tickets_json()
    newer = [t for t in tickets if t["generated_timestamp"] > _epoch(t["updated_at"])]
    assert all(t["generated_timestamp"] >= _epoch(t["updated_at"]) for t in tickets)
    assert len(newer) == 77


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def test_ad_clicks_never_exceed_impressions_and_ad_sales_stay_below_sales(
    month: SellerData,
) -> None:
    zero_sales_with_spend = 0
    for profile in month.profiles:
        market = month.markets[profile.channel.key]
        scale = 10 ** CURRENCY_EXPONENT[profile.channel.currency]
        day_sales: Counter[str] = Counter()
        for order in market.orders:
            if not order.cancel_ts:
                day_sales[order.local_day.isoformat()] += order.net_sales
        ad_sales: Counter[str] = Counter()
        for row in month.ads_rows_json(profile.profile_id):
            assert row["clicks"] <= row["impressions"]
            ad_sales[row["date"]] += round(row["sales7d"] * scale)
            zero_sales_with_spend += row["cost"] > 0 and row["sales30d"] == 0
        assert all(ad_sales[day] < day_sales[day] for day in ad_sales if day_sales[day])
        assert all(ad_sales[day] == 0 for day in ad_sales if not day_sales[day])
    assert zero_sales_with_spend == 517


def test_fx_rates_exist_on_every_working_day_and_never_on_a_weekend_or_holiday() -> None:
    series = FxSeries(seed=7)
    rates = series.series(date(2026, 12, 19), date(2027, 1, 4), base="USD")
    assert list(rates) == [
        "2026-12-18",  # the 19th is a Saturday: the Friday before is carried
        "2026-12-21",
        "2026-12-22",
        "2026-12-23",
        "2026-12-24",
        "2026-12-28",
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
        "2027-01-04",
    ]
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2027, 1, 1))
    assert set(rates["2026-12-21"]) == {"EUR", "JPY", "GBP"}


def test_the_month_has_an_fx_rate_for_each_working_day_and_none_after_as_of(
    month: SellerData,
) -> None:
    rates = month.fx_rates(date(2026, 10, 5), date(2026, 11, 30), base="USD")
    days = [date.fromisoformat(day) for day in rates]
    expected = [
        date(2026, 10, 5) + timedelta(days=n)
        for n in range(29)
        if (date(2026, 10, 5) + timedelta(days=n)).weekday() < 5
    ]
    assert days == expected  # through Mon 2 Nov; 3 Nov is published at 16:00, after as_of


def test_shopify_has_test_orders_cancellations_and_refunds_after_the_order(
    month: SellerData,
) -> None:
    orders = month.shopify_orders_json()
    assert len(orders) == 122
    assert sum(o["test"] for o in orders) == 4
    assert sum(o["cancelled_at"] is not None for o in orders) == 9
    refunded = [o for o in orders if o["refunds"]]
    assert len(refunded) == 7
    for order in refunded:
        created = datetime.fromisoformat(order["created_at"])
        refund_at = datetime.fromisoformat(order["refunds"][0]["created_at"])
        assert timedelta(days=1) <= refund_at - created <= timedelta(days=14)
        assert datetime.fromisoformat(order["updated_at"]) >= refund_at


def test_nothing_served_happened_after_as_of(month: SellerData) -> None:
    as_of = month.as_of
    assert max(o.last_update_ts for o in month.amazon_orders_by_update) <= as_of
    assert max(t.generated_ts for t in month.tickets) <= as_of
    assert local_date(max(t.created_ts for t in month.tickets), ACCOUNT_TIMEZONE) <= date(
        2026, 11, 3
    )
