"""The SP-API tests' own fixture (defined in support.py, shared with the Ads tests); the
warehouse and retry fixtures come from tests/connectors/conftest.py."""

from tests.connectors.amazon_sp.support import fresh_tokens

__all__ = ["fresh_tokens"]
