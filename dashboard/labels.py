"""Words and number formats a manager reads: KPI names, marketplace names, units.

The marts name KPIs by code (``refund_rate``) and units by kind (``percent``); the page shows
plain names and formatted values. A code or unit this module does not know is shown as it is
rather than hidden, so a KPI added to the targets seed appears before anyone names it here.
The browser script formats chart labels the same way (static/dashboard.js, ``formatValue``).
"""

from __future__ import annotations

import math

ALL_MARKETPLACES = "all"
NO_VALUE = "n/a"

KPI_NAMES = {
    "gmv": "GMV (gross sales)",
    "net_sales": "Net sales (after discounts and refunds)",
    "orders": "Orders",
    "orders_count": "Orders",
    "units": "Units sold",
    "aov": "Average order value",
    "refund_rate": "Refund rate (orders refunded, by order date)",
    "refund_rate_by_order_date": "Refund rate (orders refunded, by order date)",
    "refund_amount_by_refund_date": "Refunds paid (by refund date)",
    "cancellation_rate": "Cancellation rate",
    "margin": "Margin",
    "gross_margin": "Gross margin (after product cost)",
    "margin_rate": "Margin rate (after product cost)",
    "cost_coverage_rate": "Sales with a known product cost",
    "on_time_shipment_rate": "Orders shipped on time",
    "late_shipment_rate": "Orders shipped late",
    "inventory_turnover_days": "Inventory turnover (days of stock)",
    "inventory_turnover_days_cost": "Inventory turnover, cost basis (days of stock)",
    "inventory_turnover_ratio": "Inventory turnover (times per period)",
    "days_of_supply": "Days of supply left",
    "stock_out_days": "Stock-out days (SKU days without stock)",
    "stock_out_rate": "Stock-out rate (SKU days without stock)",
    "dead_stock_skus": "Dead-stock SKUs (stock, no sales)",
    "ctr": "Click-through rate (ads)",
    "cpc": "Cost per click (ads)",
    "cvr": "Conversion rate (ads)",
    "acos": "ACoS (ad spend / ad sales)",
    "roas": "ROAS (ad sales / ad spend)",
    "tacos": "TACoS (ad spend / all sales)",
    "ad_spend": "Ad spend",
    "ad_sales": "Ad-attributed sales",
    "ad_spend_out_of_stock": "Ad spend on out-of-stock SKUs",
    "out_of_stock_ad_spend_share": "Ad spend on out-of-stock SKUs (share)",
    "first_response_minutes": "First response time",
    "first_response_business_minutes": "First response time (business hours)",
    "resolution_minutes": "Resolution time",
    "resolution_business_minutes": "Resolution time (business hours)",
    "csat": "Customer satisfaction (CSAT)",
    "csat_score": "Customer satisfaction (CSAT)",
    "contacts_per_100_orders": "Support contacts per 100 orders",
    "unanswered_tickets": "Unanswered tickets",
    "unanswered_ticket_rate": "Tickets not answered yet",
    "tickets_created_count": "Support tickets",
    "sales_per_head": "Sales per head",
    "net_sales_per_head": "Net sales per head",
}

DOMAIN_NAMES = {
    "sales": "Sales",
    "fulfilment": "Fulfilment",
    "fulfillment": "Fulfilment",
    "inventory": "Inventory",
    "ads": "Advertising",
    "advertising": "Advertising",
    "customer_service": "Customer service",
    "support": "Customer service",
    "people": "People",
}
# the order of a monthly review: what was sold, delivered, stocked, bought, answered, by whom
DOMAIN_ORDER = ["sales", "fulfilment", "inventory", "ads", "customer_service", "people"]

STATUS_CLASSES = {"on track": "on-track", "at risk": "at-risk", "off track": "off-track"}

# units as kpi_catalogue.csv names them ("ratio" is a fraction, shown as a percentage)
CURRENCY_UNITS = {"currency", "money", "amount"}
PERCENT_UNITS = {"ratio", "percent", "pct", "rate", "share"}
COUNT_UNITS = {"count", "orders", "units", "tickets", "skus"}
# a ratio read as a multiple, not a share: ROAS 4.0 means 4 of sales per 1 of spend
DISPLAY_UNITS = {"roas": "times"}

