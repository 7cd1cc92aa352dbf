"""Amazon Ads API connector: advertiser profiles and the Sponsored Products campaign and
advertised-product reports.

Every stream is ``sync_<stream>(con, settings, *, run_id, now) -> StreamRun`` and lands into the
``raw`` schema (see docs/contracts.md and connectors/raw_tables.py).
"""

from connectors.amazon_ads.settings import AmazonAdsSettings
from connectors.amazon_ads.streams import (
    fetch_sp_campaign_report,
    sync_profiles,
    sync_sp_advertised_products,
    sync_sp_campaigns,
)

__all__ = [
    "AmazonAdsSettings",
    "fetch_sp_campaign_report",
    "sync_profiles",
    "sync_sp_advertised_products",
    "sync_sp_campaigns",
]
