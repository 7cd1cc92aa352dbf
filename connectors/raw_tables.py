"""Every raw table of the warehouse: key, version, context and dropped personal fields.

This module is the code form of the table in docs/contracts.md ("The raw layer"); connectors
land into these specs and the dbt sources read them. One row per key in every table.

Versions parse with ``try_cast`` and name the raw text they parse (``version_source``): a record
whose version is missing or unparseable goes to ``raw._quarantine`` instead of failing its batch
(connectors.landing).
"""

from __future__ import annotations

from connectors.landing import Column, RawTable

LOAD_TIME = "now()"


def _epoch(expression: str) -> str:
    return f"to_timestamp(try_cast({expression} as bigint))"


def _timestamptz(expression: str) -> str:
    return f"try_cast({expression} as timestamptz)"


AMAZON_ORDERS = RawTable(
    name="amazon_orders",
    platform="amazon_sp_api",
    keys=(Column("amazon_order_id", "varchar", "rec->>'AmazonOrderId'"),),
    version=_timestamptz("rec->>'LastUpdateDate'"),
    version_source="rec->>'LastUpdateDate'",
    drop_fields=("BuyerInfo", "ShippingAddress", "BuyerEmail", "BuyerName"),
)

AMAZON_ORDER_ITEMS = RawTable(
    name="amazon_order_items",
    platform="amazon_sp_api",
    keys=(
        Column("amazon_order_id", "varchar", "amazon_order_id"),
        Column("order_item_id", "varchar", "rec->>'OrderItemId'"),
    ),
    # the items of an order are re-read whenever the order changes: they carry its version,
    # given per page (connectors.landing.wrap_page) so many orders' items land in one batch
    version=_timestamptz("order_last_update_date"),
    version_source="order_last_update_date",
    context=("order_last_update_date",),
    drop_fields=("BuyerInfo",),
)

AMAZON_REFUND_EVENTS = RawTable(
    name="amazon_refund_events",
    platform="amazon_sp_api",
    # a RefundEvent has no id of its own: the order, the posting time and the whole record's
    # hash identify it, so the same event read twice collapses to one row
    keys=(
        Column("amazon_order_id", "varchar", "rec->>'AmazonOrderId'"),
        Column("posted_at", "timestamptz", "rec->>'PostedDate'"),
        Column("event_hash", "varchar", "md5(cast(rec as varchar))"),
    ),
    version=_timestamptz("rec->>'PostedDate'"),
    version_source="rec->>'PostedDate'",
)

AMAZON_INVENTORY_SUMMARIES = RawTable(
    name="amazon_inventory_summaries",
    platform="amazon_sp_api",
    keys=(
        Column("snapshot_date", "date", "$snapshot_date"),
        Column("marketplace_id", "varchar", "$marketplace_id"),
        Column("seller_sku", "varchar", "rec->>'sellerSku'"),
    ),
    version="coalesce(try_cast(rec->>'lastUpdatedTime' as timestamptz), now())",
    context=("snapshot_date", "marketplace_id"),
)

AMAZON_INVENTORY_LEDGER = RawTable(
    name="amazon_inventory_ledger",
    platform="amazon_sp_api",
    keys=(
        Column(
            "ledger_date", "date", "try_strptime(rec->>'Date', '%m/%d/%Y')", source="rec->>'Date'"
        ),
        Column("msku", "varchar", "rec->>'MSKU'"),
        Column("disposition", "varchar", "rec->>'Disposition'"),
        Column("location", "varchar", "rec->>'Location'"),
    ),
    version=LOAD_TIME,
    context=("marketplace_id",),
)

AMAZON_SHIPMENTS = RawTable(
    name="amazon_shipments",
    platform="amazon_sp_api",
    keys=(
        Column("shipment_id", "varchar", "rec->>'shipment-id'"),
        Column("shipment_item_id", "varchar", "rec->>'shipment-item-id'"),
    ),
    version=LOAD_TIME,
    context=("marketplace_id",),
    drop_fields=(
        "buyer-email",
        "buyer-name",
        "buyer-phone-number",
        "recipient-name",
        "ship-address-1",
        "ship-address-2",
        "ship-address-3",
        "ship-phone-number",
    ),
)

AMAZON_ADS_PROFILES = RawTable(
    name="amazon_ads_profiles",
    platform="amazon_ads",
    keys=(Column("profile_id", "varchar", "rec->>'profileId'"),),
    version=LOAD_TIME,
)

AMAZON_ADS_SP_CAMPAIGNS = RawTable(
    name="amazon_ads_sp_campaigns",
    platform="amazon_ads",
    keys=(
        Column("profile_id", "varchar", "$profile_id"),
        Column("report_date", "date", "rec->>'date'"),
        Column("campaign_id", "varchar", "rec->>'campaignId'"),
    ),
    version=LOAD_TIME,
    context=("profile_id",),
)

