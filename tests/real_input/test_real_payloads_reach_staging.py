"""Genuine platform payloads, replayed from 127.0.0.1 through the real connectors, reach staging.

One module-scoped warehouse: the genuine files under tests/fixtures/real/ (each with its
``.source.txt``) are served by tests/support/loopback.py, the connectors' own ``sync_*``
functions land them into ``raw``, and one ``dbt build --select +staging`` (the staging views, the
seed they join and their YAML tests) runs over them. Every expected value below was read off the
genuine file by hand; the comment beside it names the file and the field.

How each payload is served:
- Amazon's OpenAPI examples (``*_example.json``) are whole response bodies: served byte for byte.
  The static-sandbox files are lists of ``{request, response}`` pairs: each ``response`` is served
  as the exact slice of the file that spells it (:func:`response_slice`), never re-serialised.
- Shopify ``orders.json`` (the list endpoint the connector reads) is served byte for byte.
  ``order.json`` is the single-order endpoint, which the connector never calls; its ``order``
  slice is served inside the list envelope ``{"orders": [...]}`` (derived envelope, genuine
  record). Both files are the same order (id 450789469, same ``updated_at``) with different
  totals, so they cannot both be the current row: the list page lands before the build and is
  read through the staging views; then ``order.json`` lands (an equal version with a different
  record replaces the row, connectors/landing.py) and the same views are read again. Staging
  models are views, so that second reading needs no second build.
- Zendesk's recorded export (87 tickets, ``end_of_stream`` true) is served byte for byte; each
  ticket's comments endpoint answers an empty comments page (scripted: no genuine recording).
- Scripted, because no genuine file exists: the LWA token answer, the Shopify ``shop.json`` and
  the Ads profile list, the empty items page of an order Amazon's examples give no items for.
- Amazon Ads: the genuine create-report answer (PENDING) is served byte for byte. Amazon's two
  sample report rows are a SUMMARY report grouped by campaign and ad group, without the ``date``
  column of the DAILY report the connector asks for (served as they are, the connector rightly
  refuses them: tests/connectors/amazon_ads). Here they are given a ``date`` (derived) so their
  genuine numbers can be followed into staging.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors import amazon_ads, amazon_sp, shopify, zendesk
from connectors.amazon_lwa import LwaCredentials, clear_token_cache
from connectors.base import StreamRun
from connectors.http import HttpSettings
from connectors.warehouse import connect
from tests.dbt.conftest import DBT, DBT_PROJECT, dbt_environment
from tests.support.loopback import Canned, Loopback

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
SP_GET_ORDERS_EXAMPLE = REAL / "amazon_sp_api" / "ordersV0_getOrders_200_example.json"
SP_GET_ORDERS_STATIC = REAL / "amazon_sp_api" / "ordersV0_getOrders_200_sandbox_static.json"
SP_ITEMS_EXAMPLE = REAL / "amazon_sp_api" / "ordersV0_getOrderItems_200_example.json"
SP_ITEMS_STATIC = REAL / "amazon_sp_api" / "ordersV0_getOrderItems_200_sandbox_static.json"
SP_INVENTORY_STATIC = (
    REAL / "amazon_sp_api" / "fbaInventory_getInventorySummaries_200_sandbox_static.json"
)
ADS_PENDING = REAL / "amazon_ads" / "createAsyncReport_v3_response_pending.json"
ADS_SAMPLE_ROWS = REAL / "amazon_ads" / "spCampaigns_v3_sample_report_rows.json"
SHOPIFY_ORDERS = REAL / "shopify" / "orders.json"
SHOPIFY_ORDER = REAL / "shopify" / "order.json"
ZENDESK_EXPORT = REAL / "zendesk" / "incremental_tickets_cursor_start_time0.json"
GENUINE_FILES = (
    SP_GET_ORDERS_EXAMPLE,
    SP_GET_ORDERS_STATIC,
    SP_ITEMS_EXAMPLE,
    SP_ITEMS_STATIC,
    SP_INVENTORY_STATIC,
    ADS_PENDING,
    ADS_SAMPLE_ROWS,
    SHOPIFY_ORDERS,
    SHOPIFY_ORDER,
    ZENDESK_EXPORT,
)

# 02:00 UTC on 1 September 2026: still 31 August in Los Angeles (the US marketplace's day)
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=2, backoff_factor_s=0.01)
DBT_TIMEOUT_S = 180
US = "ATVPDKIKX0DER"
LA = "America/Los_Angeles"

TOKEN_PATH = "/auth/o2/token"
ORDERS_PATH = "/orders/v0/orders"
SUMMARIES_PATH = "/fba/inventory/v1/summaries"
SHOPIFY_ROOT = "/admin/api/2024-10"
ZENDESK_EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
ADS_PROFILE_ID = "3351001"
ADS_REPORT_ID = "xxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx"  # createAsyncReport_v3_response_pending.json
NO_COMMENTS = b'{"comments":[],"next_page":null,"previous_page":null,"count":0}'
SHOP = {  # scripted: the fixtures hold no shop.json; Eastern time as the orders' offset says
    "id": 548380009,
    "name": "Replay Store",
    "myshopify_domain": "replay-store.myshopify.com",
    "currency": "USD",
    "iana_timezone": "America/New_York",
    "country_code": "US",
    "updated_at": "2026-08-01T10:00:00-04:00",
}
ADS_PROFILES = [  # scripted, shaped as docs/contracts.md describes /v2/profiles
    {
        "profileId": int(ADS_PROFILE_ID),
        "countryCode": "US",
        "currencyCode": "USD",
        "timezone": LA,
        "accountInfo": {"marketplaceStringId": US, "id": "A1SELLER", "type": "seller"},
    }
]

# incremental_tickets_cursor_start_time0.json, tickets[].id: 1, 28-33, 37-100, 4030-4045
RECORDED_TICKET_IDS = sorted(
    str(ticket_id) for ticket_id in (1, *range(28, 34), *range(37, 101), *range(4030, 4046))
)


def response_slice(path: Path, index: int, key: str = "response") -> bytes:
    """The value of the ``index``-th ``"key":`` in ``path``, exactly as the file spells it.

    Amazon's static-sandbox files wrap each answer in ``{request, response}``; the platform sends
    only the response. Slicing (rather than re-serialising) keeps its bytes, indentation included.
    """
    text = path.read_text(encoding="utf-8")
    starts = [match.end() for match in re.finditer(rf'"{key}"\s*:\s*', text)]
    _, end = json.JSONDecoder().raw_decode(text, starts[index])
    return text[starts[index] : end].encode()


def scripted(document: object) -> Canned:
    return Canned(body=json.dumps(document).encode())


@dataclass
class Replayed:
    """The warehouse after the replay and the one staging build, and what each sync reported."""

    path: Path
    build_returncode: int
    build_output: str
    build_statuses: dict[str, str]
    runs: dict[str, StreamRun]
    # stg_shopify__orders as read after the build, while the orders.json copy was current
    shopify_list_order: list[tuple[Any, ...]] = field(default_factory=list)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return read_rows(self.path, sql)


def read_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def lwa(base_url: str, refresh_token: str, variable: str) -> LwaCredentials:
    return LwaCredentials(
        token_url=f"{base_url}{TOKEN_PATH}",
        client_id="amzn1.application-oa2-client.replay",
        client_secret="amzn1.oa2-cs.v1.replay-secret-real-input",
        refresh_token=refresh_token,
        refresh_token_variable=variable,
    )


def serve_amazon_sp(server: Loopback) -> None:
    server.route(
        "POST",
        TOKEN_PATH,
        scripted({"access_token": "Atza|replay", "token_type": "bearer", "expires_in": 3600}),
    )
    # page 1: Amazon's example page (902-3159896-1390916, buyer fields, NextToken); the token
    # call is answered by the static sandbox's first page (two 1970 orders, no NextToken)
    server.route(
        "GET",
        ORDERS_PATH,
        Canned(body=SP_GET_ORDERS_EXAMPLE.read_bytes()),
        Canned(body=response_slice(SP_GET_ORDERS_STATIC, 0)),
    )
    server.route(
        "GET",
        f"{ORDERS_PATH}/902-1845936-5435065/orderItems",
        Canned(body=response_slice(SP_ITEMS_STATIC, 0)),
    )
    # Amazon's example items page names order 903-1671087-0812628 and repeats its NextToken
    server.route(
        "GET",
        f"{ORDERS_PATH}/902-8745147-1934268/orderItems",
        Canned(body=SP_ITEMS_EXAMPLE.read_bytes()),
    )
    server.route(
        "GET",
        f"{ORDERS_PATH}/902-3159896-1390916/orderItems",
        scripted({"payload": {"AmazonOrderId": "902-3159896-1390916", "OrderItems": []}}),
    )
    # nextToken "seed", served again: the repeated token ends the listing
    server.route("GET", SUMMARIES_PATH, Canned(body=response_slice(SP_INVENTORY_STATIC, 0)))


def serve_amazon_ads(server: Loopback) -> None:
    server.route("GET", "/v2/profiles", scripted(ADS_PROFILES))
    server.route("POST", "/reporting/reports", Canned(body=ADS_PENDING.read_bytes()))
    completed = json.loads(ADS_PENDING.read_bytes())
    completed.update(status="COMPLETED", url=f"{server.url}/files/{ADS_REPORT_ID}.json.gz")
    server.route(
        "GET",
        f"/reporting/reports/{ADS_REPORT_ID}",
        Canned(body=ADS_PENDING.read_bytes()),
        scripted(completed),
    )
    rows = json.loads(ADS_SAMPLE_ROWS.read_bytes())
    rows[0]["date"], rows[1]["date"] = "2026-08-29", "2026-08-30"  # derived: DAILY rows
    server.route(
        "GET",
        f"/files/{ADS_REPORT_ID}.json.gz",
        Canned(body=gzip.compress(json.dumps(rows).encode())),
    )


def serve_shopify(server: Loopback) -> None:
    server.route("GET", f"{SHOPIFY_ROOT}/shop.json", scripted({"shop": SHOP}))
    server.route("GET", f"{SHOPIFY_ROOT}/orders.json", Canned(body=SHOPIFY_ORDERS.read_bytes()))


def serve_zendesk(server: Loopback) -> None:
    server.route("GET", ZENDESK_EXPORT_PATH, Canned(body=ZENDESK_EXPORT.read_bytes()))
    for ticket_id in RECORDED_TICKET_IDS:
        server.route("GET", f"/api/v2/tickets/{ticket_id}/comments.json", Canned(body=NO_COMMENTS))


def dbt_build_staging(warehouse: Path, work: Path) -> tuple[int, str, dict[str, str]]:
    target = work / "target"
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "+staging",
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT,
        env=dbt_environment(warehouse),
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    statuses = {result["unique_id"]: result["status"] for result in results}
    return completed.returncode, completed.stdout + completed.stderr, statuses


SHOPIFY_ORDER_SQL = """
    select order_id, marketplace_id, order_name, created_at, created_local_date,
        created_utc_date, updated_at, processed_at, is_cancelled, is_test, currency_code,
        financial_status, total_price_amount_local, subtotal_price_amount_local,
        total_discounts_amount_local, total_tax_amount_local, time_zone
    from staging.stg_shopify__orders
