"""Amazon Selling Partner API connector: orders and items, refunds, FBA inventory, reports.

Every stream is ``sync_<stream>(con, settings, *, run_id, now) -> StreamRun`` and lands into the
``raw`` schema (see docs/contracts.md and connectors/raw_tables.py).
"""

from connectors.amazon_sp.finances import sync_refund_events
from connectors.amazon_sp.inventory import sync_inventory_summaries
from connectors.amazon_sp.orders import sync_orders
from connectors.amazon_sp.reports import fetch_report, sync_inventory_ledger, sync_shipments
from connectors.amazon_sp.settings import AmazonSpSettings

__all__ = [
    "AmazonSpSettings",
    "fetch_report",
    "sync_inventory_ledger",
    "sync_inventory_summaries",
    "sync_orders",
    "sync_refund_events",
    "sync_shipments",
]
