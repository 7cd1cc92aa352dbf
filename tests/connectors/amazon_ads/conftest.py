"""The Ads tests share the SP-API tests' token-cache fixture (one LWA cache serves both)."""

from tests.connectors.amazon_sp.support import fresh_tokens

__all__ = ["fresh_tokens"]
