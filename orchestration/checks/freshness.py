"""Freshness: the newest record of each source, per marketplace or account, against the run.

Age is measured from the newest *event* (an order's LastUpdateDate, a report's last day), not
from when we loaded it: a connector that runs every night but receives nothing new is exactly
the late data these checks exist to catch. Thresholds are hours and reflect how late each
platform normally is (Amazon's ledger and Ads reports settle a day or two behind; ECB publishes
no rates at weekends). Freshness failures do not block the marts: yesterday's complete sources
are still worth rebuilding, and the failure is reported beside them.
"""

from __future__ import annotations

import pandera.pandas as pa

from orchestration.checks.framework import DataCheck, rows_must


def _freshness(
    table: str, scope: str, per: str, newest: str, threshold_hours: int, what: str
) -> DataCheck:
    sql = f"""
        select
            cast({scope} as varchar) as scope,
            max({newest}) as newest_at,
            round(date_diff('minute', max({newest}), cast($as_of as timestamptz)) / 60.0, 1)
                as age_hours,
            {threshold_hours} as threshold_hours
        from raw.{table}
        group by 1
        order by 1
    """
    schema = pa.DataFrameSchema(
        checks=[
            rows_must(
                f"newest {what} at most {threshold_hours} h old",
                lambda frame: frame["age_hours"] <= frame["threshold_hours"],
                f"raw.{table} is stale: newest {what} older than {threshold_hours} h",
            )
        ]
    )
    return DataCheck(
        name=f"{table}_is_fresh",
        table=table,
        description=(
            f"Newest {what} per {per} is at most {threshold_hours} hours older than the run."
        ),
        sql=sql,
        schema=schema,
        key_columns=("scope",),
        blocking=False,
    )


FRESHNESS_CHECKS: tuple[DataCheck, ...] = (
    _freshness(
        "amazon_orders",
        "_record->>'MarketplaceId'",
        "marketplace",
        "_version",
        24,
        "order update",
    ),
    _freshness(
        "amazon_inventory_summaries",
        "marketplace_id",
        "marketplace",
        "_loaded_at",
        26,
        "inventory snapshot",
    ),
    _freshness(
        "amazon_inventory_ledger",
        "marketplace_id",
        "marketplace",
        "cast(ledger_date + interval 1 day as timestamptz)",
        72,
        "ledger day",
    ),
    _freshness(
        "amazon_shipments",
        "marketplace_id",
        "marketplace",
        "cast(_record->>'shipment-date' as timestamptz)",
        48,
        "shipment",
    ),
    _freshness(
        "amazon_ads_sp_campaigns",
        "profile_id",
        "advertiser profile",
        "cast(report_date + interval 1 day as timestamptz)",
        72,
        "ads report day",
    ),
    _freshness("shopify_orders", "shop_domain", "shop", "_version", 24, "order update"),
    _freshness(
        "zendesk_tickets",
        "'all tickets'",
        "help desk",
        "cast(_record->>'updated_at' as timestamptz)",
        24,
        "ticket update",
    ),
    _freshness(
        "fx_rates",
        "base_currency",
        "base currency",
        "cast(rate_date + interval 1 day as timestamptz)",
        120,
        "reference rate",
    ),
)
