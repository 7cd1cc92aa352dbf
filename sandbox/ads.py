"""Amazon Ads: one profile per marketplace and its Sponsored Products campaigns, per day.

Grain: one row per profile, campaign and profile-local day. A campaign-day's attributed
purchases are drawn once, each with the number of days after the click it happened (its lag);
a row served at ``as_of`` counts only purchases whose day has completed, so the last week's
``sales7d`` still grows from one night to the next, as the real reports restate.
Attributed sales of a marketplace-day stay below a third of that day's net item sales, and one
campaign per profile spends without ever selling (the zero-sales case a KPI must not divide by).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.amazon import MarketplaceData, unique_digits
from sandbox.catalog import Channel, money_number

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
WINDOWS = (("1d", 0), ("7d", 6), ("14d", 13), ("30d", 29))


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
    for suffix, max_lag in WINDOWS:
        seen = [
            purchase
            for purchase in row.purchases
            if purchase[0] <= max_lag and row.day + timedelta(days=purchase[0]) < today
        ]
        record[f"purchases{suffix}"] = len(seen)
        record[f"sales{suffix}"] = money_number(sum(p[2] for p in seen), currency)
        record[f"unitsSoldClicks{suffix}"] = sum(p[1] for p in seen)
    return record


def summarize(records: list[dict], currency: str, start: str, end: str) -> list[dict]:
    """``timeUnit: SUMMARY``: one row per campaign over the whole range."""
    totals: dict[int, dict] = {}
    for record in records:
        total = totals.get(record["campaignId"])
        if total is None:
            totals[record["campaignId"]] = dict(record, startDate=start, endDate=end)
            continue
        for key, value in record.items():
            if key.startswith(("impressions", "clicks", "cost", "purchases", "sales", "units")):
                total[key] = round(total[key] + value, 2)
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
