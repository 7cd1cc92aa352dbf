"""Consistency: what must hold in the raw data before the marts are rebuilt from it.

These checks are blocking: when one fails, the run stops before dbt, so analysts keep the
previous marts instead of numbers built on wrong data, and the check's result names the source
and the first failing records. Each query returns one row per thing judged.

The quarantine checks (one per raw table) judge the landing itself: a run may quarantine a few
bad records (connectors.landing), but when more than ``KPI_QUARANTINE_MAX_SHARE`` of a table's
records in the latest run were refused, the source changed shape and the marts would be built
on a hole.
"""

from __future__ import annotations

import math
import os

import pandas as pd
import pandera.pandas as pa

from connectors.landing import RawTable
from connectors.raw_tables import ALL_RAW_TABLES
from orchestration.checks.framework import DataCheck, rows_must

CENT = 0.01
# Marketplaces whose item prices exclude sales tax, which Amazon adds on top (ItemTax). Elsewhere
# (EU, UK, JP, AU ...) prices include VAT and ItemTax is the VAT inside the price.
TAX_EXCLUSIVE_MARKETPLACES = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8")
# A currency-day is covered when the last reference rate is at most this old: ECB publishes
# none at weekends and on TARGET holidays (Good Friday to Easter Monday is the longest gap).
FX_MAX_GAP_DAYS = 4
QUARANTINE_SHARE_VARIABLE = "KPI_QUARANTINE_MAX_SHARE"
DEFAULT_QUARANTINE_MAX_SHARE = 0.01
# quarantined records tolerated whatever the share allows (a floor for tiny runs)
MIN_TOLERATED_QUARANTINE = 0
QUARANTINE_REASONS_REPORTED = 3


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
        where _loaded_at > cast($vetted_before as timestamptz)
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
                and (
                    _loaded_at > cast($vetted_before as timestamptz)
                    or amazon_order_id in (
                        select amazon_order_id from raw.amazon_order_items
                        where _loaded_at > cast($vetted_before as timestamptz)
                    )
                )
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
            where amazon_order_id in (select amazon_order_id from orders)
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
            where _loaded_at > cast($vetted_before as timestamptz)
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
        where comments._loaded_at > cast($vetted_before as timestamptz)
            or tickets._loaded_at > cast($vetted_before as timestamptz)
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
        where _loaded_at > cast($vetted_before as timestamptz)
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
        where _loaded_at > cast($vetted_before as timestamptz)
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


