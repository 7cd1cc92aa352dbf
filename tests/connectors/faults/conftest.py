"""The fault tests' own fixture: no cached LWA token survives a test (the warehouse and the
recorded retry waits come from tests/connectors/conftest.py)."""

from tests.connectors.amazon_sp.support import fresh_tokens

__all__ = ["fresh_tokens"]
