"""Zendesk Support connector: ``sync_tickets`` (with comments) and ``sync_users`` into ``raw``."""

from connectors.zendesk.settings import ZendeskSettings
from connectors.zendesk.streams import sync_tickets, sync_users

__all__ = ["ZendeskSettings", "sync_tickets", "sync_users"]
