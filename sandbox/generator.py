"""The synthetic seller: ``generate(SellerConfig(...))`` -> :class:`SellerData`.

One seller with Amazon US, DE and JP (fulfilled by Amazon), one Shopify store in the UK, an
Amazon Ads profile per marketplace, a Zendesk help desk and daily FX reference rates.

Determinism: every random draw comes from a stream seeded by ``config.seed``, the platform and
the (local) day it belongs to; the wall clock is never read here (only the default ``as_of``
reads it, when the config is made). The same config therefore gives byte-identical records,
and the orders and tickets of a given day are the same for any ``as_of`` or history length:
a later ``as_of`` only reveals more of each record's pre-drawn future (shipments, refunds,
replies). ``SellerData`` keeps compact records; the ``*_json`` / ``*_rows`` methods render the
exact shapes the sandbox server returns, so tests can compute expectations from them.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from sandbox import ads, amazon, shopify, zendesk
from sandbox.amazon import unique_digits
from sandbox.catalog import AMAZON_MARKETPLACES, SHOPIFY_STORE, Channel, Sku, build_catalog
from sandbox.clock import days_between, epoch, local_date
from sandbox.fx import FxSeries, published_through

log = logging.getLogger("sandbox.generator")


def this_hour() -> datetime:
    """Now, floored to the hour, in UTC: the default ``as_of``."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class SellerConfig:
    """Size and moment of the synthetic seller.

    ``orders_per_day`` is per sales channel (each Amazon marketplace and the Shopify store);
    ``days`` is the length of history before ``as_of``'s local day, which is served up to
    ``as_of`` itself. Three knobs exist for larger sellers (``PRESETS``) and leave the default
    seller untouched: ``campaigns_per_profile`` (None: the six named campaigns),
    ``extra_lines`` (each order gets 0 to that many more lines) and ``ads_days`` (None: ads for
    every day of history; Amazon Ads serves reports of the last 95 days only, so a long history
    needs no more).
    """

    seed: int = 7
    days: int = 90
    orders_per_day: int = 30
    skus: int = 200
    tickets_per_day: int = 25
    as_of: datetime = field(default_factory=this_hour)
    campaigns_per_profile: int | None = None
    extra_lines: int = 0
    ads_days: int | None = None

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            raise ValueError("SellerConfig.as_of must be timezone-aware")
        object.__setattr__(self, "as_of", self.as_of.astimezone(UTC))
        for name in ("days", "orders_per_day", "skus", "tickets_per_day"):
            if getattr(self, name) < 1:
                raise ValueError(f"SellerConfig.{name} must be at least 1")
        if self.campaigns_per_profile is not None and self.campaigns_per_profile < len(
            ads.CAMPAIGN_NAMES
        ):
            raise ValueError(
                f"SellerConfig.campaigns_per_profile must be at least {len(ads.CAMPAIGN_NAMES)}"
            )
        if self.extra_lines < 0:
            raise ValueError("SellerConfig.extra_lines must not be negative")
        if self.ads_days is not None and self.ads_days < 1:
            raise ValueError("SellerConfig.ads_days must be at least 1")


# Named sizes (``preset(name)``), run by the benchmark (bench/, ``make bench``).
PRESETS: dict[str, dict[str, int]] = {
    # the default demo seller, as `make run` serves it
    "small": {},
    # a mid-size seller's year: 4 channels x 365 days x 1,370 orders = 2.0 M orders with about
    # 2.4 lines each (4.8 M lines), 3 x 365 x 3,300 SKUs = 3.6 M ledger rows (inventory
    # snapshots), 0.5 M tickets with 1.7 M comments; ads for the 95 days Amazon Ads serves:
    # 3 x 95 x 2,742 = 0.8 M daily campaign rows, shared out into about 2.5 M daily
    # advertised-product rows (a year of them accumulates night by night)
    "medium": {
        "days": 365,
        "orders_per_day": 1_370,
        "skus": 3_300,
        "tickets_per_day": 1_370,
        "campaigns_per_profile": 2_742,
        "extra_lines": 2,
        "ads_days": 95,
    },
}


def preset(name: str, **overrides: object) -> SellerConfig:
    """The config of a named size; ``overrides`` (e.g. ``as_of``) replace its fields."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    return SellerConfig(**{**PRESETS[name], **overrides})


def local_days(config: SellerConfig, timezone: str) -> list[date]:
    """``days`` complete local days before ``as_of``'s local day, then that (partial) day."""
    today = local_date(epoch(config.as_of), timezone)
    return days_between(today - timedelta(days=config.days), today)


