"""The data checks: each passes on coherent raw data and names the records that break it."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pandera.pandas as pa
import pytest

from connectors import raw_tables as rt
from connectors.landing import DelimitedRows, JsonPages, JsonRecords, land
from connectors.warehouse import connect
from orchestration.checks.consistency import (
    ADS_CLICKS_WITHIN_IMPRESSIONS,
    AMAZON_ORDER_TOTALS,
    FX_RATE_EVERY_CURRENCY_DAY,
    LEDGER_ON_HAND_NOT_NEGATIVE,
    SHOPIFY_ORDER_TOTALS,
    ZENDESK_REPLIES_AFTER_CREATION,
)
from orchestration.checks.framework import DataCheck, run_check
from orchestration.checks.freshness import FRESHNESS_CHECKS

AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
ORDERS = JsonPages("$.payload.Orders")
ITEMS = JsonPages("$.payload.OrderItems", {"amazon_order_id": "$.payload.AmazonOrderId"})


def _land_orders(con, *orders: dict) -> None:
    """One getOrders page holding ``orders``, landed as the connector lands it."""
    page = json.dumps({"payload": {"Orders": list(orders)}}).encode()
    land(con, rt.AMAZON_ORDERS, ORDERS, [page], run_id="r", stream="t")


@pytest.fixture()
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def _land_amazon_order(con, order_id: str, total: str, items: list[tuple[str, str, str]]):
    order = {
        "AmazonOrderId": order_id,
        "LastUpdateDate": "2026-11-29T10:00:00Z",
        "PurchaseDate": "2026-11-29T09:00:00Z",
        "OrderStatus": "Shipped",
        "MarketplaceId": "ATVPDKIKX0DER",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": total},
    }
    _land_orders(con, order)
    page = {
        "payload": {
            "AmazonOrderId": order_id,
            "OrderItems": [
                {
                    "OrderItemId": item_id,
                    "ItemPrice": {"CurrencyCode": "USD", "Amount": price},
                    "ItemTax": {"CurrencyCode": "USD", "Amount": tax},
                }
                for item_id, price, tax in items
            ],
        }
    }
    land(
        con,
        rt.AMAZON_ORDER_ITEMS,
        ITEMS,
        [json.dumps(page).encode()],
        run_id="r",
        stream="t",
        context={"order_last_update_date": "2026-11-29T10:00:00Z"},
    )


def test_amazon_order_total_check_names_the_order_that_is_off_by_more_than_a_cent(con):
    _land_amazon_order(con, "111-OK", "21.50", [("1", "10.00", "0.75"), ("2", "10.00", "0.75")])
    _land_amazon_order(con, "111-CENT", "10.01", [("1", "10.00", "0.00")])  # within a cent
    _land_amazon_order(con, "111-BAD", "25.00", [("1", "20.00", "1.00")])  # 4.00 missing
    outcome = run_check(con, AMAZON_ORDER_TOTALS, as_of=AS_OF)
    assert not outcome.passed
    assert outcome.rows_checked == 3
    assert outcome.failing_rows["amazon_order_id"].tolist() == ["111-BAD"]
    assert "111-BAD" in outcome.message and "raw.amazon_order_items" in outcome.message


def test_amazon_order_total_check_passes_on_coherent_orders(con):
    _land_amazon_order(con, "111-OK", "21.50", [("1", "10.00", "0.75"), ("2", "10.00", "0.75")])
    assert run_check(con, AMAZON_ORDER_TOTALS, as_of=AS_OF).passed


def _record_publication(con) -> None:
    """What a checked run's publish records in the working file (orchestration/publish.py):
    every row landed so far was judged by the checks of the run that published."""
    con.execute("create schema if not exists meta")
    con.execute(
        "create table meta.publication (version varchar, published_at timestamptz, "
        "run_id varchar, origin varchar)"
    )
    con.execute(
        "insert into meta.publication select 'v1', max(_loaded_at), 'r', 'test' "
        "from raw.amazon_order_items"
    )


def test_after_a_publication_only_rows_landed_since_are_judged_unless_all_are_asked(con):
    _land_amazon_order(con, "111-OK", "21.50", [("1", "10.00", "0.75"), ("2", "10.00", "0.75")])
    _land_amazon_order(con, "111-OLD", "25.00", [("1", "20.00", "1.00")])  # published as it was
    _record_publication(con)
    _land_amazon_order(con, "111-NEW", "9.00", [("1", "5.00", "0.00")])  # 4.00 missing
    # a later correction of one item of a published order brings that order back: 21.50 is
    # now 10.00 + 0.75 + 12.00 + 0.75 = 23.50, off by 2.00
    _land_amazon_order(con, "111-OK", "21.50", [("1", "10.00", "0.75"), ("2", "12.00", "0.75")])

    night = run_check(con, AMAZON_ORDER_TOTALS, as_of=AS_OF)
    assert night.rows_checked == 2
    assert sorted(night.failing_rows["amazon_order_id"]) == ["111-NEW", "111-OK"]
    everything = run_check(con, AMAZON_ORDER_TOTALS, as_of=AS_OF, judge_all=True)
    assert everything.rows_checked == 3
    assert sorted(everything.failing_rows["amazon_order_id"]) == ["111-NEW", "111-OK", "111-OLD"]


def test_ledger_rows_of_a_published_run_are_not_judged_again(con):
    _land_ledger(con, "11/27/2026\tF2\tA2\tSKU-2\tT\tSELLABLE\t-3\tUS\n")
    con.execute("create schema meta")
    con.execute("create table meta.publication (version varchar, published_at timestamptz)")
    con.execute(
        "insert into meta.publication select 'v1', max(_loaded_at) from raw.amazon_inventory_ledger"
    )
    _land_ledger(con, "11/28/2026\tF1\tA1\tSKU-1\tT\tSELLABLE\t4\tUS\n")

    outcome = run_check(con, LEDGER_ON_HAND_NOT_NEGATIVE, as_of=AS_OF)
    assert (outcome.passed, outcome.rows_checked) == (True, 1)
    assert not run_check(con, LEDGER_ON_HAND_NOT_NEGATIVE, as_of=AS_OF, judge_all=True).passed


def _land_ads(con, rows: list[dict]):
    land(
        con,
        rt.AMAZON_ADS_SP_CAMPAIGNS,
        JsonRecords(),
        [gzip.compress(json.dumps(rows).encode())],
        run_id="r",
        stream="t",
        context={"profile_id": "p1"},
    )


def test_ads_check_fails_on_more_clicks_than_impressions_and_tolerates_zero_clicks(con):
    _land_ads(
        con,
        [
            {"date": "2026-11-28", "campaignId": 1, "impressions": 100, "clicks": 3, "cost": 1.5},
            {"date": "2026-11-28", "campaignId": 2, "impressions": 0, "clicks": 0, "cost": 0},
            {"date": "2026-11-28", "campaignId": 3, "impressions": 5, "clicks": 9, "cost": 2.0},
        ],
    )
    outcome = run_check(con, ADS_CLICKS_WITHIN_IMPRESSIONS, as_of=AS_OF)
    assert not outcome.passed
    assert outcome.failing_rows["campaign_id"].tolist() == ["3"]


def test_shopify_total_check_uses_lines_discounts_shipping_and_tax(con):
    orders = [
        {  # 2 x 15.00 - 5.00 discount + 4.99 shipping + 2.00 tax = 31.99
            "id": 1,
            "updated_at": "2026-11-29T10:00:00+00:00",
            "created_at": "2026-11-29T09:00:00Z",
            "currency": "GBP",
            "total_price": "31.99",
            "total_discounts": "5.00",
            "total_tax": "2.00",
            "taxes_included": False,
            "line_items": [{"price": "15.00", "quantity": 2}],
            "shipping_lines": [{"price": "4.99"}],
        },
        {  # taxes included: 10.00 - 0 + 0 = 10.00, but the order says 12.00
            "id": 2,
            "updated_at": "2026-11-29T10:00:00+00:00",
            "created_at": "2026-11-29T09:00:00Z",
            "currency": "GBP",
            "total_price": "12.00",
            "total_discounts": "0.00",
            "total_tax": "1.67",
            "taxes_included": True,
            "line_items": [{"price": "10.00", "quantity": 1}],
            "shipping_lines": [],
        },
    ]
    land(
        con,
        rt.SHOPIFY_ORDERS,
        JsonPages("$.orders"),
        [json.dumps({"orders": orders}).encode()],
        run_id="r",
        stream="t",
        context={"shop_domain": "s.myshopify.com"},
    )
    outcome = run_check(con, SHOPIFY_ORDER_TOTALS, as_of=AS_OF)
    assert outcome.failing_rows["order_id"].tolist() == ["2"]


def test_a_comment_older_than_its_ticket_fails_the_reply_check(con):
    tickets = [
        {
            "id": 7,
            "created_at": "2026-11-29T10:00:00Z",
            "updated_at": "2026-11-29T11:00:00Z",
            "generated_timestamp": 1764410400,
        }
    ]
    land(
        con,
        rt.ZENDESK_TICKETS,
        JsonPages("$.tickets"),
        [json.dumps({"tickets": tickets}).encode()],
        run_id="r",
        stream="t",
    )
    comments = [
        {"id": 70, "created_at": "2026-11-29T10:00:00Z"},
        {"id": 71, "created_at": "2026-11-29T09:59:00Z"},
    ]
    land(
        con,
        rt.ZENDESK_TICKET_COMMENTS,
        JsonPages("$.comments"),
        [json.dumps({"comments": comments}).encode()],
        run_id="r",
        stream="t",
        context={"ticket_id": "7", "ticket_generated_timestamp": "1764410400"},
    )
    outcome = run_check(con, ZENDESK_REPLIES_AFTER_CREATION, as_of=AS_OF)
    assert outcome.failing_rows["comment_id"].tolist() == ["71"]


LEDGER_HEADER = "Date\tFNSKU\tASIN\tMSKU\tTitle\tDisposition\tEndingWarehouseBalance\tLocation\n"


def _land_ledger(con, rows: str) -> None:
    land(
        con,
        rt.AMAZON_INVENTORY_LEDGER,
        DelimitedRows(),
        [(LEDGER_HEADER + rows).encode()],
        run_id="r",
        stream="t",
        context={"marketplace_id": "ATVPDKIKX0DER"},
    )


def test_negative_on_hand_in_the_ledger_fails(con):
    _land_ledger(
        con,
        "11/28/2026\tF1\tA1\tSKU-1\tT\tSELLABLE\t4\tUS\n"
        "11/28/2026\tF2\tA2\tSKU-2\tT\tSELLABLE\t-1\tUS\n",
    )
    outcome = run_check(con, LEDGER_ON_HAND_NOT_NEGATIVE, as_of=AS_OF)
    assert outcome.failing_rows["msku"].tolist() == ["SKU-2"]


def _land_rates(con, days: dict[str, dict[str, float]]):
    pages = [
        json.dumps({"base": "USD", "date": day, "rates": rates}).encode()
        for day, rates in days.items()
    ]
    land(con, rt.FX_RATES, JsonRecords(), [b"[" + b",".join(pages) + b"]"], run_id="r", stream="t")


def test_fx_check_accepts_a_weekend_carry_forward_and_flags_a_missing_currency(con):
    # Friday 2026-11-27 rates; orders on Sunday 2026-11-29 in EUR (covered) and JPY (never quoted)
    _land_rates(con, {"2026-11-27": {"EUR": 0.95}})
    for order_id, currency in (("E-1", "EUR"), ("J-1", "JPY")):
        order = {
            "AmazonOrderId": order_id,
            "LastUpdateDate": "2026-11-29T10:00:00Z",
            "PurchaseDate": "2026-11-29T09:00:00Z",
            "OrderTotal": {"CurrencyCode": currency, "Amount": "1"},
        }
        _land_orders(con, order)
    land(
        con,
        rt.SHOPIFY_ORDERS,
        JsonPages("$.orders"),
        [b'{"orders": []}'],
        run_id="r",
        stream="t",
        context={"shop_domain": "s"},
    )
    outcome = run_check(con, FX_RATE_EVERY_CURRENCY_DAY, as_of=AS_OF)
    assert not outcome.passed
    assert outcome.failing_rows["currency"].tolist() == ["JPY"]
    assert outcome.rows_checked == 2


def test_freshness_fails_for_the_marketplace_whose_newest_order_is_too_old(con):
    for order_id, marketplace, updated in (
        ("US-1", "ATVPDKIKX0DER", "2026-11-30T04:00:00Z"),  # 2 h before the run
        ("DE-1", "A1PA6795UKMFR9", "2026-11-28T05:00:00Z"),  # 49 h before the run
    ):
        order = {"AmazonOrderId": order_id, "LastUpdateDate": updated, "MarketplaceId": marketplace}
        _land_orders(con, order)
    check = next(c for c in FRESHNESS_CHECKS if c.table == "amazon_orders")
    outcome = run_check(con, check, as_of=AS_OF)
    assert outcome.failing_rows["scope"].tolist() == ["A1PA6795UKMFR9"]
    assert outcome.failing_rows["age_hours"].tolist() == [49.0]


def test_a_check_on_a_table_never_landed_fails_and_says_so(con):
    outcome = run_check(con, ADS_CLICKS_WITHIN_IMPRESSIONS, as_of=AS_OF)
    assert not outcome.passed
    assert "not landed yet" in outcome.message


def test_a_check_with_no_rows_to_judge_passes_whatever_its_column_types(con):
    # a night that landed no ticket: the reply-time check's query returns nothing, and its
    # string column has no value whose type pandera could check
    _land_amazon_order(con, "111-OK", "21.50", [("1", "10.00", "0.75"), ("2", "10.00", "0.75")])
    _record_publication(con)
    outcome = run_check(con, AMAZON_ORDER_TOTALS, as_of=AS_OF)
    assert (outcome.passed, outcome.rows_checked) == (True, 0)
    assert outcome.message == "raw.amazon_order_items: no rows to judge"
    empty_strings = DataCheck(
        name="t",
        table="amazon_orders",
        description="",
        sql="select cast(null as varchar) as differences where false",
        schema=pa.DataFrameSchema({"differences": pa.Column(str, pa.Check.eq(""))}),
        key_columns=(),
    )
    assert run_check(con, empty_strings, as_of=AS_OF).passed
