"""What the dashboard shows, read from the marts of a complete warehouse in a few queries.

Every ratio is recomputed from its additive parts (ratio of sums) at the grain shown: a
marketplace-day, or all marketplaces together for a day; a zero denominator gives None (drawn as
a gap, never as 0). ``all`` is the all-marketplaces view, as in the scorecard marts; the
customer-service rows of tickets whose brand maps to no marketplace (also called ``all`` there)
count in that total only. A mart that is not in the warehouse yet leaves its section empty and
named in ``missing``; a mart whose columns changed fails loudly instead of showing wrong numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from dashboard import panels
from dashboard.labels import ALL_MARKETPLACES, marketplace_label

TREND_DAYS = 90  # the daily charts show the newest 90 days of data
ADS_ATTRIBUTION_WINDOW_DAYS = 7  # ACoS and TACoS as the README and the run summary report them
ACTIVE_DAYS = 7  # a marketplace without data for longer no longer holds the daily total back

MARKETPLACE_KEY = (
    f"case when grouping(marketplace_id) = 1 then '{ALL_MARKETPLACES}' else marketplace_id end"
)
# one row per marketplace-day, plus one per day for all marketplaces together; a mart row
# labelled 'all' itself (support tickets of an unmapped brand) counts in the total only
GROUPED = f"""
    group by grouping sets ((marketplace_id, local_date), (local_date))
    having grouping(marketplace_id) = 1 or marketplace_id <> '{ALL_MARKETPLACES}'
