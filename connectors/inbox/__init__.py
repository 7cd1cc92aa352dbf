"""Report files dropped into ``data/inbox/``: ``sync_inbox`` lands them into raw tables."""

from connectors.inbox.settings import InboxSettings
from connectors.inbox.sync import InboxFileError, sync_inbox

__all__ = ["InboxFileError", "InboxSettings", "sync_inbox"]
