"""Amazon Ads: one profile per marketplace, its Sponsored Products campaigns and their ads, per day.

Grain: one row per profile, campaign and profile-local day (the ``spCampaigns`` report), and one
per profile, ad and day (the ``spAdvertisedProduct`` report: an ad is one catalogue SKU in a
campaign's ad group). A campaign-day's attributed purchases are drawn once, each with the number
of days after the click it happened (its lag); a row served at ``as_of`` counts only purchases
whose day has completed, so the last week's ``sales7d`` still grows from one night to the next,
as the real reports restate. Attributed sales of a marketplace-day stay below a third of that
day's net item sales, and one campaign per profile spends without ever selling (the zero-sales
case a KPI must not divide by).

Ads split their campaign-day exactly: impressions, clicks, cost and every attributed purchase of
a campaign-day are shared out among its ads, so the advertised-product rows of a day and
campaign add up to the campaign row in every column. Each campaign advertises a few SKUs drawn
once; the auto campaign also advertises, for a whole 30-day stock-out block, every SKU that runs
out of stock in that block (sandbox.amazon.stockout_windows) and keeps spending on it through the
stock-out: the wasted spend the cross-domain KPI exists to show. Purchases go to ads of SKUs in
stock that day when the campaign has one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.amazon import (
    STOCKOUT_BLOCK_DAYS,
    STOCKOUT_EPOCH,
    MarketplaceData,
    stockout_windows,
    unique_digits,
)
from sandbox.catalog import Channel, Sku, money_number

CAMPAIGN_NAMES = (
    "SP | Auto | All products",
    "SP | Exact | Brand terms",
    "SP | Broad | Mugs and cups",
    "SP | Phrase | Kitchen tools",
    "SP | Product targeting | Competitors",
    "SP | Exact | Bottles",
)
ZERO_SALES_CAMPAIGN = 4  # spends, never converts
SELLER_ID = "A3SANDBOXSELLER1"

# every column a row can carry; a report returns only the requested ones
ROW_COLUMNS = (
    "date", "startDate", "endDate", "campaignId", "campaignName", "campaignStatus",
    "campaignBudgetAmount", "campaignBudgetCurrencyCode", "campaignBudgetType", "impressions",
    "clicks", "cost", "purchases1d", "purchases7d", "purchases14d", "purchases30d", "sales1d",
    "sales7d", "sales14d", "sales30d", "unitsSoldClicks1d", "unitsSoldClicks7d",
    "unitsSoldClicks14d", "unitsSoldClicks30d",
)  # fmt: skip
# every column an advertised-product row can carry (groupBy ["advertiser"])
PRODUCT_ROW_COLUMNS = (
    "date", "startDate", "endDate", "campaignId", "campaignName", "adGroupId", "adGroupName",
    "adId", "advertisedAsin", "advertisedSku", "campaignBudgetCurrencyCode", "impressions",
    "clicks", "cost", "purchases1d", "purchases7d", "purchases14d", "purchases30d", "sales1d",
    "sales7d", "sales14d", "sales30d", "unitsSoldClicks1d", "unitsSoldClicks7d",
    "unitsSoldClicks14d", "unitsSoldClicks30d",
)  # fmt: skip
WINDOWS = (("1d", 0), ("7d", 6), ("14d", 13), ("30d", 29))
AUTO_CAMPAIGN = 0  # advertises, besides its own picks, every SKU that runs out in the block
ADS_PER_CAMPAIGN = (2, 4)  # SKUs each campaign picks from the catalogue


@dataclass(frozen=True)
class Campaign:
    campaign_id: int
    name: str
    budget: int  # minor units per day
    sales_weight: float


@dataclass
class Profile:
    profile_id: int
    channel: Channel
    campaigns: tuple[Campaign, ...]


@dataclass(slots=True)
class CampaignDay:
    """One campaign-day and its attributed purchases ``(lag_days, units, sales_minor)``."""

    day: date
    campaign: Campaign
    impressions: int
    clicks: int
    cost: int
    purchases: list[tuple[int, int, int]]


@dataclass(frozen=True)
class Ad:
    """One Sponsored Products ad: a catalogue SKU in a campaign's (single) ad group."""

    ad_id: int
    ad_group_id: int
    sku: Sku


