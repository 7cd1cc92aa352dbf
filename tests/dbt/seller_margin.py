"""Margin fixtures for the tiny seller: one Shopify order whose costs are only partly known.

The landed costs of the tests' SKUs live in the seed ``dbt_project/seeds/sku_costs.csv`` (the
file a seller replaces): MUG-BLUE 5.00 USD, 8.00 USD from 2026-10-09; MUG-STALE 3.00 USD;
MUG-RED 12.00 EUR only from 2026-10-10; MUG-JP 6.00 EUR; CARD-1 4.00 USD; MUG-1 9.00 USD;
MUG-2 15.00 USD; COASTER and the genuine Shopify fixture's SKUs have no cost.

Order 5005 of ``mug-shop`` (USD), placed Wed 2026-10-14 09:00 EDT, mixes a costed and an
uncosted SKU under an order-level discount code that the payload does not allocate to its lines
(as older Shopify payloads do), and is partly refunded two days later. It lands on a day of
the shop's spine (10-09 .. 10-18) that no other test asserts, so no existing value moves.
"""

from __future__ import annotations

from typing import Any

from connectors.raw_tables import SHOPIFY_ORDERS
from tests.dbt.seller import (
    MUG_SHOP,
    SHOPIFY_ORDER_PAGES,
    Batch,
    _json,
    _line,
    _shopify_order,
)


def _refund_line(refund_line_id: int, line_id: int, sku: str, quantity: int, **extra: Any) -> dict:
    return {
        "id": refund_line_id,
        "quantity": quantity,
        "line_item_id": line_id,
        "line_item": {"id": line_id, "sku": sku},
        **extra,
    }


PARTLY_COSTED_ORDER = _shopify_order(
    5005,
    "2026-10-14T09:00:00-04:00",
    [
        # 2 x 20.00 = 40.00 of a SKU with a cost (9.00 USD a unit)
        _line(9006, "MUG-1", 2, "20.00", total_discount="0.00"),
        # 2 x 15.00 = 30.00 of a SKU without a cost
        _line(9007, "COASTER", 2, "15.00", total_discount="0.00"),
    ],
    # a 7.00 code on the whole order; neither line carries an allocation of it
    total_discounts="7.00",
    discount_codes=[{"code": "WELCOME7", "amount": "7.00", "type": "fixed_amount"}],
    refunds=[
        {
            "id": 8002,
            "created_at": "2026-10-16T10:00:00-04:00",
            "refund_line_items": [
                # one mug back: 20.00 less its 2.00 share of the code
                _refund_line(7802, 9006, "MUG-1", 1, subtotal="18.00"),
                # one coaster back: 15.00 less its 1.50 share
                _refund_line(7803, 9007, "COASTER", 1, subtotal="13.50"),
            ],
            "transactions": [{"amount": "31.50", "kind": "refund"}],
        }
    ],
)


def first_night() -> list[Batch]:
    """The margin records the first nightly run lands (the shop is landed by seller.py)."""
    return [
        Batch(
            SHOPIFY_ORDERS,
            SHOPIFY_ORDER_PAGES,
            [_json({"orders": [PARTLY_COSTED_ORDER]})],
            {"shop_domain": MUG_SHOP},
        )
    ]