"""


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replayed]:
    missing = [str(path.relative_to(REAL)) for path in GENUINE_FILES if not path.is_file()]
    if missing:
        pytest.skip(f"genuine fixture files missing under tests/fixtures/real: {missing}")
    work = tmp_path_factory.mktemp("real_input")
    warehouse = work / "warehouse.duckdb"
    clear_token_cache()  # another module's server may have had this port and its token cached
    runs: dict[str, StreamRun] = {}
    with Loopback() as server:
        serve_amazon_sp(server)
        serve_amazon_ads(server)
        serve_shopify(server)
        serve_zendesk(server)
        sp_settings = amazon_sp.AmazonSpSettings(
            api_url=server.url,
            lwa=lwa(server.url, "Atzr|replay-sp", "AMAZON_SP_REFRESH_TOKEN"),
            marketplace_ids=(US,),
            http=FAST,
        )
        ads_settings = amazon_ads.AmazonAdsSettings(
            api_url=server.url,
            lwa=lwa(server.url, "Atzr|replay-ads", "AMAZON_ADS_REFRESH_TOKEN"),
            profile_ids=(ADS_PROFILE_ID,),
            history_days=3,
            report_poll_interval_s=0.01,
            report_max_wait_s=5.0,
            http=FAST,
        )
        shop_settings = shopify.ShopifySettings(
            store_url=server.url, access_token="shpat_replay_real_input", http=FAST
        )
        zendesk_settings = zendesk.ZendeskSettings(
            url=server.url, email="replay@example.com", api_token="zd_replay_real_input", http=FAST
        )

        con = connect(warehouse)
        try:
            runs["amazon_orders"] = amazon_sp.sync_orders(
                con, sp_settings, run_id="replay-1", now=NOW
            )
            runs["amazon_inventory_summaries"] = amazon_sp.sync_inventory_summaries(
                con, sp_settings, run_id="replay-1", now=NOW
            )
            runs["amazon_ads_profiles"] = amazon_ads.sync_profiles(
                con, ads_settings, run_id="replay-1", now=NOW
            )
            runs["amazon_ads_sp_campaigns"] = amazon_ads.sync_sp_campaigns(
                con, ads_settings, run_id="replay-1", now=NOW
            )
            runs["shopify_shops"] = shopify.sync_shop(
                con, shop_settings, run_id="replay-1", now=NOW
            )
            runs["shopify_orders"] = shopify.sync_orders(
                con, shop_settings, run_id="replay-1", now=NOW
            )
            runs["zendesk_tickets"] = zendesk.sync_tickets(
                con, zendesk_settings, run_id="replay-1", now=NOW
            )
        finally:
            con.close()

        returncode, output, statuses = dbt_build_staging(warehouse, work)
        list_order = read_rows(warehouse, SHOPIFY_ORDER_SQL) if returncode == 0 else []

        # order.json's record inside the list envelope (derived envelope, genuine record)
        single = b'{"orders":[' + response_slice(SHOPIFY_ORDER, 0, key="order") + b"]}"
        server.route("GET", f"{SHOPIFY_ROOT}/orders.json", Canned(body=single))
        con = connect(warehouse)
        try:
            runs["shopify_orders_single"] = shopify.sync_orders(
                con, shop_settings, run_id="replay-2", now=NOW
            )
        finally:
            con.close()
        # staging is stored (incremental tables): the next build brings the replaced order in
        if returncode == 0:
            rebuilt, rebuilt_output, _ = dbt_build_staging(warehouse, work)
            assert rebuilt == 0, rebuilt_output[-4000:]
    clear_token_cache()
    yield Replayed(warehouse, returncode, output, statuses, runs, list_order)


def test_one_staging_build_passes_every_model_and_test_over_the_genuine_payloads(
    replayed: Replayed,
) -> None:
    assert replayed.build_returncode == 0, replayed.build_output[-4000:]
    statuses = replayed.build_statuses
    models = sorted(uid.split(".")[-1] for uid in statuses if uid.startswith("model."))
    assert models == [
        "stg_amazon_ads__profiles",
        "stg_amazon_ads__sp_advertised_products",
        "stg_amazon_ads__sp_campaigns",
        "stg_amazon_sp__inventory_ledger",
        "stg_amazon_sp__inventory_summaries",
        "stg_amazon_sp__order_items",
        "stg_amazon_sp__orders",
        "stg_amazon_sp__refund_events",
        "stg_amazon_sp__shipments",
        "stg_fx__rates",
        "stg_shopify__fulfillments",
        "stg_shopify__order_lines",
        "stg_shopify__orders",
        "stg_shopify__refunds",
        "stg_shopify__shops",
        "stg_zendesk__ticket_comments",
        "stg_zendesk__ticket_metrics",
        "stg_zendesk__tickets",
        "stg_zendesk__users",
    ]
    assert [uid for uid in statuses if uid.startswith("seed.")] == [
        "seed.kpi_warehouse.marketplaces"
    ]
    not_passed = {
        uid: status for uid, status in statuses.items() if status not in {"success", "pass"}
    }
    assert not_passed == {}


def test_every_raw_row_the_connectors_landed_is_a_staging_row(replayed: Replayed) -> None:
    pairs = {
        "amazon_orders": "stg_amazon_sp__orders",
        "amazon_order_items": "stg_amazon_sp__order_items",
        "amazon_inventory_summaries": "stg_amazon_sp__inventory_summaries",
        "amazon_ads_profiles": "stg_amazon_ads__profiles",
        "amazon_ads_sp_campaigns": "stg_amazon_ads__sp_campaigns",
        "shopify_shops": "stg_shopify__shops",
        "shopify_orders": "stg_shopify__orders",
        "zendesk_tickets": "stg_zendesk__tickets",
    }
    counts = {
        raw: replayed.rows(
            f"select (select count(*) from raw.{raw}), (select count(*) from staging.{stg})"
        )[0]
        for raw, stg in pairs.items()
    }
    assert counts == {
        "amazon_orders": (3, 3),
        "amazon_order_items": (3, 3),
        "amazon_inventory_summaries": (3, 3),
        "amazon_ads_profiles": (1, 1),
        "amazon_ads_sp_campaigns": (2, 2),
        "shopify_shops": (1, 1),
        "shopify_orders": (1, 1),
        "zendesk_tickets": (87, 87),
    }


def test_amazon_example_orders_reach_staging_with_utc_times_totals_and_pacific_dates(
    replayed: Replayed,
) -> None:
    rows = replayed.rows(
        """select amazon_order_id, marketplace_id, order_status, is_cancelled,
            fulfillment_channel, sales_channel, order_type, purchased_at, purchase_local_date,
            purchase_utc_date, last_updated_at, earliest_ship_at, latest_ship_at, currency_code,
            order_total_amount_local, items_shipped_count, items_unshipped_count,
            is_business_order, is_replacement_order, time_zone
        from staging.stg_amazon_sp__orders order by amazon_order_id"""
    )
    # ordersV0_getOrders_200_sandbox_static.json, [0].response.payload.Orders[0] and [1]:
    # PurchaseDate 1970-01-19T03:58:30Z (19:58 on the 18th in Los Angeles), LastUpdateDate
    # 03:58:32Z, EarliestShipDate 03:59:27Z, LatestShipDate 04:05:13Z, OrderTotal USD "11.01",
    # NumberOfItemsUnshipped 1, SalesChannel Amazon.com, IsReplacementOrder false (absent in [1])
    static_order = (
        US,
        "Unshipped",
        False,
        "MFN",
        "Amazon.com",
        "StandardOrder",
        datetime(1970, 1, 19, 3, 58, 30, tzinfo=UTC),
        date(1970, 1, 18),
        date(1970, 1, 19),
        datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC),
        datetime(1970, 1, 19, 3, 59, 27, tzinfo=UTC),
        datetime(1970, 1, 19, 4, 5, 13, tzinfo=UTC),
        "USD",
        Decimal("11.01"),
        0,
        1,
        False,
        False,
        LA,
    )
    assert rows == [
        ("902-1845936-5435065", *static_order),
        # ordersV0_getOrders_200_example.json, payload.Orders[0]: a Pending order, which Amazon
        # sends without OrderTotal; PurchaseDate = LastUpdateDate 2017-01-20T19:49:35Z,
        # EarliestShipDate 2017-01-20T19:51:16Z, LatestShipDate 2017-01-25T19:49:35Z; the
        # currency falls back to the marketplace's (seed marketplaces.csv)
        (
            "902-3159896-1390916",
            US,
            "Pending",
            False,
            "MFN",
            None,
            "StandardOrder",
            datetime(2017, 1, 20, 19, 49, 35, tzinfo=UTC),
            date(2017, 1, 20),
            date(2017, 1, 20),
            datetime(2017, 1, 20, 19, 49, 35, tzinfo=UTC),
            datetime(2017, 1, 20, 19, 51, 16, tzinfo=UTC),
            datetime(2017, 1, 25, 19, 49, 35, tzinfo=UTC),
            "USD",
            None,
            0,
            0,
            False,
            False,
            LA,
        ),
        ("902-8745147-1934268", *static_order),
    ]


def test_amazon_order_personal_fields_never_reach_raw_or_staging(replayed: Replayed) -> None:
    # ordersV0_getOrders_200_example.json carries BuyerInfo.BuyerEmail "user@example.com" and a
    # ShippingAddress in Canton, MI
    found = replayed.rows(
        """select count(*) from raw.amazon_orders
        where cast(_record as varchar) like '%user@example.com%'
            or cast(_record as varchar) like '%Canton%'"""
    )
    assert found == [(0,)]


def test_amazon_example_order_items_reach_staging_with_prices_in_their_currency(
    replayed: Replayed,
) -> None:
    rows = replayed.rows(
        """select amazon_order_id, order_item_id, seller_sku, asin, quantity_ordered,
            quantity_shipped, currency_code, item_price_amount_local, item_tax_amount_local,
            promotion_discount_amount_local, shipping_price_amount_local, order_last_updated_at
        from staging.stg_amazon_sp__order_items order by amazon_order_id, order_item_id"""
    )
    # the items carry the version of the order they were asked for: LastUpdateDate of the 1970
    # orders (ordersV0_getOrders_200_sandbox_static.json)
    version = datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC)
    assert rows == [
        # ordersV0_getOrderItems_200_sandbox_static.json, [0].response.payload.OrderItems[0]:
        # ItemPrice USD "10.00", ItemTax "1.01", PromotionDiscount "0.00", no ShippingPrice
        (
            "902-1845936-5435065",
            "05015851154158",
            "NABetaASINB00551Q3CS",
            "B00551Q3CS",
            1,
            0,
            "USD",
            Decimal("10.00"),
            Decimal("1.01"),
            Decimal("0.00"),
            None,
            version,
        ),
        # ordersV0_getOrderItems_200_example.json, payload (AmazonOrderId 903-1671087-0812628):
        # OrderItems[0] ItemPrice JPY "25.99", ShippingPrice JPY "1.26", QuantityShipped 1;
        # OrderItems[1] ItemPrice JPY "17.95", QuantityOrdered 2, no QuantityShipped
        (
            "903-1671087-0812628",
            "68828574383266",
            "CBA_OTF_1",
            "BT0093TELA",
            1,
            1,
            "JPY",
            Decimal("25.99"),
            None,
            None,
            Decimal("1.26"),
            version,
        ),
        (
            "903-1671087-0812628",
            "79039765272157",
            "CBA_OTF_5",
            "BCTU1104UEFB",
            2,
            0,
            "JPY",
            Decimal("17.95"),
            None,
            None,
            None,
            version,
        ),
    ]


def test_fba_inventory_summaries_reach_staging_under_the_los_angeles_date_of_the_run(
    replayed: Replayed,
) -> None:
    rows = replayed.rows(
        """select snapshot_date, marketplace_id, seller_sku, asin, fn_sku, item_condition,
            fulfillable_units, total_units, last_updated_at
        from staging.stg_amazon_sp__inventory_summaries order by seller_sku"""
    )
    snapshot = date(2026, 8, 31)  # 02:00 UTC on 1 September is 19:00 on 31 August in LA
    # fbaInventory_getInventorySummaries_200_sandbox_static.json, [0].response.payload
    # .inventorySummaries[0..2]: lastUpdatedTime "" for the two EMTEC rows
    assert rows == [
        (snapshot, US, "EMTEC 1 GB", "B0020MLK00", "B0020MLK00", "NewItem", 0, 0, None),
        (snapshot, US, "EMTEC-SdCard-reader", "B0020MLK00", "B0020MLK00", "NewItem", 0, 0, None),
        (
            snapshot,
            US,
            "Silicon Power 32GB",
            "B00T9QONN6",
            "B00T9QONN6",
            "NewItem",
            66,
            87,
            datetime(2018, 3, 31, 23, 40, 39, tzinfo=UTC),
        ),
    ]


def test_the_shopify_list_page_order_reaches_staging_in_utc_with_its_totals(
    replayed: Replayed,
) -> None:
    created = datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    # orders.json, orders[0]: id 450789469, name "#1001", created_at = updated_at =
    # processed_at "2008-01-10T11:00:00-05:00", currency USD, total_price "598.94",
    # subtotal_price "597.00", total_discounts "10.00", total_tax "11.94",
    # financial_status partially_refunded, test false, cancelled_at null
    assert replayed.shopify_list_order == [
        (
            "450789469",
            "shopify:replay-store.myshopify.com",
            "#1001",
            created,
            date(2008, 1, 10),  # 11:00 in the shop's zone (America/New_York, scripted)
            date(2008, 1, 10),
            created,
            created,
            False,
            False,
            "USD",
            "partially_refunded",
            Decimal("598.94"),
            Decimal("597.00"),
            Decimal("10.00"),
            Decimal("11.94"),
            "America/New_York",
        )
    ]


def test_the_shopify_single_order_payload_replaces_the_row_and_brings_lines_and_fulfillment(
    replayed: Replayed,
) -> None:
    single = replayed.runs["shopify_orders_single"].tables["raw.shopify_orders"]
    # same id and updated_at as the orders.json copy, another record: replaced, not inserted
    assert (single.records, single.inserted, single.updated) == (1, 0, 1)
    created = datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    # order.json, order: total_price "409.94", subtotal_price "398.00", total_discounts "0.00",
    # total_tax "11.94", financial_status authorized, processed_at null
    assert replayed.rows(SHOPIFY_ORDER_SQL) == [
        (
            "450789469",
            "shopify:replay-store.myshopify.com",
            "#1001",
            created,
            date(2008, 1, 10),
            date(2008, 1, 10),
            created,
            None,
            False,
            False,
            "USD",
            "authorized",
            Decimal("409.94"),
            Decimal("398.00"),
            Decimal("0.00"),
            Decimal("11.94"),
            "America/New_York",
        )
    ]
    lines = replayed.rows(
        """select order_id, order_line_id, sku, quantity, currency_code,
            unit_price_amount_local, gross_amount_local, discount_amount_local
        from staging.stg_shopify__order_lines order by line_index"""
    )
    # order.json, order.line_items[0..2]: ids 466157049, 518995019, 703073504, one unit each at
    # "199.00", no total_discount or discount_allocations
    assert lines == [
        ("450789469", line_id, sku, 1, "USD", Decimal("199.00"), Decimal("199.00"), Decimal(0))
        for line_id, sku in (
            ("466157049", "IPOD2008GREEN"),
            ("518995019", "IPOD2008RED"),
            ("703073504", "IPOD2008BLACK"),
        )
    ]
    fulfillments = replayed.rows(
        """select fulfillment_id, order_id, created_at, updated_at, fulfillment_status, is_void
        from staging.stg_shopify__fulfillments"""
    )
    # order.json, order.fulfillments[0]: id 255858046, created_at = updated_at
    # "2014-01-22T15:58:27-05:00", status "failure"
    fulfilled = datetime(2014, 1, 22, 20, 58, 27, tzinfo=UTC)
    assert fulfillments == [("255858046", "450789469", fulfilled, fulfilled, "failure", True)]


def test_all_87_recorded_zendesk_tickets_reach_staging(replayed: Replayed) -> None:
    ids = [row[0] for row in replayed.rows("select ticket_id from staging.stg_zendesk__tickets")]
    assert sorted(ids) == RECORDED_TICKET_IDS
    assert len(ids) == 87
    statuses = replayed.rows(
        """select ticket_status, count(*), count(*) filter (where is_deleted)
        from staging.stg_zendesk__tickets group by 1 order by 1"""
    )
    # incremental_tickets_cursor_start_time0.json, tickets[].status
    assert statuses == [("deleted", 1, 1), ("new", 77, 0), ("open", 1, 0), ("pending", 8, 0)]
    export = replayed.runs["zendesk_tickets"]
    # the recorded page's after_cursor; end_of_stream true, so one export call
    assert export.cursor == "MTcwNzI3MTc0MS4wfHw0MDQ1fA=="
    assert export.requests == 1 + 86  # the export, then comments of every ticket not deleted


def test_zendesk_tickets_keep_their_utc_times_ids_and_channels(replayed: Replayed) -> None:
    rows = replayed.rows(
        """select ticket_id, created_at, updated_at, ticket_status, is_deleted, brand_id,
            requester_id, submitter_id, assignee_id, group_id, ticket_type, priority,
            via_channel, satisfaction_score, generated_at
        from staging.stg_zendesk__tickets where ticket_id in ('1', '4034', '4045')
        order by created_at"""
    )
    assert rows == [
        # tickets[id=1]: the account's sample ticket, updated months after it was created
        (
            "1",
            datetime(2023, 9, 9, 23, 52, 5, tzinfo=UTC),
            datetime(2024, 2, 7, 0, 11, 18, tzinfo=UTC),
            "open",
            False,
            "6130830354842",
            "6130869168922",
            "6130907993114",
            "6130907993114",
            "6130852536346",
            "incident",
            "normal",
            "sample_ticket",
            None,
            datetime.fromtimestamp(1707264678, tz=UTC),  # generated_timestamp
        ),
        # tickets[id=4034]: the one deleted ticket
        (
            "4034",
            datetime(2023, 10, 23, 3, 55, 22, tzinfo=UTC),
            datetime(2023, 10, 24, 4, 19, 53, tzinfo=UTC),
            "deleted",
            True,
            "6130830354842",
            "6291823978522",
            "6291823978522",
            None,
            None,
            None,
            "high",
            "api",
            None,
            datetime.fromtimestamp(1700716703, tz=UTC),
        ),
        # tickets[id=4045]: the last ticket of the export (its id is in the after_cursor)
        (
            "4045",
            datetime(2024, 2, 7, 2, 9, 1, tzinfo=UTC),
            datetime(2024, 2, 7, 2, 9, 1, tzinfo=UTC),
            "new",
            False,
            "6130830354842",
            "6130907993114",
            "6130907993114",
            None,
            None,
            None,
            None,
            "api",
            None,
            datetime(2024, 2, 7, 2, 9, 1, tzinfo=UTC),  # generated_timestamp 1707271741
        ),
    ]
    # tickets[].via.channel: 84 api, 2 web (4036, 4043), 1 sample_ticket
    channels = replayed.rows(
        "select via_channel, count(*) from staging.stg_zendesk__tickets group by 1 order by 1"
    )
    assert channels == [("api", 84), ("sample_ticket", 1), ("web", 2)]


def test_amazon_ads_sample_numbers_reach_staging_on_the_days_given_them(
    replayed: Replayed,
) -> None:
    rows = replayed.rows(
        """select profile_id, report_date, campaign_id, impressions, clicks, cost_local,
            purchases_1d, purchases_7d, purchases_14d, purchases_30d, sales_7d_local
        from staging.stg_amazon_ads__sp_campaigns order by report_date"""
    )
    # spCampaigns_v3_sample_report_rows.json, [0] and [1]: campaignId 158410630682987 (a JSON
    # number), impressions 2216 / 3721, clicks 13 / 10, cost 14.5 / 9.45, purchases1d 1 / 2,
    # purchases7d 2 / 2, purchases14d 3 / 2, purchases30d 3 / 2, no sales columns; the dates are
    # derived (the sample is a SUMMARY report)
    campaign = "158410630682987"
    assert rows == [
        (ADS_PROFILE_ID, date(2026, 8, 29), campaign, 2216, 13, Decimal("14.5"), 1, 2, 3, 3, None),
        (ADS_PROFILE_ID, date(2026, 8, 30), campaign, 3721, 10, Decimal("9.45"), 2, 2, 2, 2, None),
    ]