@dataclass(slots=True)
class AdDay:
    """One ad's share of a campaign-day: its part of every count and of the purchases."""

    day: date
    campaign: Campaign
    ad: Ad
    impressions: int
    clicks: int
    cost: int
    purchases: list[tuple[int, int, int]]


def build_profiles(seed: int, channels: Sequence[Channel]) -> list[Profile]:
    profiles = []
    for position, channel in enumerate(channels):
        rng = random.Random(f"{seed}|ads|profile|{channel.key}")
        profile_id = 10**15 + int(unique_digits(seed * 16 + position, 4_242_424, 15))
        weights = [rng.uniform(0.5, 2.0) for _ in CAMPAIGN_NAMES]
        weights[ZERO_SALES_CAMPAIGN] = 0.0
        total = sum(weights)
        campaigns = tuple(
            Campaign(
                campaign_id=10**14 + int(unique_digits(profile_id * 8 + index, 9_191, 14)),
                name=name,
                budget=rng.choice((20, 30, 50)) * 100,  # 20-50 USD/EUR a day, or 2,000-5,000 yen
                sales_weight=weights[index] / total,
            )
            for index, name in enumerate(CAMPAIGN_NAMES)
        )
        profiles.append(Profile(profile_id=profile_id, channel=channel, campaigns=campaigns))
    return profiles


def build_campaign_days(
    seed: int, profile: Profile, market: MarketplaceData, orders_per_day: int
) -> list[CampaignDay]:
    """Every campaign-day of the marketplace's complete local days."""
    channel = profile.channel
    day_sales: dict[date, int] = {}
    day_orders: dict[date, int] = {}
    for order in market.orders:
        if order.cancel_ts:
            continue
        day_sales[order.local_day] = day_sales.get(order.local_day, 0) + order.net_sales
        day_orders[order.local_day] = day_orders.get(order.local_day, 0) + 1
    scale = max(orders_per_day, 1) / 30.0
    jpy = channel.currency == "JPY"
    rows = []
    for day in market.ledger_days:
        share_rng = random.Random(f"{seed}|ads|share|{channel.key}|{day.isoformat()}")
        share = share_rng.uniform(0.10, 0.30)
        sales = day_sales.get(day, 0)
        average = sales / day_orders[day] if day_orders.get(day) else 0
        for index, campaign in enumerate(profile.campaigns):
            rng = random.Random(f"{seed}|ads|{channel.key}|{index}|{day.isoformat()}")
            impressions = int(rng.uniform(300, 4000) * scale) + rng.randint(0, 50)
            ctr = rng.uniform(0.002, 0.012)
            clicks = min(impressions, int(round(impressions * ctr)))
            cpc = rng.randint(40, 160) if jpy else rng.randint(35, 160)
            cost = clicks * cpc
            target = sales * share * campaign.sales_weight
            dry = rng.random() < 0.1
            purchases = []
            if average and not dry and index != ZERO_SALES_CAMPAIGN:
                count = int(round(target / average))
                value = int(target // count) if count else 0
                for _ in range(count):
                    roll = rng.random()
                    if roll < 0.55:
                        lag = 0
                    elif roll < 0.9:
                        lag = rng.randint(1, 6)
                    elif roll < 0.97:
                        lag = rng.randint(7, 13)
                    else:
                        lag = rng.randint(14, 29)
                    purchases.append((lag, rng.randint(1, 2), value))
            rows.append(CampaignDay(day, campaign, impressions, clicks, cost, purchases))
    return rows


def ad_group_id(campaign: Campaign) -> int:
    return 10**14 + int(unique_digits(campaign.campaign_id * 2 + 1, 5_150, 14))


def _ad(campaign: Campaign, catalog: Sequence[Sku], index: int) -> Ad:
    number = campaign.campaign_id * 4_096 + index
    return Ad(
        ad_id=10**14 + int(unique_digits(number, 6_061, 14)),
        ad_group_id=ad_group_id(campaign),
        sku=catalog[index],
    )


def _picked_skus(seed: int, channel: Channel, index: int, catalog: Sequence[Sku]) -> list[int]:
    """The catalogue indexes a campaign advertises, drawn once (popular SKUs more often)."""
    rng = random.Random(f"{seed}|ads|skus|{channel.key}|{index}")
    count = min(rng.randint(*ADS_PER_CAMPAIGN), len(catalog))
    weights = [sku.popularity for sku in catalog]
    picked: list[int] = []
    while len(picked) < count:
        choice = rng.choices(range(len(catalog)), weights)[0]
        if choice not in picked:
            picked.append(choice)
    return sorted(picked)


def _block_stockout_skus(
    seed: int, channel: Channel, catalog: Sequence[Sku], block: int
) -> set[int]:
    """Catalogue indexes with a stock-out window in the 30-day block (absolute calendar)."""
    first = STOCKOUT_EPOCH + timedelta(days=block * STOCKOUT_BLOCK_DAYS)
    last = first + timedelta(days=STOCKOUT_BLOCK_DAYS - 1)
    return {
        index
        for index, sku in enumerate(catalog)
        if stockout_windows(seed, channel, sku, first, last)
    }


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder: the parts add up)."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for position in by_remainder[: total - sum(parts)]:
        parts[position] += 1
    return parts


