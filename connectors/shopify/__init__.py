"""Shopify Admin REST connector: ``sync_shop`` and ``sync_orders`` into the ``raw`` schema."""

from connectors.shopify.settings import ShopifySettings
from connectors.shopify.streams import sync_orders, sync_shop

__all__ = ["ShopifySettings", "sync_orders", "sync_shop"]
