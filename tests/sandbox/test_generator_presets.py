"""The sizes the benchmark runs: named presets, and the two knobs that only they turn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sandbox import ads
from sandbox.generator import PRESETS, SellerConfig, generate, preset
from tests.sandbox.conftest import AS_OF, TINY


def test_small_is_the_default_seller_and_medium_a_seller_year() -> None:
    assert preset("small", as_of=AS_OF) == SellerConfig(as_of=AS_OF)
    medium = preset("medium", as_of=AS_OF)
    assert (medium.days, medium.orders_per_day, medium.skus) == (365, 1_370, 3_300)
    # 4 channels x 365 days x 1,370 orders a day = 2,000,200 orders
    assert 4 * medium.days * medium.orders_per_day == 2_000_200
    # 3 marketplaces x 365 days x 3,300 SKUs = 3,613,500 ledger rows (inventory snapshots)
    assert 3 * medium.days * medium.skus == 3_613_500
    with pytest.raises(ValueError, match="unknown preset"):
        preset("huge")
    assert set(PRESETS) == {"small", "medium"}


def test_the_knobs_at_their_defaults_leave_every_record_as_it_was() -> None:
    explicit = replace(TINY, campaigns_per_profile=None, extra_lines=0)

    assert generate(explicit).dump() == generate(TINY).dump()


def test_more_campaigns_keep_the_named_ones_and_share_the_same_sales() -> None:
    data = generate(replace(TINY, campaigns_per_profile=14))
    named = generate(TINY).profiles

    for profile, original in zip(data.profiles, named, strict=True):
        assert len(profile.campaigns) == 14
        assert [c.campaign_id for c in profile.campaigns[:6]] == [
            c.campaign_id for c in original.campaigns
        ]
        assert len({c.campaign_id for c in profile.campaigns}) == 14
        assert profile.campaigns[6].name == f"{ads.CAMPAIGN_NAMES[0]} 2"
        assert sum(c.sales_weight for c in profile.campaigns) == pytest.approx(1.0)
        # copies of the zero-sales campaign never sell either
        assert profile.campaigns[10].sales_weight == 0.0
    days = len(data.markets["US"].ledger_days)
    assert len(data.campaign_days[data.profiles[0].profile_id]) == 14 * days


def test_extra_lines_add_lines_to_orders_and_nothing_else_about_the_seller() -> None:
    plain = generate(TINY)
    more = generate(replace(TINY, extra_lines=2))

    def lines(data) -> int:
        amazon = sum(len(o.items) for m in data.markets.values() for o in m.orders)
        return amazon + sum(len(o.lines) for o in data.shopify_orders)

    assert lines(more) > lines(plain)
    assert len(more.amazon_orders_by_update) == len(plain.amazon_orders_by_update)
    assert len(more.shopify_orders) == len(plain.shopify_orders)
    with pytest.raises(ValueError, match="extra_lines"):
        replace(TINY, extra_lines=-1)
    with pytest.raises(ValueError, match="campaigns_per_profile"):
        replace(TINY, campaigns_per_profile=3)


def test_the_ledger_is_listed_by_day_then_msku_one_row_per_sku_and_day() -> None:
    data = generate(replace(TINY, skus=12))
    market = data.markets["DE"]
    rows = list(market.ledger)

    assert len(rows) == len(market.ledger) == 12 * len(market.ledger_days)
    order = [(r["Date"][6:], r["Date"][:5], r["MSKU"]) for r in rows]
    assert order == sorted(order)
    assert market.ledger[-1] == rows[-1] and market.ledger[3] == rows[3]
    assert market.ledger[2:4] == rows[2:4]
    for row in rows:  # the report's identity holds on every row
        assert int(row["EndingWarehouseBalance"]) == (
            int(row["StartingWarehouseBalance"])
            + int(row["Receipts"])
            + int(row["CustomerShipments"])
            + int(row["CustomerReturns"])
            + int(row["WarehouseTransferIn/Out"])
        )


def test_ads_days_keeps_the_last_days_of_ads_and_each_of_them_as_it_was() -> None:
    full = generate(TINY)
    recent = generate(replace(TINY, ads_days=3))

    for profile in full.profiles:
        rows = full.ads_rows_json(profile.profile_id)
        kept = recent.ads_rows_json(profile.profile_id)
        last_days = sorted({row["date"] for row in rows})[-3:]
        assert kept == [row for row in rows if row["date"] in last_days]
    assert recent.amazon_orders_json() == full.amazon_orders_json()
    with pytest.raises(ValueError, match="ads_days"):
        replace(TINY, ads_days=0)
