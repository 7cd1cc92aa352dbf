"""The Ads tests' fixtures (defined beside the SP-API tests, which share them)."""

from tests.connectors.amazon_sp.support import con, fresh_tokens, retry_sleeps

__all__ = ["con", "fresh_tokens", "retry_sleeps"]