STREAM_NAMES = {
    "amazon_orders": "Amazon orders",
    "amazon_order_items": "Amazon order items",
    "amazon_refund_events": "Amazon refunds",
    "amazon_shipments": "Amazon shipments",
    "amazon_inventory_ledger": "Amazon inventory ledger",
    "amazon_inventory_summaries": "Amazon inventory snapshot",
    "amazon_listings": "Amazon listings",
    "amazon_settlements": "Amazon settlements",
    "amazon_ads_profiles": "Amazon Ads profiles",
    "amazon_ads_sp_campaigns": "Amazon Ads (Sponsored Products)",
    "amazon_ads_sp_advertised_products": "Amazon Ads (advertised products)",
    "shopify_orders": "Shopify orders",
    "shopify_shops": "Shopify shop settings",
    "zendesk_tickets": "Zendesk tickets",
    "zendesk_ticket_comments": "Zendesk replies",
    "zendesk_users": "Zendesk users",
    "fx_rates": "Exchange rates (ECB)",
    "inbox_order_exports": "Order exports (inbox)",
}


def kpi_name(code: str | None) -> str:
    """A KPI's plain name; an unknown code reads as words (``ad_spend_x`` -> ``Ad spend x``)."""
    if not code:
        return NO_VALUE
    return KPI_NAMES.get(code, code.replace("_", " ").capitalize())


def stream_name(code: str | None) -> str:
    if not code:
        return NO_VALUE
    return STREAM_NAMES.get(code, code.replace("_", " ").capitalize())


def display_unit(kpi: str | None, unit: str | None) -> str | None:
    """The unit a KPI is shown in: its catalogue unit, except where a reader expects another."""
    return DISPLAY_UNITS.get(kpi or "", unit)


def domain_name(code: str | None) -> str:
    if not code:
        return "Other"
    return DOMAIN_NAMES.get(code, code.replace("_", " ").capitalize())


def domain_rank(code: str | None) -> int:
    canonical = {"fulfillment": "fulfilment", "advertising": "ads", "support": "customer_service"}
    code = canonical.get(code or "", code or "")
    return DOMAIN_ORDER.index(code) if code in DOMAIN_ORDER else len(DOMAIN_ORDER)


def status_class(status: str | None) -> str:
    """CSS class of a status: on-track, at-risk, off-track, or no-status (no target, no data)."""
    return STATUS_CLASSES.get((status or "").strip().lower(), "no-status")


def marketplace_label(marketplace_id: str, names: dict[str, str]) -> str:
    """``Amazon.com (US)`` from the marketplaces seed, ``Shopify: <shop>`` for a store."""
    if marketplace_id == ALL_MARKETPLACES:
        return "All marketplaces"
    if marketplace_id in names:
        return names[marketplace_id]
    if marketplace_id.startswith("shopify:"):
        return f"Shopify: {marketplace_id.removeprefix('shopify:')}"
    return marketplace_id


def is_percent(unit: str | None) -> bool:
    return (unit or "").lower() in PERCENT_UNITS


def format_value(value: float | None, unit: str | None, currency: str) -> str:
    """A value as the page shows it: ``1,234.50 USD``, ``5.48 %``, ``2 h 05 min``, ``12.5 days``.

    Rates are stored as fractions (0.0548) and shown as percentages.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_VALUE
    unit_key = (unit or "").lower()
    if unit_key in CURRENCY_UNITS:
        return f"{value:,.2f} {currency}"
    if len(unit or "") == 3 and (unit or "").isalpha() and (unit or "").isupper():
        return f"{value:,.2f} {unit}"  # an ISO currency code as the unit
    if unit_key in PERCENT_UNITS:
        return f"{value * 100:,.2f} %"
    if unit_key == "minutes":
        return _minutes(value)
    if unit_key == "hours":
        return f"{value:,.1f} h"
    if unit_key == "days":
        return f"{value:,.1f} days"
    if unit_key in COUNT_UNITS:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit_key in {"times", "x"}:
        return f"{value:,.2f}×"
    suffix = f" {unit}" if unit else ""
    return f"{value:,.2f}{suffix}"


def format_variance(value: float | None, unit: str | None, currency: str) -> str:
    """A signed difference from target; rates in percentage points (``+1.20 pts``)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_VALUE
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    if is_percent(unit):
        return f"{sign}{abs(value) * 100:,.2f} pts"
    return sign + format_value(abs(value), unit, currency)


def format_percent(value: float | None) -> str:
    """A relative difference (``variance_pct``, a fraction of the target), signed."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return NO_VALUE
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{abs(value) * 100:,.1f} %"


def _minutes(value: float) -> str:
    if abs(value) < 60:
        return f"{value:,.0f} min"
    hours, minutes = divmod(round(value), 60)
    return f"{hours:,} h {minutes:02d} min"
