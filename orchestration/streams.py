"""The connector streams the nightly job runs: which function, which settings, which tables.

One entry per stream; each becomes one Dagster asset per raw table it writes (asset key
``raw/<table>``), which is the key the dbt sources point at for lineage. Functions are named by
import path and loaded when a run needs them, so loading the definitions imports no connector.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from connectors import raw_tables as rt
from connectors.inbox import tables as inbox_tables
from connectors.landing import RawTable


@dataclass(frozen=True)
class Stream:
    name: str
    platform: str
    tables: tuple[RawTable, ...]
    sync: str  # "module:function", called as function(con, settings, run_id=..., now=...)
    settings: str  # "module:Class" with a from_env() constructor
    description: str

    def load(self) -> tuple[Any, Any]:
        return _resolve(self.sync), _resolve(self.settings)


def _resolve(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


STREAMS: tuple[Stream, ...] = (
    Stream(
        "amazon_orders",
        "amazon_sp_api",
        (rt.AMAZON_ORDERS, rt.AMAZON_ORDER_ITEMS),
        "connectors.amazon_sp:sync_orders",
        "connectors.amazon_sp:AmazonSpSettings",
        "SP-API getOrders by LastUpdateDate window, then getOrderItems of every changed order.",
    ),
    Stream(
        "amazon_refund_events",
        "amazon_sp_api",
        (rt.AMAZON_REFUND_EVENTS,),
        "connectors.amazon_sp:sync_refund_events",
        "connectors.amazon_sp:AmazonSpSettings",
        "SP-API Finances refund events by PostedDate window.",
    ),
    Stream(
        "amazon_inventory_summaries",
        "amazon_sp_api",
        (rt.AMAZON_INVENTORY_SUMMARIES,),
        "connectors.amazon_sp:sync_inventory_summaries",
        "connectors.amazon_sp:AmazonSpSettings",
        "FBA inventory summaries: one on-hand snapshot per SKU, marketplace and day.",
    ),
    Stream(
        "amazon_inventory_ledger",
        "amazon_sp_api",
        (rt.AMAZON_INVENTORY_LEDGER,),
        "connectors.amazon_sp:sync_inventory_ledger",
        "connectors.amazon_sp:AmazonSpSettings",
        "FBA inventory ledger report (daily ending balances): on-hand history.",
    ),
    Stream(
        "amazon_shipments",
        "amazon_sp_api",
        (rt.AMAZON_SHIPMENTS,),
        "connectors.amazon_sp:sync_shipments",
        "connectors.amazon_sp:AmazonSpSettings",
        "Fulfilled shipments report: the actual ship time of every order item.",
    ),
    Stream(
        "amazon_ads_profiles",
        "amazon_ads",
        (rt.AMAZON_ADS_PROFILES,),
        "connectors.amazon_ads:sync_profiles",
        "connectors.amazon_ads:AmazonAdsSettings",
        "Amazon Ads advertiser profiles (marketplace, currency, time zone).",
    ),
    Stream(
        "amazon_ads_sp_campaigns",
        "amazon_ads",
        (rt.AMAZON_ADS_SP_CAMPAIGNS,),
        "connectors.amazon_ads:sync_sp_campaigns",
        "connectors.amazon_ads:AmazonAdsSettings",
        "Sponsored Products campaign report, daily, re-pulled over a trailing window.",
    ),
    Stream(
        "amazon_ads_sp_advertised_products",
        "amazon_ads",
        (rt.AMAZON_ADS_SP_ADVERTISED_PRODUCTS,),
        "connectors.amazon_ads:sync_sp_advertised_products",
        "connectors.amazon_ads:AmazonAdsSettings",
        "Sponsored Products advertised-product report (spend and attributed sales per ad and "
        "SKU), daily, re-pulled over the same trailing window as campaigns.",
    ),
    Stream(
        "shopify_shops",
        "shopify",
        (rt.SHOPIFY_SHOPS,),
        "connectors.shopify:sync_shop",
        "connectors.shopify:ShopifySettings",
        "Shopify shop settings (currency, time zone).",
    ),
    Stream(
        "shopify_orders",
        "shopify",
        (rt.SHOPIFY_ORDERS,),
        "connectors.shopify:sync_orders",
        "connectors.shopify:ShopifySettings",
        "Shopify orders with line items, refunds and fulfillments, by updated_at.",
    ),
    Stream(
        "zendesk_tickets",
        "zendesk",
        (rt.ZENDESK_TICKETS, rt.ZENDESK_TICKET_COMMENTS, rt.ZENDESK_TICKET_METRICS),
        "connectors.zendesk:sync_tickets",
        "connectors.zendesk:ZendeskSettings",
        "Zendesk incremental ticket export by cursor with each ticket's metric set "
        "(include=metric_sets), then the comments of changed tickets.",
    ),
    Stream(
        "zendesk_users",
        "zendesk",
        (rt.ZENDESK_USERS,),
        "connectors.zendesk:sync_users",
        "connectors.zendesk:ZendeskSettings",
        "Zendesk users (role tells agents from end users).",
    ),
    Stream(
        "fx_rates",
        "fx",
        (rt.FX_RATES,),
        "connectors.fx:sync_rates",
        "connectors.fx:FxSettings",
        "Daily ECB reference rates per reporting-currency unit.",
    ),
    Stream(
        "inbox_files",
        "inbox",
        # only the tables no API stream writes: ledger and shipments files dropped into the
        # inbox land in raw.amazon_inventory_ledger / raw.amazon_shipments too, under the API
        # streams' assets (raw._inbox_manifest says which file brought what)
        inbox_tables.INBOX_TABLES,
        "connectors.inbox:sync_inbox",
        "connectors.inbox:InboxSettings",
        "Report files and exports dropped into data/inbox/ (TSV/CSV, gzipped or not), "
        "recognised by their header, each loaded once.",
    ),
)