# one row per ad and day (an ad is one advertised SKU in one ad group); a re-pulled day replaces
# the stored rows of its ads, as for campaigns
AMAZON_ADS_SP_ADVERTISED_PRODUCTS = RawTable(
    name="amazon_ads_sp_advertised_products",
    platform="amazon_ads",
    keys=(
        Column("profile_id", "varchar", "$profile_id"),
        Column("report_date", "date", "rec->>'date'"),
        Column("ad_id", "varchar", "rec->>'adId'"),
    ),
    version=LOAD_TIME,
    context=("profile_id",),
)

SHOPIFY_SHOPS = RawTable(
    name="shopify_shops",
    platform="shopify",
    keys=(Column("shop_id", "varchar", "rec->>'id'"),),
    version="coalesce(try_cast(rec->>'updated_at' as timestamptz), now())",
    drop_fields=("email", "customer_email", "phone", "shop_owner", "address1", "address2"),
)

SHOPIFY_ORDERS = RawTable(
    name="shopify_orders",
    platform="shopify",
    keys=(Column("order_id", "varchar", "rec->>'id'"),),
    version=_timestamptz("rec->>'updated_at'"),
    version_source="rec->>'updated_at'",
    context=("shop_domain",),
    drop_fields=(
        "customer",
        "email",
        "contact_email",
        "phone",
        "billing_address",
        "shipping_address",
        "browser_ip",
        "client_details",
    ),
)

# Zendesk records carry ``url``, the API address the record was read from: it names the host,
# not the record. Kept, it would make the same ticket read through another host (a renamed
# subdomain, a proxy, the sandbox on another port) look changed and re-land every record.
SELF_LINK = "url"

ZENDESK_TICKETS = RawTable(
    name="zendesk_tickets",
    platform="zendesk",
    keys=(Column("ticket_id", "varchar", "rec->>'id'"),),
    version=_epoch("rec->>'generated_timestamp'"),
    version_source="rec->>'generated_timestamp'",
    # the description is the requester's first message; the email channel's sender and
    # recipients carry addresses and names; ``url`` is the API self-link (SELF_LINK below)
    drop_fields=("description", "via.source.from", "via.source.to", SELF_LINK),
)

ZENDESK_TICKET_COMMENTS = RawTable(
    name="zendesk_ticket_comments",
    platform="zendesk",
    keys=(Column("comment_id", "varchar", "rec->>'id'"),),
    version=_epoch("ticket_generated_timestamp"),  # per page, like the items above
    version_source="ticket_generated_timestamp",
    context=("ticket_id", "ticket_generated_timestamp"),
    drop_fields=("body", "html_body", "plain_body", "attachments"),
)

# the export's ``metric_sets`` sideload (include=metric_sets): Zendesk's own reply and
# resolution times of each ticket, one row per ticket; the warehouse checks its numbers
# against them
ZENDESK_TICKET_METRICS = RawTable(
    name="zendesk_ticket_metrics",
    platform="zendesk",
    keys=(Column("ticket_id", "varchar", "rec->>'ticket_id'"),),
    version=_timestamptz("rec->>'updated_at'"),
    version_source="rec->>'updated_at'",
    drop_fields=(SELF_LINK,),
)

ZENDESK_USERS = RawTable(
    name="zendesk_users",
    platform="zendesk",
    keys=(Column("user_id", "varchar", "rec->>'id'"),),
    version=_timestamptz("rec->>'updated_at'"),
    version_source="rec->>'updated_at'",
    drop_fields=("name", "email", "phone", "photo", SELF_LINK),
)

FX_RATES = RawTable(
    name="fx_rates",
    platform="fx",
    keys=(
        Column("base_currency", "varchar", "rec->>'base'"),
        Column("rate_date", "date", "rec->>'date'"),
    ),
    # the rate date, not the load time: a re-read day with the same rates is left alone, a
    # corrected rate (same version, other record) replaces it
    version=_timestamptz("rec->>'date'"),
    version_source="rec->>'date'",
)

ALL_RAW_TABLES: tuple[RawTable, ...] = (
    AMAZON_ORDERS,
    AMAZON_ORDER_ITEMS,
    AMAZON_REFUND_EVENTS,
    AMAZON_INVENTORY_SUMMARIES,
    AMAZON_INVENTORY_LEDGER,
    AMAZON_SHIPMENTS,
    AMAZON_ADS_PROFILES,
    AMAZON_ADS_SP_CAMPAIGNS,
    AMAZON_ADS_SP_ADVERTISED_PRODUCTS,
    SHOPIFY_SHOPS,
    SHOPIFY_ORDERS,
    ZENDESK_TICKETS,
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_USERS,
    FX_RATES,
)
