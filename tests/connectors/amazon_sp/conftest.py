"""The SP-API tests' fixtures (defined in support.py, shared with the Ads tests)."""

from tests.connectors.amazon_sp.support import con, fresh_tokens, retry_sleeps

__all__ = ["con", "fresh_tokens", "retry_sleeps"]
