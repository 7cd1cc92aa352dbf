"""Scorecard fixtures: four more ``mug-shop`` orders, and the targets, headcount and load times
the scorecard tests build with.

The orders (USD, America/New_York, EDT = UTC-4 in October) land on days of the shop's spine
(10-09 .. 10-18) that no other test asserts, so no existing value moves. With the shop's other
October orders (seller.py: 5001 and 5004 on 10-09, 5003 cancelled; seller_margin.py: 5005 on
10-14) they make a month whose ratios differ from the average of its daily ratios:

- 5101, 5102, 5103 on Mon 2026-10-12 (the last at 23:30 EDT, already 10-13 in UTC): 40.00 each,
  none refunded;
- 5104 on Thu 2026-10-15: 30.00, refunded in full on 10-17 (order-date view: on 10-15).

The scorecard tests do not use the project's seeds kpi_targets.csv and headcount.csv (they are
the seller's plan for the sandbox months, which would then shape the tests): they build the
scorecard models on a copy of the tests' warehouse with the files below in place of those two
seeds, exactly as a seller edits them, and with the load log rewritten to two known instants.
"""

from __future__ import annotations

from typing import Any

from connectors.raw_tables import SHOPIFY_ORDERS
from tests.dbt.seller import (
    APPLE_SHOP,
    MUG_SHOP,
    SHOPIFY_ORDER_PAGES,
    US,
    Batch,
    _json,
    _line,
    _shopify_order,
)

MUG = f"shopify:{MUG_SHOP}"
APPLE = f"shopify:{APPLE_SHOP}"

FULL_REFUND: dict[str, Any] = {
    "id": 8101,
    "created_at": "2026-10-17T10:00:00-04:00",
    "refund_line_items": [
        {
            "id": 7901,
            "quantity": 1,
            "line_item_id": 9104,
            "line_item": {"id": 9104, "sku": "MUG-1"},
            "subtotal": "30.00",
        }
    ],
    "transactions": [{"amount": "30.00", "kind": "refund"}],
}

SCORECARD_ORDERS = [
    _shopify_order(5101, "2026-10-12T09:00:00-04:00", [_line(9101, "MUG-2", 1, "40.00")]),
    _shopify_order(5102, "2026-10-12T11:00:00-04:00", [_line(9102, "MUG-1", 2, "20.00")]),
    _shopify_order(5103, "2026-10-12T23:30:00-04:00", [_line(9103, "MUG-2", 1, "40.00")]),
    _shopify_order(
        5104, "2026-10-15T10:00:00-04:00", [_line(9104, "MUG-1", 1, "30.00")], refunds=[FULL_REFUND]
    ),
]


def first_night() -> list[Batch]:
    """The scorecard's orders, landed by the first night (the shop itself by seller.py)."""
    return [
        Batch(
            SHOPIFY_ORDERS,
            SHOPIFY_ORDER_PAGES,
            [_json({"orders": SCORECARD_ORDERS})],
            {"shop_domain": MUG_SHOP},
        )
    ]


# The seed files the scorecard tests build with (same columns as the project's seeds).
# October 2026 of mug-shop: one target per status, both directions, a guardrail named and one
# left to the catalogue's default, and a KPI without data (Shopify has no ads).
TARGETS_CSV = f"""month,marketplace_id,kpi,target,direction,guardrail_kpi
2026-10-01,{MUG},gmv,992,higher,refund_rate
2026-10-01,{MUG},net_sales,744,higher,
2026-10-01,{MUG},orders_count,93,higher,cancellation_rate
2026-10-01,{MUG},aov,45,higher,
2026-10-01,{MUG},refund_rate,0.4,lower,
2026-10-01,{MUG},cancellation_rate,0.1,lower,
2026-10-01,{MUG},acos,0.25,lower,
2026-10-01,all,net_sales_per_head,170.5,higher,
2026-10-01,all,first_response_minutes,900,lower,
2026-12-01,{MUG},gmv,5000,higher,refund_rate
"""

HEADCOUNT_CSV = f"""month,team,sales_marketplace_id,headcount
2026-10-01,Shop team,{MUG},2
2026-10-01,Amazon US,{US},1
2026-10-01,Support,all,0.5
2026-10-01,Interns,{MUG},0
2026-10-01,Apple store,{APPLE},1
2026-11-01,Shop team,{MUG},3
"""

# The load log of the copy: every stream last loaded at AS_OF (the last nightly run, after the
# newest record of the fixtures: ticket 8 solved at 22:00Z), except the shipments report, whose
# connector last succeeded a week earlier.
AS_OF = "2026-11-27T22:30:00Z"  # 17:30 EST, 14:30 PST, 23:30 in Berlin, 07:30 on 11-28 in Tokyo
SHIPMENTS_LAST_LOADED = "2026-11-20T07:00:00Z"
