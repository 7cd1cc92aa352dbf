"""Consistency: what must hold in the raw data before the marts are rebuilt from it.

These checks are blocking: when one fails, the run stops before dbt, so analysts keep the
previous marts instead of numbers built on wrong data, and the check's result names the source
and the first failing records. Each query returns one row per thing judged.
"""

from __future__ import annotations

import pandera.pandas as pa

from connectors.raw_tables import ALL_RAW_TABLES
from orchestration.checks.framework import DataCheck, rows_must

CENT = 0.01
# Marketplaces whose item prices exclude sales tax, which Amazon adds on top (ItemTax). Elsewhere
# (EU, UK, JP, AU ...) prices include VAT and ItemTax is the VAT inside the price.
TAX_EXCLUSIVE_MARKETPLACES = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8")
# A currency-day is covered when the last reference rate is at most this old: ECB publishes
# none at weekends and on TARGET holidays (Good Friday to Easter Monday is the longest gap).
FX_MAX_GAP_DAYS = 4


def _unique_keys(table) -> DataCheck:
    keys = ", ".join(table.key_names)
    return DataCheck(
        name=f"{table.name}_keys_unique",
        table=table.name,
        description=f"One row per ({keys}) in {table.qualified}.",
        sql=f"""
            select {keys}, count(*) as copies
            from {table.qualified}
            group by all
            having count(*) > 1
        """,
        schema=pa.DataFrameSchema(
            {"copies": pa.Column(int, pa.Check.eq(1, error="natural key repeated"))}
        ),
        key_columns=table.key_names,
    )


ADS_CLICKS_WITHIN_IMPRESSIONS = DataCheck(
    name="ads_clicks_within_impressions",
    table="amazon_ads_sp_campaigns",
    description="Every campaign-day: clicks <= impressions, cost and impressions >= 0.",
    sql="""
        select
            profile_id,
            cast(report_date as varchar) as report_date,
            campaign_id,
            coalesce(cast(_record->>'impressions' as bigint), 0) as impressions,
            coalesce(cast(_record->>'clicks' as bigint), 0) as clicks,
            coalesce(cast(_record->>'cost' as double), 0) as cost
        from raw.amazon_ads_sp_campaigns
    """,
    schema=pa.DataFrameSchema(
        {
            "impressions": pa.Column(int, pa.Check.ge(0)),
            "cost": pa.Column(float, pa.Check.ge(0)),
        },
        checks=[
            rows_must(
                "clicks <= impressions",
                lambda frame: frame["clicks"] <= frame["impressions"],
                "more clicks than impressions",
            )
        ],
    ),
    key_columns=("profile_id", "report_date", "campaign_id"),
)


def _money(path: str) -> str:
    return f"coalesce(cast(_record->'{path}'->>'Amount' as decimal(18, 2)), 0)"


AMAZON_ORDER_TOTALS = DataCheck(
    name="amazon_order_total_matches_items",
    table="amazon_order_items",
    needs=("amazon_orders",),
    description=(
        "OrderTotal of every priced Amazon order equals the sum of its items' price and "
        "shipping less promotions, plus taxes where prices exclude them (US, CA, MX), within a "
        "cent."
    ),
    sql=f"""
        with orders as (
            select
                amazon_order_id,
                cast(_record->'OrderTotal'->>'Amount' as decimal(18, 2)) as order_total,
                _record->>'MarketplaceId' in {TAX_EXCLUSIVE_MARKETPLACES} as adds_tax
            from raw.amazon_orders
            where (_record->'OrderTotal') is not null
                and _record->>'OrderStatus' not in ('Canceled', 'Pending')
        ),

        items as (
            select
                amazon_order_id,
                sum(
                    {_money("ItemPrice")} + {_money("ShippingPrice")}
                    + {_money("GiftWrapPrice")}
                    - {_money("PromotionDiscount")} - {_money("ShippingDiscount")}
                ) as items_before_tax,
                sum(
                    {_money("ItemTax")} + {_money("ShippingTax")} + {_money("GiftWrapTax")}
                ) as items_tax
            from raw.amazon_order_items
            group by amazon_order_id
        )

        select
            orders.amazon_order_id,
            cast(orders.order_total as double) as order_total,
            cast(
                items.items_before_tax + case when orders.adds_tax then items.items_tax else 0 end
                as double
            ) as items_total
        from orders
        inner join items on orders.amazon_order_id = items.amazon_order_id
    """,
    schema=pa.DataFrameSchema(
        checks=[
            rows_must(
                "order total = sum of items within a cent",
                lambda frame: (frame["order_total"] - frame["items_total"]).abs() <= CENT + 1e-9,
                "order total differs from the sum of its items",
            )
        ]
    ),
    key_columns=("amazon_order_id",),
)

