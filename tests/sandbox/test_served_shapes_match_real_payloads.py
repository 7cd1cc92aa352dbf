"""What the sandbox serves has the keys of the genuine payloads in tests/fixtures/real/.

The genuine files are copies of ../shared/real (see each ``.source.txt``); the sandbox's records
are compared key by key so a connector written against the sandbox reads real data too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.ads import ROW_COLUMNS
from sandbox.amazon import LEDGER_HEADER
from sandbox.generator import SellerData

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
# personal fields the example order carries and the raw layer drops at landing
PERSONAL_ORDER_KEYS = {"BuyerInfo", "ShippingAddress"}


def real(path: str) -> object:
    file = REAL / path
    if not file.exists():
        pytest.skip(f"genuine fixture {path} is missing from tests/fixtures/real")
    return json.loads(file.read_text(encoding="utf-8"))


def test_a_served_order_has_the_keys_of_the_sp_api_sandbox_order(month: SellerData) -> None:
    genuine = real("amazon_sp_api/ordersV0_getOrders_200_sandbox_static.json")
    genuine_keys = set(genuine[0]["response"]["payload"]["Orders"][0])
    example = real("amazon_sp_api/ordersV0_getOrders_200_example.json")
    assert PERSONAL_ORDER_KEYS <= set(example["payload"]["Orders"][0])
    for order in month.amazon_orders_json()[:50]:
        assert set(order) == genuine_keys | PERSONAL_ORDER_KEYS


def test_served_order_items_use_only_genuine_item_keys(month: SellerData) -> None:
    static = real("amazon_sp_api/ordersV0_getOrderItems_200_sandbox_static.json")
    example = real("amazon_sp_api/ordersV0_getOrderItems_200_example.json")
    known = set(static[0]["response"]["payload"]["OrderItems"][0])
    for item in example["payload"]["OrderItems"]:
        known |= set(item)
    # in the Orders v0 model, not in these two examples
    known |= {"ShippingTax", "ShippingDiscount"}
    core = {"ASIN", "OrderItemId", "SellerSKU", "QuantityOrdered", "QuantityShipped", "ItemPrice",
            "ItemTax", "PromotionDiscount", "ShippingPrice"}  # fmt: skip
    order = month.amazon_orders_by_update[0]
    for item in month.amazon_order_items_json(order.order_id):
        assert core <= set(item) <= known


def test_inventory_summaries_have_the_genuine_keys(month: SellerData) -> None:
    genuine = real("amazon_sp_api/fbaInventory_getInventorySummaries_200_sandbox_static.json")
    summary = genuine[0]["response"]["payload"]["inventorySummaries"][0]
    served = month.amazon_inventory_json("ATVPDKIKX0DER")[0]
    assert set(served) == set(summary)
    assert set(served["inventoryDetails"]) == set(summary["inventoryDetails"])
    assert set(served["inventoryDetails"]["reservedQuantity"]) == set(
        summary["inventoryDetails"]["reservedQuantity"]
    )


def test_the_ledger_document_has_the_genuine_header() -> None:
    file = REAL / "amazon_sp_api" / "GET_LEDGER_SUMMARY_VIEW_DATA.tsv"
    if not file.exists():
        pytest.skip("genuine ledger header is missing from tests/fixtures/real")
    header = file.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert tuple(header) == LEDGER_HEADER


def test_a_served_ticket_and_export_page_have_the_genuine_keys(month: SellerData) -> None:
    genuine = real("zendesk/incremental_tickets_cursor_start_time0.json")
    assert isinstance(genuine, dict)
    for ticket in month.zendesk_tickets_json()[:50]:
        assert set(ticket) == set(genuine["tickets"][0])
    assert set(genuine) == {
        "tickets", "after_url", "before_url", "after_cursor", "before_cursor", "end_of_stream",
    }  # fmt: skip


def test_a_served_shopify_order_has_every_genuine_key(month: SellerData) -> None:
    genuine = real("shopify/orders.json")
    assert isinstance(genuine, dict)
    genuine_keys = set(genuine["orders"][0])
    single = real("shopify/order.json")
    assert isinstance(single, dict)
    for order in month.shopify_orders_json()[:50]:
        assert genuine_keys <= set(order)
        assert {"line_items", "fulfillments", "refunds"} <= set(order)
    line_keys = {"id", "sku", "quantity", "price", "variant_id", "product_id", "title"}
    assert line_keys <= set(single["order"]["line_items"][0])
    assert line_keys <= set(month.shopify_orders_json()[0]["line_items"][0])


def test_the_ads_report_create_answer_has_the_documented_keys(month: SellerData) -> None:
    genuine = real("amazon_ads/createAsyncReport_v3_response_pending.json")
    rows = real("amazon_ads/spCampaigns_v3_sample_report_rows.json")
    assert isinstance(genuine, dict) and isinstance(rows, list)
    from sandbox.api_ads import _report_json
    from sandbox.state import Report

    spec = {"name": "n", "startDate": "2026-10-01", "endDate": "2026-10-02",
            "configuration": {"columns": ["date"]}}  # fmt: skip
    served = _report_json(Report("id", "ads", spec, 0.0), "PENDING")
    assert set(served) == set(genuine)
    sample_columns = set(rows[0]) - {"adGroupId"}  # grouped by campaign only here
    assert sample_columns <= set(ROW_COLUMNS)
    row = month.ads_rows_json(month.profiles[0].profile_id)[0]
    assert isinstance(row["campaignId"], int) and isinstance(row["cost"], float)
