"""A tiny synthetic seller, written by hand in the platforms' own record shapes.

Every record below is landed through ``connectors.landing.land`` with the raw table specs of
``connectors/raw_tables.py`` and the page shapes the connectors use (getOrders pages are
``{"payload": {"Orders": [...]}}``, Ads reports are a JSON array, ledger and shipments reports are
TSV, ...), so the dbt project reads exactly what a nightly run would leave in ``raw``.

The seller (reporting currency USD):
- Amazon US (USD, America/Los_Angeles, PDT = UTC-7 in October), DE (EUR, Europe/Berlin, CEST =
  UTC+2), JP (JPY, Asia/Tokyo, UTC+9); orders placed on both sides of local midnight.
- Shopify store ``mug-shop.myshopify.com`` (USD, America/New_York, EDT = UTC-4 in October) with a
  test order, a cancelled order, a refund nine days later and fulfillments; plus the genuine
  Shopify ``order.json`` fixture under its own store ``apple.myshopify.com``.
- ECB rates (base USD) on Thu 2026-10-08, Fri 2026-10-09 and Mon 2026-10-12 only.
- Ads profiles for US and DE; the shared cases ``ads_spcampaigns_zero_sales.json.gz`` and
  ``ads_restated_pull1/2.json``; two campaigns at 10 % and 60 % ACoS on one day.
- FBA ledger and one nightly inventory snapshot; an FBA shipments report.
- Zendesk tickets: a private note before the public reply, an agent-created ticket, a ticket
  across the US DST change, an unanswered ticket, a ticket across Thanksgiving, a deleted one;
  solves, reopens, ratings and Zendesk's metric sets in seller_support.py.
- Landed costs of these SKUs in the seed sku_costs.csv; a Shopify order whose costs are only
  partly known in seller_margin.py.

The expected mart values are computed by hand in the test modules, next to their assertions.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.landing import DelimitedRows, JsonMapPages, JsonPages, JsonRecords, RawTable, Shape
from connectors.raw_tables import (
    AMAZON_ADS_PROFILES,
    AMAZON_ADS_SP_CAMPAIGNS,
    AMAZON_INVENTORY_LEDGER,
    AMAZON_INVENTORY_SUMMARIES,
    AMAZON_ORDER_ITEMS,
    AMAZON_ORDERS,
    AMAZON_REFUND_EVENTS,
    AMAZON_SHIPMENTS,
    FX_RATES,
    SHOPIFY_ORDERS,
    SHOPIFY_SHOPS,
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKETS,
    ZENDESK_USERS,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = FIXTURES / "cases"
REAL_SHOPIFY_ORDER = FIXTURES / "real" / "shopify" / "order.json"

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
JP = "A1VC38T7YXB528"
MUG_SHOP = "mug-shop.myshopify.com"
APPLE_SHOP = "apple.myshopify.com"

# The page shapes, as the connectors declare them (connectors/<platform>/...).
ORDER_PAGES = JsonPages(records="$.payload.Orders")
ITEM_PAGES = JsonPages(
    records="$.payload.OrderItems", page_columns={"amazon_order_id": "$.payload.AmazonOrderId"}
)
REFUND_PAGES = JsonPages(records="$.payload.FinancialEvents.RefundEventList")
SUMMARY_PAGES = JsonPages(records="$.payload.inventorySummaries")
TSV = DelimitedRows("\t")
ROWS = JsonRecords()
SHOP_PAGE = JsonPages(records="$.shop", one_record=True)
SHOPIFY_ORDER_PAGES = JsonPages(records="$.orders")
TICKET_PAGES = JsonPages(records="$.tickets")
COMMENT_PAGES = JsonPages(records="$.comments")
USER_PAGES = JsonPages(records="$.users")
RATE_PAGES = JsonMapPages(
    columns="{'base': 'VARCHAR', 'rates': 'MAP(VARCHAR, JSON)'}",
    entries="rates",
    record="json_object('date', entry.key, 'base', base, 'rates', entry.value)",
)


@dataclass
class Batch:
    """One call of ``land``: a raw table, the page shape and the payload bytes as received."""

    table: RawTable
    shape: Shape
    payloads: list[bytes]
    context: dict[str, str] = field(default_factory=dict)


def _json(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def _money(currency: str, amount: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "Amount": amount}


# ---------------------------------------------------------------- Amazon SP-API: orders, items


def _amazon_order(
    order_id: str,
    marketplace_id: str,
    currency: str,
    purchased: str,
    status: str,
    latest_ship: str,
    total: str | None,
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "AmazonOrderId": order_id,
        "PurchaseDate": purchased,
        "LastUpdateDate": "2026-10-11T08:00:00Z",
        "OrderStatus": status,
        "FulfillmentChannel": "AFN",
        "SalesChannel": {US: "Amazon.com", DE: "Amazon.de", JP: "Amazon.co.jp"}[marketplace_id],
        "MarketplaceId": marketplace_id,
        "EarliestShipDate": purchased,
        "LatestShipDate": latest_ship,
        "NumberOfItemsShipped": 1 if status == "Shipped" else 0,
        "NumberOfItemsUnshipped": 0,
        "IsBusinessOrder": False,
        "IsReplacementOrder": "false",
        "BuyerInfo": {"BuyerEmail": "buyer@example.com"},
    }
    if total is not None:
        order["OrderTotal"] = _money(currency, total)
    return order


def _amazon_item(
    item_id: str, sku: str, quantity: int, currency: str, price: str, promotion: str = "0.00"
) -> dict[str, Any]:
    return {
        "ASIN": "B0" + sku.replace("-", "")[:8],
        "OrderItemId": item_id,
        "SellerSKU": sku,
        "Title": f"Mug {sku}",
        "QuantityOrdered": quantity,
        "QuantityShipped": quantity,
        "ItemPrice": _money(currency, price),
        "ItemTax": _money(currency, "0.00"),
        "PromotionDiscount": _money(currency, promotion),
    }


# (order, its items); purchase times in UTC, local dates in the comments.
# _amazon_order(id, marketplace, currency, PurchaseDate, OrderStatus, LatestShipDate, total)
# fmt: off
AMAZON_ORDERS_AND_ITEMS: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
    (  # US 2026-10-08 23:59 PDT
        _amazon_order("111-0000001-0000001", US, "USD", "2026-10-09T06:59:00Z", "Shipped",
                      "2026-10-10T06:59:59Z", "36.00"),
        [_amazon_item("10001", "MUG-BLUE", 2, "USD", "40.00", promotion="4.00")],
    ),
    (  # US 2026-10-09 00:01 PDT; refunded nine days later; shipped 30 min after its deadline
        _amazon_order("111-0000002-0000002", US, "USD", "2026-10-09T07:01:00Z", "Shipped",
                      "2026-10-10T06:00:00Z", "20.00"),
        [_amazon_item("10002", "MUG-BLUE", 1, "USD", "20.00")],
    ),
    (  # US 2026-10-09 08:00 PDT, cancelled (no OrderTotal, as Amazon sends cancelled orders)
        _amazon_order("111-0000003-0000003", US, "USD", "2026-10-09T15:00:00Z", "Canceled",
                      "2026-10-10T15:00:00Z", None),
        [_amazon_item("10003", "MUG-BLUE", 1, "USD", "20.00")],
    ),
    (  # US 2026-03-31 06:30 PDT; UTC 13:30 is already 2026-04-01 00:30 in Sydney
        _amazon_order("111-0000004-0000004", US, "USD", "2026-03-31T13:30:00Z", "Shipped",
                      "2026-04-01T13:30:00Z", "12.00"),
        [_amazon_item("10004", "CARD-1", 1, "USD", "12.00")],
    ),
    (  # DE 2026-10-09 23:59 CEST (Friday)
        _amazon_order("302-0000001-0000001", DE, "EUR", "2026-10-09T21:59:00Z", "Shipped",
                      "2026-10-11T21:59:00Z", "30.00"),
        [_amazon_item("20001", "MUG-RED", 1, "EUR", "30.00")],
    ),
    (  # DE 2026-10-10 00:01 CEST (Saturday: no ECB rate, Friday's carries forward)
        _amazon_order("302-0000002-0000002", DE, "EUR", "2026-10-09T22:01:00Z", "Shipped",
                      "2026-10-11T22:01:00Z", "60.00"),
        [_amazon_item("20002", "MUG-RED", 2, "EUR", "60.00")],
    ),
    (  # JP 2026-10-09 23:59 JST; JPY has no minor unit
        _amazon_order("503-0000001-0000001", JP, "JPY", "2026-10-09T14:59:00Z", "Shipped",
                      "2026-10-11T14:59:00Z", "3000"),
        [_amazon_item("30001", "MUG-JP", 1, "JPY", "3000")],
    ),
    (  # JP 2026-10-10 00:01 JST (Saturday)
        _amazon_order("503-0000002-0000002", JP, "JPY", "2026-10-09T15:01:00Z", "Shipped",
                      "2026-10-11T15:01:00Z", "9000"),
        [_amazon_item("30002", "MUG-JP", 3, "JPY", "9000")],
    ),
]
# fmt: on


def _refund_event(
    order_id: str,
    marketplace_name: str,
    posted: str,
    sku: str,
    currency: str,
    principal: float,
    tax: float,
) -> dict[str, Any]:
    return {
        "AmazonOrderId": order_id,
        "SellerOrderId": order_id,
        "MarketplaceName": marketplace_name,
        "PostedDate": posted,
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": sku,
                "OrderAdjustmentItemId": "9" + order_id[-4:],
                "QuantityShipped": 1,
                "ItemChargeAdjustmentList": [
                    {
                        "ChargeType": "Principal",
                        "ChargeAmount": {"CurrencyCode": currency, "CurrencyAmount": principal},
                    },
                    {
                        "ChargeType": "Tax",
                        "ChargeAmount": {"CurrencyCode": currency, "CurrencyAmount": tax},
                    },
                ],
            }
        ],
    }


AMAZON_REFUND_EVENTS_PAGE = {
    "payload": {
        "FinancialEvents": {
            "RefundEventList": [
                # order of 2026-10-09 (US local), refunded 2026-10-18 09:00 PDT: nine days later
                _refund_event(
                    order_id="111-0000002-0000002",
                    marketplace_name="Amazon.com",
                    posted="2026-10-18T16:00:00Z",
                    sku="MUG-BLUE",
                    currency="USD",
                    principal=-20.0,
                    tax=-1.6,
                ),
                # order of Fri 2026-10-09 (DE), refunded Mon 2026-10-12 11:00 CEST
                _refund_event(
                    order_id="302-0000001-0000001",
                    marketplace_name="Amazon.de",
                    posted="2026-10-12T09:00:00Z",
                    sku="MUG-RED",
                    currency="EUR",
                    principal=-30.0,
                    tax=-5.7,
                ),
            ],
            "ShipmentEventList": [],
        }
    }
}

# ---------------------------------------------------------------- Amazon SP-API: inventory

LEDGER_HEADER = (
    "Date\tFNSKU\tASIN\tMSKU\tTitle\tDisposition\tStartingWarehouseBalance\t"
    "InTransitBetweenWarehouses\tReceipts\tCustomerShipments\tCustomerReturns\tVendorReturns\t"
    "WarehouseTransferIn/Out\tFound\tLost\tDamaged\tDisposed\tOtherEvents\t"
    "EndingWarehouseBalance\tUnknownEvents\tLocation"
)


def _ledger_row(day: str, sku: str, disposition: str, ending: int, location: str) -> str:
    values = [day, "X00" + sku, "B0" + sku, sku, f"Mug {sku}", disposition, str(ending)]
    values += ["0"] * 11 + [str(ending), "0", location]
    return "\t".join(values)


LEDGER_ROWS = [
    _ledger_row("10/07/2026", "MUG-BLUE", "SELLABLE", 5, "US"),
    _ledger_row("10/08/2026", "MUG-BLUE", "SELLABLE", 3, "US"),
    _ledger_row("10/09/2026", "MUG-BLUE", "SELLABLE", 2, "US"),
    _ledger_row("10/10/2026", "MUG-BLUE", "SELLABLE", 1, "US"),  # the snapshot says 0
    _ledger_row("10/09/2026", "MUG-BLUE", "CUSTOMER_DAMAGED", 4, "US"),  # not sellable
    _ledger_row("10/07/2026", "MUG-STALE", "SELLABLE", 12, "US"),
    _ledger_row("10/08/2026", "MUG-STALE", "SELLABLE", 12, "US"),
    _ledger_row("10/09/2026", "MUG-STALE", "SELLABLE", 12, "US"),
    _ledger_row("10/10/2026", "MUG-STALE", "SELLABLE", 12, "US"),
    _ledger_row("10/09/2026", "MUG-RED", "SELLABLE", 20, "DE"),
]


def _summary(sku: str, fulfillable: int) -> dict[str, Any]:
    return {
        "asin": "B0" + sku,
        "fnSku": "X00" + sku,
        "sellerSku": sku,
        "condition": "NewItem",
        "inventoryDetails": {"fulfillableQuantity": fulfillable, "inboundWorkingQuantity": 0},
        "lastUpdatedTime": "2026-10-10T23:00:00Z",
        "productName": f"Mug {sku}",
        "totalQuantity": fulfillable,
    }


INVENTORY_SUMMARY_PAGE = {
    "payload": {
        "granularity": {"granularityType": "Marketplace", "granularityId": US},
        "inventorySummaries": [_summary("MUG-BLUE", 0), _summary("MUG-STALE", 12)],
    }
}

SHIPMENTS_HEADER = (
    "amazon-order-id\tmerchant-order-id\tshipment-id\tshipment-item-id\tamazon-order-item-id\t"
    "merchant-order-item-id\tpurchase-date\tpayments-date\tshipment-date\treporting-date\t"
    "buyer-email\tbuyer-name\tsku\tquantity-shipped\tcurrency\titem-price\tcarrier\t"
    "tracking-number\tfulfillment-center-id\tfulfillment-channel\tsales-channel"
)


def _shipment_row(order_id: str, shipment_id: str, item_id: str, shipped: str, sku: str) -> str:
    return "\t".join(
        [
            order_id,
            "",
            shipment_id,
            item_id,
            "1" + item_id,
            "",
            "2026-10-09T00:00:00+00:00",
            "2026-10-09T00:00:00+00:00",
            shipped,
            shipped,
            "buyer@example.com",
            "Buyer",
            sku,
            "1",
            "USD",
            "20.00",
            "UPS",
            "1Z" + item_id,
            "ONT8",
            "Amazon",
            "Amazon.com",
        ]
    )


SHIPMENT_ROWS = [
    # order 1: two items in one shipment, 10:00 PDT on 2026-10-09, deadline 2026-10-10T06:59:59Z
    _shipment_row("111-0000001-0000001", "S-A", "SI-A1", "2026-10-09T10:00:00-07:00", "MUG-BLUE"),
    _shipment_row("111-0000001-0000001", "S-A", "SI-A2", "2026-10-09T10:00:00-07:00", "MUG-BLUE"),
    # order 2: 23:30 PDT on 2026-10-09 = 2026-10-10T06:30Z, deadline 06:00Z: late
    _shipment_row("111-0000002-0000002", "S-B", "SI-B1", "2026-10-09T23:30:00-07:00", "MUG-BLUE"),
    # an order outside the loaded history: shipped, but no deadline known
    _shipment_row("111-9999999-9999999", "S-X", "SI-X1", "2026-10-09T12:00:00-07:00", "MUG-BLUE"),
]

# ---------------------------------------------------------------- Amazon Ads

ADS_PROFILES = [
    {
        "profileId": 1001,
        "countryCode": "US",
        "currencyCode": "USD",
        "dailyBudget": 100.0,
        "timezone": "America/Los_Angeles",
        "accountInfo": {"marketplaceStringId": US, "id": "A3SELLER1", "type": "seller"},
    },
    {
        "profileId": 2002,
        "countryCode": "DE",
        "currencyCode": "EUR",
        "dailyBudget": 100.0,
        "timezone": "Europe/Berlin",
        "accountInfo": {"marketplaceStringId": DE, "id": "A3SELLER1", "type": "seller"},
    },
]

# Two campaigns on one US day: ACoS 10/100 = 10 % and 30/50 = 60 %
ADS_US_TWO_CAMPAIGNS = [
    {
        "date": "2026-10-09",
        "campaignId": 41000000000001,
        "campaignName": "Auto - blue mug",
        "impressions": 1000,
        "clicks": 20,
        "cost": 10.0,
        "purchases7d": 4,
        "sales7d": 100.0,
        "unitsSoldClicks7d": 4,
    },
    {
        "date": "2026-10-09",
        "campaignId": 41000000000002,
        "campaignName": "Exact - blue mug",
        "impressions": 600,
        "clicks": 30,
        "cost": 30.0,
        "purchases7d": 2,
        "sales7d": 50.0,
        "unitsSoldClicks7d": 2,
    },
]

# One DE campaign on Saturday 2026-10-10, in EUR
ADS_DE_SATURDAY = [
    {
        "date": "2026-10-10",
        "campaignId": 51000000000001,
        "campaignName": "Auto - red mug",
        "impressions": 500,
        "clicks": 10,
        "cost": 8.0,
        "purchases7d": 1,
        "sales7d": 40.0,
        "unitsSoldClicks7d": 1,
    },
]

# ---------------------------------------------------------------- FX (base USD, ECB days only)

FX_PAGE = {
    "amount": 1.0,
    "base": "USD",
    "start_date": "2026-10-08",
    "end_date": "2026-10-12",
    "rates": {
        "2026-10-08": {"EUR": 0.75, "JPY": 140.0},
        "2026-10-09": {"EUR": 0.8, "JPY": 150.0},
        "2026-10-12": {"EUR": 0.9, "JPY": 160.0},
    },
}

# ---------------------------------------------------------------- Shopify


def _shop(shop_id: int, domain: str) -> dict[str, Any]:
    return {
        "shop": {
            "id": shop_id,
            "name": domain.split(".")[0],
            "email": "owner@example.com",
            "myshopify_domain": domain,
            "currency": "USD",
            "iana_timezone": "America/New_York",
            "country_code": "US",
            "updated_at": "2026-01-01T00:00:00-05:00",
        }
    }


def _line(line_id: int, sku: str, quantity: int, price: str, **extra: Any) -> dict[str, Any]:
    return {"id": line_id, "sku": sku, "quantity": quantity, "price": price, **extra}


def _shopify_order(
    order_id: int, created: str, lines: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    order = {
        "id": order_id,
        "name": f"#{order_id}",
        "created_at": created,
        "updated_at": "2026-10-18T12:00:00-04:00",
        "cancelled_at": None,
        "test": False,
        "currency": "USD",
        "total_discounts": "0.00",
        "financial_status": "paid",
        "fulfillment_status": None,
        "line_items": lines,
        "refunds": [],
        "fulfillments": [],
        "email": "buyer@example.com",
        "customer": {"id": 1, "email": "buyer@example.com"},
    }
    order.update(extra)
    return order


SHOPIFY_ORDERS_PAGE = {
    "orders": [
        _shopify_order(  # 2026-10-09 10:00 EDT; refund nine days later; fulfilled after 23 h
            5001,
            "2026-10-09T10:00:00-04:00",
            [
                _line(
                    9001,
                    "MUG-1",
                    2,
                    "25.00",
                    total_discount="0.00",
                    discount_allocations=[{"amount": "5.00", "discount_application_index": 0}],
                ),
                _line(9002, "COASTER", 1, "10.00"),
            ],
            total_discounts="5.00",
            refunds=[
                {
                    "id": 8001,
                    "created_at": "2026-10-18T12:00:00-04:00",
                    # no subtotal, as in the genuine refund.json: 1 x 25.00 from the line item
                    "refund_line_items": [
                        {
                            "id": 7801,
                            "quantity": 1,
                            "line_item_id": 9001,
                            "line_item": {
                                "id": 9001,
                                "sku": "MUG-1",
                                "quantity": 2,
                                "price": "25.00",
                                "total_discount": "0.00",
                            },
                        }
                    ],
                    "transactions": [{"amount": "25.00", "kind": "refund"}],
                }
            ],
            fulfillments=[
                {"id": 6001, "created_at": "2026-10-10T09:00:00-04:00", "status": "success"},
                {"id": 6002, "created_at": "2026-10-13T09:00:00-04:00", "status": "success"},
            ],
        ),
        _shopify_order(  # a test order: out of every KPI
            5002,
            "2026-10-09T11:00:00-04:00",
            [_line(9003, "MUG-1", 1, "99.00")],
            test=True,
            fulfillments=[
                {"id": 6003, "created_at": "2026-10-09T12:00:00-04:00", "status": "success"}
            ],
        ),
        _shopify_order(  # cancelled an hour after it was placed
            5003,
            "2026-10-09T12:00:00-04:00",
            [_line(9004, "MUG-1", 1, "15.00")],
            cancelled_at="2026-10-09T13:00:00-04:00",
        ),
        _shopify_order(  # 2026-10-09 20:30 EDT = 2026-10-10T00:30Z; fulfilled after 61.5 h
            5004,
            "2026-10-09T20:30:00-04:00",
            [_line(9005, "MUG-2", 1, "40.00")],
            fulfillments=[
                {"id": 6004, "created_at": "2026-10-10T08:00:00-04:00", "status": "cancelled"},
                {"id": 6005, "created_at": "2026-10-12T10:00:00-04:00", "status": "success"},
            ],
        ),
    ]
}

# ---------------------------------------------------------------- Zendesk

AGENT, ADMIN, CUSTOMER = 200, 300, 100
ZENDESK_USERS_PAGE = {
    "users": [
        {
            "id": CUSTOMER,
            "role": "end-user",
            "name": "Erin",
            "email": "erin@example.com",
            "updated_at": "2026-01-01T00:00:00Z",
            "active": True,
        },
        {
            "id": AGENT,
            "role": "agent",
            "name": "Alex",
            "email": "alex@example.com",
            "updated_at": "2026-01-01T00:00:00Z",
            "active": True,
        },
        {
            "id": ADMIN,
            "role": "admin",
            "name": "Ada",
            "email": "ada@example.com",
            "updated_at": "2026-01-01T00:00:00Z",
            "active": True,
        },
    ],
    "after_cursor": None,
    "end_of_stream": True,
}

US_BRAND = 360001  # mapped to Amazon US by seeds/support_brands.csv
UNMAPPED_BRAND = 999999


def _ticket(ticket_id: int, created: str, brand_id: int, status: str = "open") -> dict[str, Any]:
    return {
        "id": ticket_id,
        "created_at": created,
        "updated_at": created,
        "status": status,
        "brand_id": brand_id,
        "requester_id": CUSTOMER,
        "submitter_id": CUSTOMER,
        "assignee_id": AGENT,
        "via": {"channel": "email"},
        "satisfaction_rating": None,
        "tags": [],
        "custom_fields": [],
        "generated_timestamp": 1795000000 + ticket_id,
    }


def _comment(comment_id: int, author: int, public: bool, created: str) -> dict[str, Any]:
    return {
        "id": comment_id,
        "type": "Comment",
        "author_id": author,
        "public": public,
        "created_at": created,
        "body": "text",
        "via": {"channel": "email"},
    }


ZENDESK_TICKETS_PAGE = {
    "tickets": [
        _ticket(1, "2026-10-13T13:00:00Z", US_BRAND),  # Tue 09:00 EDT
        _ticket(2, "2026-10-13T14:00:00Z", US_BRAND),  # Tue 10:00 EDT, agent-created
        _ticket(3, "2026-10-30T20:00:00Z", UNMAPPED_BRAND),  # Fri 16:00 EDT, reply after DST
        _ticket(4, "2026-10-30T21:00:00Z", UNMAPPED_BRAND),  # Fri 17:00 EDT, never answered
        _ticket(5, "2026-11-25T21:00:00Z", US_BRAND),  # Wed 16:00 EST, across Thanksgiving
        _ticket(6, "2026-10-13T15:00:00Z", US_BRAND, status="deleted"),
    ],
    "after_cursor": "MTc5NTAwMDAwNg==",
    "end_of_stream": True,
}

ZENDESK_COMMENTS: dict[int, list[dict[str, Any]]] = {
    1: [
        _comment(11, CUSTOMER, True, "2026-10-13T13:00:00Z"),
        _comment(12, AGENT, False, "2026-10-13T13:10:00Z"),  # private note: never a reply
        _comment(13, AGENT, True, "2026-10-13T13:45:00Z"),
    ],
    2: [
        _comment(21, AGENT, True, "2026-10-13T14:00:00Z"),  # the agent opens the ticket
        _comment(22, CUSTOMER, True, "2026-10-13T15:00:00Z"),
        _comment(23, ADMIN, True, "2026-10-13T16:30:00Z"),
    ],
    3: [
        _comment(31, CUSTOMER, True, "2026-10-30T20:00:00Z"),
        _comment(32, AGENT, True, "2026-11-02T15:00:00Z"),  # Mon 10:00 EST
    ],
    4: [
        _comment(41, CUSTOMER, True, "2026-10-30T21:00:00Z"),
        _comment(42, AGENT, False, "2026-10-30T21:30:00Z"),
    ],
    5: [
        _comment(51, CUSTOMER, True, "2026-11-25T21:00:00Z"),
        _comment(52, AGENT, True, "2026-11-27T15:00:00Z"),  # Fri 10:00 EST
    ],
    6: [_comment(61, CUSTOMER, True, "2026-10-13T15:00:00Z")],
}

# ---------------------------------------------------------------- the two nights


def _tsv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _gzip_json(document: Any) -> bytes:
    return gzip.compress(_json(document))


def first_night() -> list[Batch]:
    """Everything the first nightly run lands, in connector order."""
    # they build on this module: import on call
    from tests.dbt import seller_ads_sku, seller_margin, seller_scorecard

    real_order = json.loads(REAL_SHOPIFY_ORDER.read_text(encoding="utf-8"))["order"]
    batches = [
        Batch(FX_RATES, RATE_PAGES, [_json(FX_PAGE)]),
        Batch(
            AMAZON_ORDERS,
            ORDER_PAGES,
            [
                _json({"payload": {"Orders": [order for order, _ in AMAZON_ORDERS_AND_ITEMS[:4]]}}),
                _json({"payload": {"Orders": [order for order, _ in AMAZON_ORDERS_AND_ITEMS[4:]]}}),
            ],
        ),
    ]
    # an item read with an older version of order 1 and gone from its current read (the buyer
    # removed it before paying): it must not count anywhere
    stale_page = {
        "payload": {
            "AmazonOrderId": "111-0000001-0000001",
            "OrderItems": [_amazon_item("10009", "MUG-BLUE", 5, "USD", "99.00")],
        }
    }
    batches.append(
        Batch(
            AMAZON_ORDER_ITEMS,
            ITEM_PAGES,
            [_json(stale_page)],
            {"order_last_update_date": "2026-10-09T07:30:00Z"},
        )
    )
    for order, items in AMAZON_ORDERS_AND_ITEMS:
        page = {"payload": {"AmazonOrderId": order["AmazonOrderId"], "OrderItems": items}}
        batches.append(
            Batch(
                AMAZON_ORDER_ITEMS,
                ITEM_PAGES,
                [_json(page)],
                {"order_last_update_date": order["LastUpdateDate"]},
            )
        )
    batches += [
        Batch(AMAZON_REFUND_EVENTS, REFUND_PAGES, [_json(AMAZON_REFUND_EVENTS_PAGE)]),
        Batch(
            AMAZON_INVENTORY_SUMMARIES,
            SUMMARY_PAGES,
            [_json(INVENTORY_SUMMARY_PAGE)],
            {"snapshot_date": "2026-10-10", "marketplace_id": US},
        ),
        Batch(
            AMAZON_INVENTORY_LEDGER,
            TSV,
            [_tsv(LEDGER_HEADER, LEDGER_ROWS)],
            {"marketplace_id": US},
        ),
        Batch(
            AMAZON_SHIPMENTS,
            TSV,
            [gzip.compress(_tsv(SHIPMENTS_HEADER, SHIPMENT_ROWS))],
            {"marketplace_id": US},
        ),
        Batch(AMAZON_ADS_PROFILES, ROWS, [_json(ADS_PROFILES)]),
        Batch(
            AMAZON_ADS_SP_CAMPAIGNS,
            ROWS,
            [(CASES / "ads_spcampaigns_zero_sales.json.gz").read_bytes()],
            {"profile_id": "1001"},
        ),
        Batch(
            AMAZON_ADS_SP_CAMPAIGNS,
            ROWS,
            [(CASES / "ads_restated_pull1.json").read_bytes()],
            {"profile_id": "1001"},
        ),
        Batch(
            AMAZON_ADS_SP_CAMPAIGNS,
            ROWS,
            [_gzip_json(ADS_US_TWO_CAMPAIGNS)],
            {"profile_id": "1001"},
        ),
        Batch(
            AMAZON_ADS_SP_CAMPAIGNS,
            ROWS,
            [_gzip_json(ADS_DE_SATURDAY)],
            {"profile_id": "2002"},
        ),
        *seller_ads_sku.first_night(),
        Batch(SHOPIFY_SHOPS, SHOP_PAGE, [_json(_shop(5550001, MUG_SHOP))]),
        Batch(SHOPIFY_SHOPS, SHOP_PAGE, [_json(_shop(690933842, APPLE_SHOP))]),
        Batch(
            SHOPIFY_ORDERS,
            SHOPIFY_ORDER_PAGES,
            [_json(SHOPIFY_ORDERS_PAGE)],
            {"shop_domain": MUG_SHOP},
        ),
        # the genuine Shopify order fixture, one order per `orders` page as the list returns it
        Batch(
            SHOPIFY_ORDERS,
            SHOPIFY_ORDER_PAGES,
            [_json({"orders": [real_order]})],
            {"shop_domain": APPLE_SHOP},
        ),
        *seller_margin.first_night(),
        *seller_scorecard.first_night(),
        Batch(ZENDESK_USERS, USER_PAGES, [_json(ZENDESK_USERS_PAGE)]),
        Batch(ZENDESK_TICKETS, TICKET_PAGES, [_json(ZENDESK_TICKETS_PAGE)]),
    ]
    for ticket in ZENDESK_TICKETS_PAGE["tickets"]:
        page = {"comments": ZENDESK_COMMENTS[ticket["id"]], "next_page": None, "count": 1}
        batches.append(
            Batch(
                ZENDESK_TICKET_COMMENTS,
                COMMENT_PAGES,
                [_json(page)],
                {
                    "ticket_id": str(ticket["id"]),
                    "ticket_generated_timestamp": str(ticket["generated_timestamp"]),
                },
            )
        )
    from tests.dbt import seller_support  # it builds on this module: import on call

    batches += seller_support.first_night()
    return batches


def second_night() -> list[Batch]:
    """The second night re-pulls the Ads window: the restated campaign-day comes back."""
    from tests.dbt import seller_ads_sku  # it builds on this module: import on call

    return [
        Batch(
            AMAZON_ADS_SP_CAMPAIGNS,
            ROWS,
            [(CASES / "ads_restated_pull2.json").read_bytes()],
            {"profile_id": "1001"},
        ),
        *seller_ads_sku.second_night(),
    ]