"""


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    kind: str  # "bar" or "line"
    expression: str  # aggregated over the group: a sum, or a ratio of sums


@dataclass(frozen=True)
class TrendChart:
    """One daily chart: its words, its unit, and the query that feeds it."""

    id: str
    title: str
    note: str
    unit: str  # "currency", "percent" or "hours"
    table: str
    series: tuple[Series, ...]
    where: str = "true"

    def sql(self) -> str:
        measures = ", ".join(f"{series.expression} as {series.key}" for series in self.series)
        return f"""
            select
                {MARKETPLACE_KEY} as marketplace_key,
                local_date,
                bool_or(is_provisional) as is_provisional,
                {measures}
            from marts.{self.table}
            where local_date between ? and ? and ({self.where})
            {GROUPED}
            order by marketplace_key, local_date
        """


TREND_CHARTS = (
    TrendChart(
        id="sales",
        title="Daily sales",
        note=(
            "GMV: value of the items on the orders placed that day (before discounts, without "
            "shipping). Net sales: GMV less discounts and the refunds of those orders."
        ),
        unit="currency",
        table="kpi_sales_daily",
        series=(
            Series("gmv", "GMV", "bar", "sum(gmv)::double"),
            Series("net_sales", "Net sales", "line", "sum(net_sales)::double"),
        ),
    ),
    TrendChart(
        id="refund_rate",
        title="Refund rate",
        note=(
            "Share of the orders placed that day that have been refunded so far (by order "
            "date). Recent days still rise as refunds arrive."
        ),
        unit="percent",
        table="kpi_sales_daily",
        series=(
            Series(
                "refund_rate",
                "Refund rate",
                "line",
                "sum(refunded_orders_count)::double / nullif(sum(orders_count), 0)",
            ),
        ),
    ),
    TrendChart(
        id="ads",
        title="Advertising cost of sales",
        note=(
            "ACoS: ad spend / sales the ads brought (7-day attribution). TACoS: ad spend / all "
            "sales of the advertised marketplaces that day. Lower is better."
        ),
        unit="percent",
        table="kpi_ads_daily",
        series=(
            Series("acos", "ACoS", "line", "sum(cost)::double / nullif(sum(attributed_sales), 0)"),
            Series("tacos", "TACoS", "line", "sum(cost)::double / nullif(sum(total_sales), 0)"),
        ),
        where=f"attribution_window_days = {ADS_ATTRIBUTION_WINDOW_DAYS}",
    ),
    TrendChart(
        id="on_time_shipment",
        title="Orders shipped on time",
        note=(
            "Orders shipped by their ship-by deadline / orders first shipped that day "
            "(Amazon's latest ship date; Shopify: order time + handling time)."
        ),
        unit="percent",
        table="kpi_fulfilment_daily",
        series=(
            Series(
                "on_time_shipment_rate",
                "Shipped on time",
                "line",
                "sum(shipped_on_time_count)::double / nullif(sum(shipped_orders_count), 0)",
            ),
        ),
    ),
    TrendChart(
        id="first_response",
        title="First response time to customers",
        note=(
            "Average hours from a ticket's creation to the first public reply, for the tickets "
            "created that day and answered. Business hours count only the support team's hours."
        ),
        unit="hours",
        table="kpi_customer_service_daily",
        series=(
            Series(
                "first_response_hours",
                "Calendar hours",
                "line",
                "sum(first_response_minutes_sum)::double / 60"
                " / nullif(sum(answered_tickets_count), 0)",
            ),
            Series(
                "first_response_business_hours",
                "Business hours",
                "line",
                "sum(first_response_business_minutes_sum)::double / 60"
                " / nullif(sum(answered_tickets_count), 0)",
            ),
        ),
    ),
)

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
    "status",
    "guardrail_kpi",
    "guardrail_actual",
    "guardrail_target",
    "guardrail_status",
    "newest_data_date",
    "data_lag_days",
    "is_provisional",
)
# shown when the scorecard has them: a month in progress is judged against the target pro-rated
# to the days it covers, and the page says so
SCORECARD_EXTRA_COLUMNS = (
    "target_to_date",
    "variance_to_date",
    "is_partial_month",
    "days_covered",
    "days_in_month",
)
PEOPLE_COLUMNS = (
    "month",
    "team",
    "sales_marketplace_id",
    "headcount",
    "net_sales",
    "net_sales_per_head",
    "is_provisional",
)
FRESHNESS_COLUMNS = (
    "source_stream",
    "marketplace_id",
    "newest_event_date",
    "last_loaded_at",
    "as_of_at",
    "data_lag_days",
)


@dataclass
class DashboardData:
    """Everything the page shows, JSON-ready (dates as ISO strings, numbers as floats)."""

    generated_at: str
    reporting_currency: str
    marketplaces: list[dict[str, str]] = field(default_factory=list)
    trend_window: dict[str, str] | None = None
    trends: list[dict[str, Any]] = field(default_factory=list)
    scorecard: list[dict[str, Any]] | None = None
    kpi_units: dict[str, str] = field(default_factory=dict)
    people: list[dict[str, Any]] | None = None
    freshness: list[dict[str, Any]] | None = None
    panels: list[dict[str, Any]] = field(default_factory=list)
    publication: dict[str, str] | None = None
    missing: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "reporting_currency": self.reporting_currency,
            "marketplaces": self.marketplaces,
            "trend_window": self.trend_window,
            "trends": self.trends,
            "scorecard": self.scorecard,
            "panels": self.panels,
            "publication": self.publication,
            "missing": self.missing,
        }


def load(
    con: duckdb.DuckDBPyConnection, *, reporting_currency: str, generated_at: dt.datetime
) -> DashboardData:
    """Read every section from the open (read-only) warehouse."""
    present = _tables(con)
    data = DashboardData(
        generated_at=generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        reporting_currency=reporting_currency,
    )
    wanted = {chart.table for chart in TREND_CHARTS} | {
        "kpi_scorecard_monthly",
        "kpi_people_monthly",
        "kpi_source_freshness",
    }
    data.missing = sorted(f"marts.{name}" for name in wanted if ("marts", name) not in present)

    if ("meta", "publication") in present:
        found = con.execute("select version, published_at from meta.publication").fetchone()
        if found:
            data.publication = {"version": found[0], "published_at": _json_value(found[1])}
    window = _trend_window(con, present)
    if window is not None:
        start, end = window
        data.trend_window = {"start": start.isoformat(), "end": end.isoformat()}
        data.trends = [_trend(con, chart, start, end, present) for chart in TREND_CHARTS]
    if ("marts", "kpi_scorecard_monthly") in present:
        data.scorecard = _scorecard(con)
        data.kpi_units = _kpi_units(con, present, data.scorecard)
    if ("marts", "kpi_people_monthly") in present:
        data.people = _rows(
            con, "kpi_people_monthly", PEOPLE_COLUMNS, "month desc, team = 'all' desc, team"
        )
    if ("marts", "kpi_source_freshness") in present:
        data.freshness = _rows(
            con,
            "kpi_source_freshness",
            FRESHNESS_COLUMNS,
            "data_lag_days desc nulls last, source_stream, marketplace_id",
            where="freshness_level = 'stream'",
        )

    seen = {key for chart in data.trends for key in chart["by_marketplace"]}
    seen |= {row["marketplace_id"] for row in data.scorecard or []}
    seen |= {row["marketplace_id"] for row in data.freshness or []}
    names = _marketplace_names(con, present)
    ordered = sorted(seen - {ALL_MARKETPLACES}, key=lambda key: marketplace_label(key, names))
    data.marketplaces = [
        {"id": key, "label": marketplace_label(key, names)} for key in [ALL_MARKETPLACES, *ordered]
    ]
    data.panels = [
        panel
        for panel in (
            panels.people_panel(data.people, names),
            panels.freshness_panel(data.freshness, [m["id"] for m in data.marketplaces], names),
        )
        if panel is not None
    ]
    return data


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database()"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _trend_window(
    con: duckdb.DuckDBPyConnection, present: set[tuple[str, str]]
) -> tuple[dt.date, dt.date] | None:
    """The newest TREND_DAYS days ending at the newest day of any trend mart (fewer when the
    history is shorter), the same for every chart so their days line up."""
    bounds = [
        con.execute(f"select min(local_date), max(local_date) from marts.{table}").fetchone()
        for table in sorted({chart.table for chart in TREND_CHARTS})
        if ("marts", table) in present
    ]
    bounds = [(first, last) for first, last in bounds if last is not None]
    if not bounds:
        return None
    end = max(last for _, last in bounds)
    start = max(end - dt.timedelta(days=TREND_DAYS - 1), min(first for first, _ in bounds))
    return start, end


def _trend(
    con: duckdb.DuckDBPyConnection,
    chart: TrendChart,
    start: dt.date,
    end: dt.date,
    present: set[tuple[str, str]],
) -> dict[str, Any]:
    by_marketplace: dict[str, dict[str, Any]] = {}
    if ("marts", chart.table) in present:
        for key, day, provisional, *values in con.execute(chart.sql(), [start, end]).fetchall():
            block = by_marketplace.setdefault(
                key,
                {"dates": [], "provisional": [], "values": {s.key: [] for s in chart.series}},
            )
            block["dates"].append(day.isoformat())
            block["provisional"].append(bool(provisional))
            for series, value in zip(chart.series, values, strict=True):
                block["values"][series.key].append(_number(value))
    _trim_partial_totals(by_marketplace)
    return {
        "id": chart.id,
        "title": chart.title,
        "note": chart.note,
        "unit": chart.unit,
        "table": f"marts.{chart.table}",
        "series": [{"key": s.key, "label": s.label, "kind": s.kind} for s in chart.series],
        "by_marketplace": by_marketplace,
    }


def _trim_partial_totals(by_marketplace: dict[str, dict[str, Any]]) -> None:
    """End the all-marketplaces series at the last day every reporting marketplace has.

    Local days end at different instants (Tokyo's day starts 17 hours before Los Angeles'),
    so at run time the newest day of some marketplaces has no rows elsewhere yet; a total over
    those days would read as a collapse. Marketplaces whose data stopped more than
    ACTIVE_DAYS before the newest day (closed, or paused) do not hold the total back.
    """
    total = by_marketplace.get(ALL_MARKETPLACES)
    newest_days = [
        dt.date.fromisoformat(block["dates"][-1])
        for key, block in by_marketplace.items()
        if key != ALL_MARKETPLACES and block["dates"]
    ]
    if total is None or not newest_days:
        return
    newest = max(newest_days)
    cutoff = min(day for day in newest_days if newest - day <= dt.timedelta(days=ACTIVE_DAYS))
    keep = sum(1 for day in total["dates"] if dt.date.fromisoformat(day) <= cutoff)
    total["dates"] = total["dates"][:keep]
    total["provisional"] = total["provisional"][:keep]
    total["values"] = {key: values[:keep] for key, values in total["values"].items()}


def _scorecard(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    present = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'kpi_scorecard_monthly'"
        ).fetchall()
    }
    columns = [
        *SCORECARD_COLUMNS,
        *(name if name in present else f"null as {name}" for name in SCORECARD_EXTRA_COLUMNS),
    ]
    names = [*SCORECARD_COLUMNS, *SCORECARD_EXTRA_COLUMNS]
    cursor = con.execute(
        f"select {', '.join(columns)} from marts.kpi_scorecard_monthly "
        "order by month desc, marketplace_id, domain, kpi"
    )
    return [
        {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def _kpi_units(
    con: duckdb.DuckDBPyConnection,
    present: set[tuple[str, str]],
    scorecard: list[dict[str, Any]],
) -> dict[str, str]:
    """The unit of every KPI, so a guardrail without a target row of its own is formatted."""
    units: dict[str, str] = {}
    if ("marts", "kpi_monthly") in present:
        units.update(con.execute("select distinct kpi, unit from marts.kpi_monthly").fetchall())
    units.update({row["kpi"]: row["unit"] for row in scorecard if row["unit"]})
    return units


def _rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    order: str,
    where: str = "true",
) -> list[dict[str, Any]]:
    cursor = con.execute(
        f"select {', '.join(columns)} from marts.{table} where {where} order by {order}"
    )
    return [
        {name: _json_value(value) for name, value in zip(columns, row, strict=True)}
        for row in cursor.fetchall()
    ]


def _marketplace_names(
    con: duckdb.DuckDBPyConnection, present: set[tuple[str, str]]
) -> dict[str, str]:
    """``Amazon.com (US)`` per Amazon marketplace id, from the marketplaces seed."""
    if ("staging", "marketplaces") not in present:
        return {}
    rows = con.execute(
        "select marketplace_id, marketplace_name, country_code from staging.marketplaces"
    ).fetchall()
    return {key: f"{name} ({country})" for key, name, country in rows if name}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