SHOPIFY_ORDER_TOTALS = DataCheck(
    name="shopify_order_total_matches_lines",
    table="shopify_orders",
    description=(
        "total_price of every Shopify order equals its lines (price x quantity) less "
        "total_discounts, plus shipping lines, plus total_tax unless taxes are included."
    ),
    sql="""
        with orders as (
            select
                order_id,
                cast(_record->>'total_price' as decimal(18, 2)) as total_price,
                coalesce(cast(_record->>'total_discounts' as decimal(18, 2)), 0) as discounts,
                case when coalesce(cast(_record->>'taxes_included' as boolean), false)
                    then 0
                    else coalesce(cast(_record->>'total_tax' as decimal(18, 2)), 0)
                end as added_tax,
                _record
            from raw.shopify_orders
        ),

        lines as (
            select
                order_id,
                sum(
                    cast(line->>'price' as decimal(18, 2)) * cast(line->>'quantity' as integer)
                ) as lines_total
            from orders, unnest(cast(_record->'line_items' as json[])) as l(line)
            group by order_id
        ),

        shipping as (
            select
                order_id,
                sum(cast(shipping_line->>'price' as decimal(18, 2))) as shipping_total
            from orders, unnest(cast(_record->'shipping_lines' as json[])) as s(shipping_line)
            group by order_id
        )

        select
            orders.order_id,
            cast(orders.total_price as double) as total_price,
            cast(
                coalesce(lines.lines_total, 0) - orders.discounts
                + coalesce(shipping.shipping_total, 0) + orders.added_tax
                as double
            ) as computed_total
        from orders
        left join lines on orders.order_id = lines.order_id
        left join shipping on orders.order_id = shipping.order_id
    """,
    schema=pa.DataFrameSchema(
        checks=[
            rows_must(
                "total_price = lines - discounts + shipping + tax within a cent",
                lambda frame: (frame["total_price"] - frame["computed_total"]).abs() <= CENT + 1e-9,
                "order total differs from its lines",
            )
        ]
    ),
    key_columns=("order_id",),
)

ZENDESK_REPLIES_AFTER_CREATION = DataCheck(
    name="zendesk_comments_after_ticket_creation",
    table="zendesk_ticket_comments",
    needs=("zendesk_tickets",),
    description="No comment (so no first reply) is older than its ticket.",
    sql="""
        select
            comments.comment_id,
            comments.ticket_id,
            cast(tickets._record->>'created_at' as timestamptz) as ticket_created_at,
            cast(comments._record->>'created_at' as timestamptz) as comment_created_at
        from raw.zendesk_ticket_comments as comments
        inner join raw.zendesk_tickets as tickets on comments.ticket_id = tickets.ticket_id
    """,
    schema=pa.DataFrameSchema(
        checks=[
            rows_must(
                "comment created at or after its ticket",
                lambda frame: frame["comment_created_at"] >= frame["ticket_created_at"],
                "a comment predates its ticket",
            )
        ]
    ),
    key_columns=("ticket_id", "comment_id"),
)