def quarantine_max_share() -> float:
    """The share of a run's records of one table that may be quarantined before the check on
    that table fails: ``KPI_QUARANTINE_MAX_SHARE`` (0 to 1), read when the check runs."""
    text = os.environ.get(QUARANTINE_SHARE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_QUARANTINE_MAX_SHARE
    problem = f"{QUARANTINE_SHARE_VARIABLE} must be a share from 0 to 1, got {text!r}"
    try:
        share = float(text)
    except ValueError:
        raise ValueError(problem) from None
    if not 0 <= share <= 1:  # NaN fails this too
        raise ValueError(problem)
    return share


def tolerated_quarantine(records: int, share: float) -> int:
    """How many quarantined records a run of ``records`` (landed + quarantined) may have."""
    # the epsilon keeps 0.01 * 300 (3.0000000000000004 in binary) at 3, not 3 rounded down
    return max(MIN_TOLERATED_QUARANTINE, math.floor(share * records + 1e-9))


def _quarantine_within_threshold(table: RawTable) -> DataCheck:
    # one row: the run judged (the orchestration's run, bound as $run_id; else the one whose
    # load-log line is newest), the records it saw (landed + quarantined, summed over its
    # batches), how many were quarantined, and the distinct reasons, this run's first. A run
    # that landed nothing into the table quarantined nothing and passes. A rerun stores no new
    # quarantine rows, so the reasons of an identical earlier batch stand in for its own.
    share_name = f"quarantine share of {table.qualified} within {QUARANTINE_SHARE_VARIABLE}"
    return DataCheck(
        name=f"{table.name}_quarantine_within_threshold",
        table=table.name,
        state_tables=("_load_log", "_quarantine"),
        description=(
            f"This run's records of {table.qualified} that went to raw._quarantine (no "
            "key, or a key or version that does not parse) are at most "
            f"{QUARANTINE_SHARE_VARIABLE} (default {DEFAULT_QUARANTINE_MAX_SHARE:.0%}) of the "
            "records it saw."
        ),
        sql=f"""
            with runs as (
                select run_id, max(loaded_at) as last_loaded_at
                from raw._load_log
                where raw_table = '{table.qualified}'
                group by run_id
            ),

            latest_run as (
                select coalesce(
                    cast($run_id as varchar),
                    (select run_id from runs order by last_loaded_at desc limit 1)
                ) as run_id
            ),

            run_counts as (
                select
                    cast(coalesce(sum(records), 0) as bigint) as landed_count,
                    cast(coalesce(sum(quarantined), 0) as bigint) as quarantined_count
                from raw._load_log
                where raw_table = '{table.qualified}'
                    and run_id = (select run_id from latest_run)
            ),

            reasons as (
                select
                    field || ': ' || reason as reason,
                    bool_or(run_id = (select run_id from latest_run)) as is_this_run,
                    max(quarantined_at) as last_quarantined_at
                from raw._quarantine
                where raw_table = '{table.qualified}'
                group by all
                order by is_this_run desc, last_quarantined_at desc, reason
                limit {QUARANTINE_REASONS_REPORTED}
            )

            select
                '{table.qualified}' as raw_table,
                coalesce((select run_id from latest_run), '') as run_id,
                run_counts.landed_count + run_counts.quarantined_count as records_seen,
                run_counts.quarantined_count as quarantined,
                coalesce(
                    (
                        select string_agg(
                            reason, '; ' order by is_this_run desc, last_quarantined_at desc, reason
                        )
                        from reasons
                    ),
                    ''
                ) as first_reasons
            from run_counts
        """,
        schema=pa.DataFrameSchema(
            checks=[
                rows_must(
                    share_name,
                    lambda frame: (
                        frame["quarantined"]
                        <= frame["records_seen"].map(
                            lambda seen: tolerated_quarantine(int(seen), quarantine_max_share())
                        )
                    ),
                    "too many records quarantined",
                )
            ]
        ),
        key_columns=("raw_table", "run_id"),
        failure_message=_quarantine_failure,
    )


def _quarantine_failure(failing: pd.DataFrame) -> str:
    row = failing.iloc[0]
    share = quarantine_max_share()
    seen, quarantined = int(row["records_seen"]), int(row["quarantined"])
    return (
        f"{quarantined} of {seen} records of run {row['run_id']} quarantined, more than the "
        f"{tolerated_quarantine(seen, share)} tolerated ({QUARANTINE_SHARE_VARIABLE}={share:g}); "
        f"first reasons: {row['first_reasons']} (records in raw._quarantine)"
    )


CONSISTENCY_CHECKS: tuple[DataCheck, ...] = (
    *(_unique_keys(table) for table in ALL_RAW_TABLES),
    *(_quarantine_within_threshold(table) for table in ALL_RAW_TABLES),
    ADS_CLICKS_WITHIN_IMPRESSIONS,
    AMAZON_ORDER_TOTALS,
    SHOPIFY_ORDER_TOTALS,
    ZENDESK_REPLIES_AFTER_CREATION,
    LEDGER_ON_HAND_NOT_NEGATIVE,
    SNAPSHOT_ON_HAND_NOT_NEGATIVE,
    FX_RATE_EVERY_CURRENCY_DAY,
)


# -- After the dbt build ----------------------------------------------------------------------
# Zendesk's own reply times (raw.zendesk_ticket_metrics) against the warehouse's, ticket by
# ticket. Ours exist only once dbt has built intermediate.int_ticket_first_replies, so this check
# reads dbt's relations and can only judge a finished build: it is not in CONSISTENCY_CHECKS,
# which run between landing and dbt (there it would read the previous night's build, or fail on
# the first night, before any build). It is attached to the dbt model it reads, so Dagster runs
# it once that model is built, and names the tickets (the dbt test `has_no_rows` on the model
# only counts them).
# Not blocking: a difference means our schedule seeds or reply rule part from Zendesk's, not
# that the raw data is wrong, and every other KPI of the night still holds.
MAX_TICKETS_NAMED = 20


def _reply_time_failure(failing: pd.DataFrame) -> str:
    named = ", ".join(
        f"{row.ticket_id} ({row.differences})"
        for row in failing.head(MAX_TICKETS_NAMED).itertuples(index=False)
    )
    more = len(failing) - MAX_TICKETS_NAMED
    return (
        f"{len(failing)} tickets' first reply times differ from Zendesk's ticket metrics: "
        f"{named}{f' and {more} more' if more > 0 else ''} "
        "(intermediate.int_ticket_reply_time_differences)"
    )


ZENDESK_REPLY_TIMES_MATCH_METRICS = DataCheck(
    name="zendesk_reply_times_match_ticket_metrics",
    table="zendesk_ticket_metrics",
    needs=("zendesk_tickets", "zendesk_ticket_comments", "zendesk_users"),
    description=(
        "Every ticket with a Zendesk metric set has the same first reply time in the warehouse "
        "as in Zendesk's reply_time_in_minutes (calendar and business, ours truncated to whole "
        "minutes as Zendesk reports them) and reply_time_in_seconds; names the tickets that "
        "differ. Judges the marts dbt built last."
    ),
    sql="""
        select
            ticket_metrics.ticket_id,
            coalesce(differences.differences, '') as differences,
            differences.first_reply_minutes,
            differences.zendesk_reply_minutes,
            differences.first_reply_business_minutes,
            differences.zendesk_reply_business_minutes
        from staging.stg_zendesk__ticket_metrics as ticket_metrics
        inner join intermediate.int_ticket_first_replies as first_replies
            on ticket_metrics.ticket_id = first_replies.ticket_id
        left join intermediate.int_ticket_reply_time_differences as differences
            on ticket_metrics.ticket_id = differences.ticket_id
        where ticket_metrics.ticket_id in (
            select ticket_id from raw.zendesk_ticket_metrics
                where _loaded_at > cast($vetted_before as timestamptz)
            union select ticket_id from raw.zendesk_tickets
                where _loaded_at > cast($vetted_before as timestamptz)
            union select ticket_id from raw.zendesk_ticket_comments
                where _loaded_at > cast($vetted_before as timestamptz)
        )
        order by try_cast(ticket_metrics.ticket_id as bigint), ticket_metrics.ticket_id
    """,
    schema=pa.DataFrameSchema(
        {
            "differences": pa.Column(
                str, pa.Check.eq("", error="first reply time differs from Zendesk's")
            )
        }
    ),
    key_columns=("ticket_id",),
    blocking=False,
    failure_message=_reply_time_failure,
    asset=("intermediate", "int_ticket_reply_time_differences"),
)

AFTER_BUILD_CHECKS: tuple[DataCheck, ...] = (ZENDESK_REPLY_TIMES_MATCH_METRICS,)