class SellerData:
    """Everything generated for one config; compact inside, platform-shaped on request."""

    def __init__(self, config: SellerConfig) -> None:
        self.config = config
        self.as_of = epoch(config.as_of)
        self.catalog: tuple[Sku, ...] = ()
        self.markets: dict[str, amazon.MarketplaceData] = {}
        self.profiles: list[ads.Profile] = []
        self.campaign_days: dict[int, list[ads.CampaignDay]] = {}
        self.ad_days: dict[int, list[ads.AdDay]] = {}
        self.shopify_orders: list[shopify.ShopifyOrder] = []
        self.users: list[zendesk.User] = []
        self.tickets: list[zendesk.Ticket] = []
        self.fx = FxSeries(config.seed)
        # the base every served URL is built on; the server sets it to its own address
        self.base_url = "http://127.0.0.1"

    # -- lookups the server uses ------------------------------------------------------------

    @property
    def marketplace_ids(self) -> list[str]:
        return [channel.marketplace_id for channel in AMAZON_MARKETPLACES]

    def market(self, marketplace_id: str) -> amazon.MarketplaceData | None:
        for data in self.markets.values():
            if data.channel.marketplace_id == marketplace_id:
                return data
        return None

    @cached_property
    def amazon_orders_by_update(self) -> list[amazon.AmazonOrder]:
        orders = [order for data in self.markets.values() for order in data.orders]
        orders.sort(key=lambda order: (order.last_update_ts, order.order_id))
        return orders

    @cached_property
    def amazon_orders_by_purchase(self) -> list[amazon.AmazonOrder]:
        orders = [order for data in self.markets.values() for order in data.orders]
        orders.sort(key=lambda order: (order.purchase_ts, order.order_id))
        return orders

    @cached_property
    def amazon_orders_by_id(self) -> dict[str, amazon.AmazonOrder]:
        return {order.order_id: order for order in self.amazon_orders_by_update}

    @cached_property
    def amazon_refunds(self) -> list[amazon.AmazonRefund]:
        """Refunds posted by ``as_of``, oldest first."""
        refunds = [
            order.refund
            for order in self.amazon_orders_by_update
            if order.refund and order.refund.posted_ts <= self.as_of
        ]
        refunds.sort(key=lambda refund: (refund.posted_ts, refund.order.order_id))
        return refunds

    @cached_property
    def shopify_by_id_desc(self) -> list[shopify.ShopifyOrder]:
        return sorted(self.shopify_orders, key=lambda order: -order.order_id)

    @cached_property
    def tickets_by_generated(self) -> list[zendesk.Ticket]:
        return sorted(self.tickets, key=lambda ticket: (ticket.generated_ts, ticket.ticket_id))

    @cached_property
    def tickets_by_id(self) -> dict[int, zendesk.Ticket]:
        return {ticket.ticket_id: ticket for ticket in self.tickets}

    @cached_property
    def users_by_updated(self) -> list[zendesk.User]:
        return sorted(self.users, key=lambda user: (user.updated_ts(self.as_of), user.user_id))

    def profile(self, profile_id: int) -> ads.Profile | None:
        return next((p for p in self.profiles if p.profile_id == profile_id), None)

    def shipped_items(
        self, marketplace_id: str
    ) -> list[tuple[amazon.AmazonOrder, amazon.AmazonItem]]:
        """Items of the marketplace shipped by ``as_of``, in shipment order."""
        data = self.market(marketplace_id)
        if data is None:
            return []
        shipped = [
            (order, item)
            for order in data.orders
            for item in order.items
            if 0 < item.ship_ts <= self.as_of
        ]
        shipped.sort(key=lambda pair: (pair[1].ship_ts, pair[1].shipment_item_id))
        return shipped

    # -- platform shapes ---------------------------------------------------------------------

    def amazon_orders_json(self, marketplace_id: str | None = None) -> list[dict]:
        """getOrders records, oldest LastUpdateDate first."""
        return [
            amazon.order_json(order)
            for order in self.amazon_orders_by_update
            if marketplace_id is None or order.channel.marketplace_id == marketplace_id
        ]

    def amazon_order_items_json(self, order_id: str) -> list[dict]:
        order = self.amazon_orders_by_id[order_id]
        return [amazon.item_json(order, item, self.as_of) for item in order.items]

    def amazon_refund_events_json(self) -> list[dict]:
        return [amazon.refund_event_json(refund) for refund in self.amazon_refunds]

    def amazon_inventory_json(self, marketplace_id: str) -> list[dict]:
        data = self.market(marketplace_id)
        return list(data.inventory) if data else []

    def amazon_ledger_rows(self, marketplace_id: str) -> list[dict[str, str]]:
        data = self.market(marketplace_id)
        return list(data.ledger) if data else []

    def amazon_shipment_rows(self, marketplace_id: str) -> list[dict[str, str]]:
        return [amazon.shipment_row(o, i) for o, i in self.shipped_items(marketplace_id)]

    def ads_profiles_json(self) -> list[dict]:
        return [ads.profile_json(profile) for profile in self.profiles]

    def ads_rows_json(self, profile_id: int) -> list[dict]:
        """Every daily campaign row of the profile as a report would carry it at ``as_of``."""
        profile = self.profile(profile_id)
        if profile is None:
            return []
        today = local_date(self.as_of, profile.channel.timezone)
        return [
            ads.campaign_day_json(row, profile.channel, today)
            for row in self.campaign_days[profile_id]
        ]

    def ads_product_rows_json(self, profile_id: int) -> list[dict]:
        """Every daily advertised-product row of the profile as a report would carry it."""
        profile = self.profile(profile_id)
        if profile is None:
            return []
        today = local_date(self.as_of, profile.channel.timezone)
        return [ads.ad_day_json(row, profile.channel, today) for row in self.ad_days[profile_id]]

    def shopify_shop_json(self) -> dict:
        first = local_days(self.config, SHOPIFY_STORE.timezone)[0]
        return shopify.shop_json(shopify.shop_created_ts(first))

    def shopify_orders_json(self) -> list[dict]:
        """orders.json records, newest id first (the API's default order)."""
        return [shopify.order_json(order, self.as_of) for order in self.shopify_by_id_desc]

    def zendesk_tickets_json(self) -> list[dict]:
        """Incremental export records, by generated_timestamp then id."""
        return [
            zendesk.ticket_json(ticket, self.as_of, self.base_url)
            for ticket in self.tickets_by_generated
        ]

    def zendesk_comments_json(self, ticket_id: int) -> list[dict]:
        ticket = self.tickets_by_id[ticket_id]
        return [
            zendesk.comment_json(ticket, item)
            for item in zendesk.visible_comments(ticket, self.as_of)
        ]

    def zendesk_users_json(self) -> list[dict]:
        return [
            zendesk.user_json(user, self.as_of, self.base_url) for user in self.users_by_updated
        ]

    def fx_rates(
        self, start: date, end: date, base: str = "USD", symbols: tuple[str, ...] = ()
    ) -> dict[str, dict[str, float]]:
        """Rates published by ``as_of`` for the working days in ``[start, end]``."""
        end = min(end, published_through(self.as_of))
        return self.fx.series(start, end, base, symbols) if start <= end else {}

    def dump(self) -> bytes:
        """Every record of every platform as canonical JSON lines (for determinism checks)."""
        first = min(data.ledger_days[0] for data in self.markets.values() if data.ledger_days)
        sections: list[tuple[str, object]] = [
            ("amazon_orders", self.amazon_orders_json()),
            (
                "amazon_order_items",
                {
                    o.order_id: self.amazon_order_items_json(o.order_id)
                    for o in self.amazon_orders_by_update
                },
            ),
            ("amazon_refund_events", self.amazon_refund_events_json()),
            ("ads_profiles", self.ads_profiles_json()),
            ("shopify_shop", self.shopify_shop_json()),
            ("shopify_orders", self.shopify_orders_json()),
            ("zendesk_tickets", self.zendesk_tickets_json()),
            ("zendesk_users", self.zendesk_users_json()),
            ("fx", self.fx_rates(first, local_date(self.as_of, "UTC"))),
        ]
        for mp in self.marketplace_ids:
            sections.append((f"inventory {mp}", self.amazon_inventory_json(mp)))
            sections.append((f"ledger {mp}", self.amazon_ledger_rows(mp)))
            sections.append((f"shipments {mp}", self.amazon_shipment_rows(mp)))
        for profile in self.profiles:
            sections.append((f"ads {profile.profile_id}", self.ads_rows_json(profile.profile_id)))
            products = self.ads_product_rows_json(profile.profile_id)
            sections.append((f"ad products {profile.profile_id}", products))
        for ticket in self.tickets_by_generated:
            comments = self.zendesk_comments_json(ticket.ticket_id)
            sections.append((f"comments {ticket.ticket_id}", comments))
        lines = [
            json.dumps([name, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            for name, body in sections
        ]
        return "\n".join(lines).encode("utf-8")


def generate(config: SellerConfig) -> SellerData:
    """Draw the whole seller for ``config``; cost grows linearly with days x orders."""
    started = time.monotonic()
    data = SellerData(config)
    data.catalog = build_catalog(config.seed, config.skus)
    for channel in AMAZON_MARKETPLACES:
        days = local_days(config, channel.timezone)
        market = amazon.generate_marketplace(
            seed=config.seed,
            channel=channel,
            catalog=data.catalog,
            days=days,
            orders_per_day=config.orders_per_day,
            as_of=data.as_of,
            extra_lines=config.extra_lines,
        )
        amazon.build_ledger(market, data.catalog, days, data.as_of)
        data.markets[channel.key] = market
    data.profiles = ads.build_profiles(config.seed, AMAZON_MARKETPLACES)
    ads_scale = config.orders_per_day
    if config.campaigns_per_profile is not None:
        data.profiles = [_with_campaigns(p, config.campaigns_per_profile) for p in data.profiles]
        # the same traffic per profile, shared among more campaigns
        share = len(ads.CAMPAIGN_NAMES) / config.campaigns_per_profile
        ads_scale = max(1, round(config.orders_per_day * share))
    for profile in data.profiles:
        market = data.markets[profile.channel.key]
        if config.ads_days is not None:  # the same rows for the days kept (seeded per day)
            market = replace(market, ledger_days=market.ledger_days[-config.ads_days :])
        data.campaign_days[profile.profile_id] = ads.build_campaign_days(
            config.seed, profile, market, ads_scale
        )
        data.ad_days[profile.profile_id] = ads.build_ad_days(
            config.seed, profile, market, data.catalog, data.campaign_days[profile.profile_id]
        )
    data.shopify_orders = shopify.generate_orders(
        seed=config.seed,
        catalog=data.catalog,
        days=local_days(config, SHOPIFY_STORE.timezone),
        orders_per_day=config.orders_per_day,
        as_of=data.as_of,
        extra_lines=config.extra_lines,
    )
    data.users, data.tickets = zendesk.generate(
        seed=config.seed,
        days=local_days(config, zendesk.ACCOUNT_TIMEZONE),
        tickets_per_day=config.tickets_per_day,
        as_of=data.as_of,
    )
    log.info(
        "generated seller seed=%d as_of=%s: %d Amazon orders, %d Shopify orders, "
        "%d tickets in %.1f s",
        config.seed,
        config.as_of.isoformat(),
        sum(len(m.orders) for m in data.markets.values()),
        len(data.shopify_orders),
        len(data.tickets),
        time.monotonic() - started,
    )
    return data


def _with_campaigns(profile: ads.Profile, count: int) -> ads.Profile:
    """The profile with ``count`` campaigns: the six named ones, then numbered copies of them
    (same budget, the same share of sales split among the copies; zero-sales ones stay so)."""
    named = profile.campaigns
    total = sum(named[index % len(named)].sales_weight for index in range(count))
    campaigns = list(named)
    for index in range(len(named), count):
        model = named[index % len(named)]
        number = profile.profile_id * 100_000 + index
        campaigns.append(
            ads.Campaign(
                campaign_id=10**14 + int(unique_digits(number, 9_193, 14)),
                name=f"{model.name} {index // len(named) + 1}",
                budget=model.budget,
                sales_weight=model.sales_weight,
            )
        )
    campaigns = [replace(c, sales_weight=c.sales_weight / total) for c in campaigns]
    if len({c.campaign_id for c in campaigns}) != count:
        raise ValueError(f"campaign ids of profile {profile.profile_id} collide; change seed")
    return replace(profile, campaigns=tuple(campaigns))


def channel_of(marketplace_id: str) -> Channel | None:
    return next((c for c in AMAZON_MARKETPLACES if c.marketplace_id == marketplace_id), None)