def build_ad_days(
    seed: int,
    profile: Profile,
    market: MarketplaceData,
    catalog: Sequence[Sku],
    campaign_days: Sequence[CampaignDay],
) -> list[AdDay]:
    """Every campaign-day shared out among the ads the campaign runs that day.

    Depends only on the seed, the campaign-days and the catalogue's absolute stock-out calendar,
    so a day's ad rows are the same whatever the history length or ``as_of``.
    """
    channel = profile.channel
    picked = {
        index: _picked_skus(seed, channel, index, catalog)
        for index in range(len(profile.campaigns))
    }
    positions = {campaign.campaign_id: index for index, campaign in enumerate(profile.campaigns)}
    blocked: dict[date, set[str]] = {}
    for sku, windows in market.stockouts.items():
        for start, end, _lead in windows:
            for offset in range((end - start).days):
                blocked.setdefault(start + timedelta(days=offset), set()).add(sku)
    block_skus: dict[int, set[int]] = {}
    rows: list[AdDay] = []
    for campaign_day in campaign_days:
        day, campaign = campaign_day.day, campaign_day.campaign
        index = positions[campaign.campaign_id]
        skus = set(picked[index])
        if index == AUTO_CAMPAIGN:
            block = (day - STOCKOUT_EPOCH).days // STOCKOUT_BLOCK_DAYS
            if block not in block_skus:
                block_skus[block] = _block_stockout_skus(seed, channel, catalog, block)
            skus |= block_skus[block]
        ads = [_ad(campaign, catalog, sku_index) for sku_index in sorted(skus)]
        rows.extend(_share_out(seed, channel, campaign_day, ads, blocked.get(day, set())))
    return rows


def _share_out(
    seed: int, channel: Channel, row: CampaignDay, ads: list[Ad], out_of_stock: set[str]
) -> list[AdDay]:
    rng = random.Random(f"{seed}|ads|split|{channel.key}|{row.campaign.campaign_id}|{row.day}")
    weights = [ad.sku.popularity**0.5 * rng.uniform(0.5, 1.5) for ad in ads]
    impressions = _split(row.impressions, weights)
    clicks = [0] * len(ads)
    for _ in range(row.clicks):  # one at a time: an ad never gets more clicks than impressions
        room = [impressions[i] - clicks[i] for i in range(len(ads))]
        clicks[rng.choices(range(len(ads)), room)[0]] += 1
    cpc = row.cost // row.clicks if row.clicks else 0  # the campaign's cost is clicks x cpc
    in_stock = [i for i, ad in enumerate(ads) if ad.sku.sku not in out_of_stock]
    buyers = in_stock or list(range(len(ads)))
    shares: list[list[tuple[int, int, int]]] = [[] for _ in ads]
    for purchase in row.purchases:
        chance = [clicks[i] + impressions[i] / 1000 + 0.01 for i in buyers]
        shares[buyers[rng.choices(range(len(buyers)), chance)[0]]].append(purchase)
    return [
        AdDay(row.day, row.campaign, ad, impressions[i], clicks[i], clicks[i] * cpc, shares[i])
        for i, ad in enumerate(ads)
        if impressions[i] or shares[i]
    ]


