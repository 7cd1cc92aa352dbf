"""FX reference-rate connector: ``sync_rates`` into ``raw.fx_rates``."""

from connectors.fx.settings import FxSettings
from connectors.fx.streams import sync_rates

__all__ = ["FxSettings", "sync_rates"]
