"""A small hand-made warehouse for the dashboard tests: the marts' columns the page reads, a few
rows each, every number chosen so the expected figures can be worked out by hand.

Two Amazon marketplaces, US and DE, in late November 2026:

- sales: US 11-25..11-29 (11-27 without orders), DE 11-25..11-30; the last two days of each
  provisional. All marketplaces ends at 11-29, US's newest day (DE's 11-30 has no US day yet).
- ads: US only, 11-26..11-28, 7-day rows plus a 14-day row the page must ignore; 11-27 spends
  without sales (ACoS and TACoS undefined there).
- fulfilment: US 11-25..11-27 (11-26 ships nothing), DE 11-25 only, so all marketplaces stops
  at 11-25 (the last day both have).
- customer service: US 11-25 and 11-26 (nothing answered on 11-26), and 11-25 tickets of an
  unmapped brand (marketplace `all`), which count in the total only.
- scorecard: November 2026 (in progress, 6 of 30 days) for all marketplaces and US, October
  for all marketplaces; GMV off track, refund rate at risk, on-time and ACoS on track, ACoS's
  data ten days old.
- people: November, three teams, one of them named with HTML in it.
- freshness: four streams with event days, one without, and a KPI-level row not to show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from connectors.warehouse import connect

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"
ALL = "all"
HOSTILE_TEAM = '<script>alert("team")</script> & <i class="injected">Co</i>'
LOADED_AT = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


MARKETPLACES = [(US, "Amazon.com", "US"), (DE, "Amazon.de", "DE")]

# marketplace, day, orders, refunded orders, gmv, net sales, provisional
SALES = [
    (US, d("2026-11-25"), 10, 1, 100, 90, False),
    (US, d("2026-11-26"), 20, 0, 200, 180, False),
    (US, d("2026-11-27"), 0, 0, 0, 0, False),
    (US, d("2026-11-28"), 30, 3, 300, 270, True),
    (US, d("2026-11-29"), 5, 0, 50, 50, True),
    (DE, d("2026-11-25"), 40, 2, 400, 380, False),
    (DE, d("2026-11-26"), 10, 0, 100, 100, False),
    (DE, d("2026-11-27"), 20, 5, 200, 150, False),
    (DE, d("2026-11-28"), 10, 0, 100, 100, False),
    (DE, d("2026-11-29"), 10, 1, 100, 90, True),
    (DE, d("2026-11-30"), 8, 0, 80, 80, True),
]

# marketplace, day, attribution window, cost, attributed sales, total sales, provisional
ADS = [
    (US, d("2026-11-26"), 7, 10, 40, 200, False),
    (US, d("2026-11-26"), 14, 10, 80, 200, False),
    (US, d("2026-11-27"), 7, 5, 0, 0, False),
    (US, d("2026-11-28"), 7, 30, 100, 300, True),
]

# marketplace, day, shipped, shipped on time, provisional
FULFILMENT = [
    (US, d("2026-11-25"), 10, 9, False),
    (US, d("2026-11-26"), 0, 0, True),
    (US, d("2026-11-27"), 4, 3, True),
    (DE, d("2026-11-25"), 5, 5, True),
]

# marketplace, day, answered, first-response minutes, business minutes, provisional
SUPPORT = [
    (US, d("2026-11-25"), 2, 240, 120, True),
    (US, d("2026-11-26"), 0, 0, 0, True),
    (ALL, d("2026-11-25"), 1, 60, 60, True),
]

NOVEMBER, OCTOBER = d("2026-11-01"), d("2026-10-01")
SCORECARD_COLUMNS = (
    "month",
    "marketplace_id",
    "kpi",
    "domain",
    "unit",
    "direction",
    "actual",
    "target",
    "variance",
    "variance_pct",
    "target_to_date",
    "variance_to_date",
    "status",
    "is_growth_kpi",
    "guardrail_kpi",
    "guardrail_actual",
    "guardrail_target",
    "guardrail_status",
    "days_in_month",
    "days_covered",
    "is_partial_month",
    "newest_data_date",
    "data_lag_days",
    "is_provisional",
)


def _scorecard_row(month: date, marketplace: str, kpi: str, **values: Any) -> tuple:
    row = {name: None for name in SCORECARD_COLUMNS}
    row.update(month=month, marketplace_id=marketplace, kpi=kpi)
    row.update(values)
    return tuple(row[name] for name in SCORECARD_COLUMNS)


NOVEMBER_PARTIAL = {"days_in_month": 30, "days_covered": 6, "is_partial_month": True}
SCORECARD = [
    # GMV: target 5,000 for November, 1,000 to date (6 of 30 days: 5,000 x 6 / 30); actual 700
    # is 300 short, more than 10 % of 1,000 (100): off track. Against the full month:
    # 700 - 5,000 = -4,300, -86 %. Its guardrail, refund rate 5.3 % against 5 %, is at risk.
    _scorecard_row(
        NOVEMBER,
        ALL,
        "gmv",
        domain="sales",
        unit="money",
        direction="higher",
        actual=700,
        target=5000,
        variance=-4300,
        variance_pct=-0.86,
        target_to_date=1000,
        variance_to_date=-300,
        status="off track",
        is_growth_kpi=True,
        guardrail_kpi="refund_rate",
        guardrail_actual=0.053,
        guardrail_target=0.05,
        guardrail_status="at risk",
        newest_data_date=d("2026-11-30"),
        data_lag_days=0,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    # refund rate 5.3 % against at most 5 %: 0.3 points over, within 10 % of 5 % (0.5
    # points): at risk
    _scorecard_row(
        NOVEMBER,
        ALL,
        "refund_rate",
        domain="sales",
        unit="ratio",
        direction="lower",
        actual=0.053,
        target=0.05,
        variance=0.003,
        variance_pct=0.06,
        target_to_date=0.05,
        variance_to_date=0.003,
        status="at risk",
        is_growth_kpi=False,
        newest_data_date=d("2026-11-30"),
        data_lag_days=0,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    _scorecard_row(
        NOVEMBER,
        ALL,
        "on_time_shipment_rate",
        domain="fulfilment",
        unit="ratio",
        direction="higher",
        actual=0.95,
        target=0.9,
        variance=0.05,
        variance_pct=0.0556,
        target_to_date=0.9,
        variance_to_date=0.05,
        status="on track",
        is_growth_kpi=False,
        newest_data_date=d("2026-11-27"),
        data_lag_days=3,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    # ACoS's newest ads day is 11-20: ten days behind the load, shown as stale
    _scorecard_row(
        NOVEMBER,
        ALL,
        "acos",
        domain="advertising",
        unit="ratio",
        direction="lower",
        actual=0.24,
        target=0.25,
        variance=-0.01,
        variance_pct=-0.04,
        target_to_date=0.25,
        variance_to_date=-0.01,
        status="on track",
        is_growth_kpi=False,
        newest_data_date=d("2026-11-20"),
        data_lag_days=10,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    # 100 minutes against at most 120: on track, shown as 1 h 40 min
    _scorecard_row(
        NOVEMBER,
        ALL,
        "first_response_minutes",
        domain="customer_service",
        unit="minutes",
        direction="lower",
        actual=100,
        target=120,
        variance=-20,
        variance_pct=-1 / 6,
        target_to_date=120,
        variance_to_date=-20,
        status="on track",
        is_growth_kpi=False,
        newest_data_date=d("2026-11-26"),
        data_lag_days=4,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    _scorecard_row(
        NOVEMBER,
        US,
        "gmv",
        domain="sales",
        unit="money",
        direction="higher",
        actual=600,
        target=500,
        variance=100,
        variance_pct=0.2,
        target_to_date=100,
        variance_to_date=500,
        status="on track",
        is_growth_kpi=True,
        guardrail_kpi="refund_rate",
        guardrail_actual=0.0615,
        guardrail_target=None,
        guardrail_status=None,
        newest_data_date=d("2026-11-29"),
        data_lag_days=1,
        is_provisional=True,
        **NOVEMBER_PARTIAL,
    ),
    _scorecard_row(
        OCTOBER,
        ALL,
        "gmv",
        domain="sales",
        unit="money",
        direction="higher",
        actual=9000,
        target=8000,
        variance=1000,
        variance_pct=0.125,
        target_to_date=8000,
        variance_to_date=1000,
        status="on track",
        is_growth_kpi=True,
        guardrail_kpi="refund_rate",
        guardrail_actual=0.04,
        guardrail_target=0.05,
        guardrail_status="on track",
        newest_data_date=d("2026-11-30"),
        data_lag_days=0,
        is_provisional=False,
        days_in_month=31,
        days_covered=31,
        is_partial_month=False,
    ),
]

# month, team, sells on, headcount, net sales, net sales per head, provisional
PEOPLE = [
    (NOVEMBER, ALL, ALL, 5, 1530, 306, True),  # 1,530 / 5 = 306
    (NOVEMBER, "US sales", US, 2, 600, 300, True),  # 600 / 2 = 300
    (NOVEMBER, HOSTILE_TEAM, DE, 3, 930, 310, True),  # 930 / 3 = 310
]

# level, kpi, marketplace, stream, newest event day, last load, measured at, lag days
FRESHNESS = [
    ("stream", None, US, "amazon_orders", d("2026-11-29"), LOADED_AT, LOADED_AT, 1),
    ("stream", None, DE, "amazon_orders", d("2026-11-30"), LOADED_AT, LOADED_AT, 0),
    ("stream", None, US, "amazon_ads_sp_campaigns", d("2026-11-20"), LOADED_AT, LOADED_AT, 10),
    ("stream", None, ALL, "zendesk_tickets", d("2026-11-26"), LOADED_AT, LOADED_AT, 4),
    ("stream", None, ALL, "amazon_ads_profiles", None, LOADED_AT, LOADED_AT, None),
    ("kpi", "acos", ALL, "amazon_ads_sp_campaigns", d("2026-11-20"), LOADED_AT, LOADED_AT, 10),
]

TABLES: dict[str, tuple[str, list[tuple]]] = {
    "staging.marketplaces": (
        "marketplace_id varchar, marketplace_name varchar, country_code varchar",
        MARKETPLACES,
    ),
    "marts.kpi_sales_daily": (
        "marketplace_id varchar, local_date date, orders_count bigint, "
        "refunded_orders_count bigint, gmv decimal(18, 4), net_sales decimal(20, 4), "
        "is_provisional boolean",
        SALES,
    ),
    "marts.kpi_ads_daily": (
        "marketplace_id varchar, local_date date, attribution_window_days integer, "
        "cost decimal(18, 4), attributed_sales decimal(18, 4), total_sales decimal(18, 4), "
        "is_provisional boolean",
        ADS,
    ),
    "marts.kpi_fulfilment_daily": (
        "marketplace_id varchar, local_date date, shipped_orders_count bigint, "
        "shipped_on_time_count bigint, is_provisional boolean",
        FULFILMENT,
    ),
    "marts.kpi_customer_service_daily": (
        "marketplace_id varchar, local_date date, answered_tickets_count bigint, "
        "first_response_minutes_sum double, first_response_business_minutes_sum double, "
        "is_provisional boolean",
        SUPPORT,
    ),
    "marts.kpi_scorecard_monthly": (
        "month date, marketplace_id varchar, kpi varchar, domain varchar, unit varchar, "
        "direction varchar, actual double, target double, variance double, "
        "variance_pct double, target_to_date double, variance_to_date double, status varchar, "
        "is_growth_kpi boolean, guardrail_kpi varchar, guardrail_actual double, "
        "guardrail_target double, guardrail_status varchar, days_in_month integer, "
        "days_covered integer, is_partial_month boolean, newest_data_date date, "
        "data_lag_days integer, is_provisional boolean",
        SCORECARD,
    ),
    "marts.kpi_people_monthly": (
        "month date, team varchar, sales_marketplace_id varchar, headcount integer, "
        "net_sales decimal(18, 4), net_sales_per_head double, is_provisional boolean",
        PEOPLE,
    ),
    "marts.kpi_source_freshness": (
        "freshness_level varchar, kpi varchar, marketplace_id varchar, source_stream varchar, "
        "newest_event_date date, last_loaded_at timestamptz, as_of_at timestamptz, "
        "data_lag_days bigint",
        FRESHNESS,
    ),
}


def build(path: Path, tables: dict[str, tuple[str, list[tuple]]] | None = None) -> Path:
    """Write the tables (default: all of the above) into a new warehouse file at ``path``."""
    con = connect(path)
    try:
        for qualified, (columns, rows) in (TABLES if tables is None else tables).items():
            schema = qualified.split(".")[0]
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create table {qualified} ({columns})")
            if rows:
                width = len(rows[0])
                values = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * len(rows))
                con.execute(
                    f"insert into {qualified} values {values}",
                    [value for row in rows for value in row],
                )
    finally:
        con.close()
    return path