def _attributed(
    purchases: Sequence[tuple[int, int, int]], day: date, today: date, currency: str
) -> dict:
    """purchasesNd, salesNd, unitsSoldClicksNd as served on ``today``: completed days only."""
    record: dict = {}
    for suffix, max_lag in WINDOWS:
        seen = [
            purchase
            for purchase in purchases
            if purchase[0] <= max_lag and day + timedelta(days=purchase[0]) < today
        ]
        record[f"purchases{suffix}"] = len(seen)
        record[f"sales{suffix}"] = money_number(sum(p[2] for p in seen), currency)
        record[f"unitsSoldClicks{suffix}"] = sum(p[1] for p in seen)
    return record


def ad_day_json(row: AdDay, channel: Channel, today: date) -> dict:
    """The advertised-product row as served on ``today`` (profile-local)."""
    currency = channel.currency
    return {
        "date": row.day.isoformat(),
        "startDate": row.day.isoformat(),
        "endDate": row.day.isoformat(),
        "campaignId": row.campaign.campaign_id,
        "campaignName": row.campaign.name,
        "adGroupId": row.ad.ad_group_id,
        "adGroupName": "Ad group 1",
        "adId": row.ad.ad_id,
        "advertisedAsin": row.ad.sku.asin,
        "advertisedSku": row.ad.sku.sku,
        "campaignBudgetCurrencyCode": currency,
        "impressions": row.impressions,
        "clicks": row.clicks,
        "cost": money_number(row.cost, currency),
        **_attributed(row.purchases, row.day, today, currency),
    }


def campaign_day_json(row: CampaignDay, channel: Channel, today: date) -> dict:
    """The row as served on ``today`` (profile-local): purchases of unfinished days excluded."""
    currency = channel.currency
    record: dict = {
        "date": row.day.isoformat(),
        "startDate": row.day.isoformat(),
        "endDate": row.day.isoformat(),
        "campaignId": row.campaign.campaign_id,
        "campaignName": row.campaign.name,
        "campaignStatus": "ENABLED",
        "campaignBudgetAmount": money_number(row.campaign.budget, currency),
        "campaignBudgetCurrencyCode": currency,
        "campaignBudgetType": "DAILY_BUDGET",
        "impressions": row.impressions,
        "clicks": row.clicks,
        "cost": money_number(row.cost, currency),
    }
    record.update(_attributed(row.purchases, row.day, today, currency))
    return record


def summarize(records: list[dict], start: str, end: str, key: str = "campaignId") -> list[dict]:
    """``timeUnit: SUMMARY``: one row per campaign (or per ``key``, e.g. adId) over the range."""
    totals: dict[int, dict] = {}
    for record in records:
        total = totals.get(record[key])
        if total is None:
            totals[record[key]] = dict(record, startDate=start, endDate=end)
            continue
        for column, value in record.items():
            if column.startswith(("impressions", "clicks", "cost", "purchases", "sales", "units")):
                total[column] = round(total[column] + value, 2)
    return list(totals.values())


def profile_json(profile: Profile) -> dict:
    channel = profile.channel
    return {
        "profileId": profile.profile_id,
        "countryCode": channel.country,
        "currencyCode": channel.currency,
        "dailyBudget": 999999999.0,
        "timezone": channel.timezone,
        "accountInfo": {
            "marketplaceStringId": channel.marketplace_id,
            "id": SELLER_ID,
            "type": "seller",
            "name": "Sandbox Housewares",
            "validPaymentMethod": True,
        },
    }