LEDGER_ON_HAND_NOT_NEGATIVE = DataCheck(
    name="ledger_on_hand_not_negative",
    table="amazon_inventory_ledger",
    description="Every ledger day's ending warehouse balance is >= 0.",
    sql="""
        select
            cast(ledger_date as varchar) as ledger_date,
            msku,
            disposition,
            location,
            cast(_record->>'EndingWarehouseBalance' as bigint) as ending_balance
        from raw.amazon_inventory_ledger
    """,
    schema=pa.DataFrameSchema(
        {"ending_balance": pa.Column(int, pa.Check.ge(0, error="negative on-hand"))}
    ),
    key_columns=("ledger_date", "msku", "location"),
)

SNAPSHOT_ON_HAND_NOT_NEGATIVE = DataCheck(
    name="snapshot_on_hand_not_negative",
    table="amazon_inventory_summaries",
    description="Every inventory snapshot's total and fulfillable quantities are >= 0.",
    sql="""
        select
            cast(snapshot_date as varchar) as snapshot_date,
            marketplace_id,
            seller_sku,
            coalesce(cast(_record->>'totalQuantity' as bigint), 0) as total_quantity,
            coalesce(
                cast(_record->'inventoryDetails'->>'fulfillableQuantity' as bigint), 0
            ) as fulfillable_quantity
        from raw.amazon_inventory_summaries
    """,
    schema=pa.DataFrameSchema(
        {
            "total_quantity": pa.Column(int, pa.Check.ge(0, error="negative on-hand")),
            "fulfillable_quantity": pa.Column(int, pa.Check.ge(0, error="negative on-hand")),
        }
    ),
    key_columns=("snapshot_date", "marketplace_id", "seller_sku"),
)

FX_RATE_EVERY_CURRENCY_DAY = DataCheck(
    name="fx_rate_for_every_currency_day",
    table="fx_rates",
    needs=("amazon_orders", "shopify_orders"),
    description=(
        "Every currency that orders are priced in has a reference rate at most "
        f"{FX_MAX_GAP_DAYS} days old on every day that has orders."
    ),
    sql="""
        with order_days as (
            select distinct
                _record->'OrderTotal'->>'CurrencyCode' as currency,
                cast(cast(_record->>'PurchaseDate' as timestamptz) as date) as order_date
            from raw.amazon_orders
            where (_record->'OrderTotal') is not null
            union
            select distinct
                _record->>'currency' as currency,
                cast(cast(_record->>'created_at' as timestamptz) as date) as order_date
            from raw.shopify_orders
        ),

        rates as (
            select rate_date, base_currency, unnest(json_keys(_record->'rates')) as currency
            from raw.fx_rates
        ),

        needed as (
            select order_days.*
            from order_days
            where order_days.currency not in (select distinct base_currency from raw.fx_rates)
        ),

        latest as (
            select
                needed.currency,
                needed.order_date,
                max(rates.rate_date) as rate_date
            from needed
            left join rates
                on rates.currency = needed.currency and rates.rate_date <= needed.order_date
            group by all
        )

        select
            currency,
            cast(order_date as varchar) as order_date,
            cast(rate_date as varchar) as rate_date,
            date_diff('day', rate_date, order_date) as days_since_rate
        from latest
        order by currency, order_date
    """,
    schema=pa.DataFrameSchema(
        {
            "days_since_rate": pa.Column(
                float,
                pa.Check.le(FX_MAX_GAP_DAYS, error="no recent reference rate"),
                nullable=False,
                coerce=True,
            )
        }
    ),
    key_columns=("currency", "order_date"),
)

CONSISTENCY_CHECKS: tuple[DataCheck, ...] = (
    *(_unique_keys(table) for table in ALL_RAW_TABLES),
    ADS_CLICKS_WITHIN_IMPRESSIONS,
    AMAZON_ORDER_TOTALS,
    SHOPIFY_ORDER_TOTALS,
    ZENDESK_REPLIES_AFTER_CREATION,
    LEDGER_ON_HAND_NOT_NEGATIVE,
    SNAPSHOT_ON_HAND_NOT_NEGATIVE,
    FX_RATE_EVERY_CURRENCY_DAY,
)
