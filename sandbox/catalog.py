"""The synthetic seller's fixed facts: sales channels, money rules and the SKU catalogue.

One seller sells the same catalogue on Amazon US, DE and JP (fulfilled by Amazon) and in one
Shopify store in the UK. Money is held as integers of the currency's minor unit (cents, or whole
yen: JPY has no minor unit) so that sums are exact; each platform formats it its own way.
The catalogue depends only on the seed and its size, so every channel and every day agree on it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Digits after the decimal point in each currency's amounts.
CURRENCY_EXPONENT = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0}


def money_text(minor: int, currency: str) -> str:
    """``1234`` cents -> ``"12.34"``; ``1980`` yen -> ``"1980"`` (no minor unit)."""
    exponent = CURRENCY_EXPONENT[currency]
    if exponent == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}.{part:0{exponent}d}"


def money_number(minor: int, currency: str) -> float:
    """The amount as a JSON number (Finances and Ads send numbers, not strings)."""
    exponent = CURRENCY_EXPONENT[currency]
    return round(minor / 10**exponent, exponent) if exponent else float(minor)


@dataclass(frozen=True)
class Channel:
    """One sales channel: an Amazon marketplace or the Shopify store."""

    key: str  # "US", "DE", "JP", "SHOPIFY"
    marketplace_id: str  # Amazon marketplace id; the shop domain for Shopify
    country: str
    currency: str
    timezone: str
    sales_channel: str  # Amazon's SalesChannel / MarketplaceName
    language: str  # "en", "de", "ja": which catalogue title is shown
    # Tax: US adds sales tax on top of the price; DE, JP and the UK store include VAT in it.
    tax_included: bool
    vat_rate_bp: int  # basis points of VAT included in prices (0 for the US)
    order_prefixes: tuple[str, ...]
    carriers: tuple[str, ...]
    fulfillment_centers: tuple[str, ...]


AMAZON_US = Channel(
    key="US",
    marketplace_id="ATVPDKIKX0DER",
    country="US",
    currency="USD",
    timezone="America/Los_Angeles",
    sales_channel="Amazon.com",
    language="en",
    tax_included=False,
    vat_rate_bp=0,
    order_prefixes=("111", "112", "113", "114"),
    carriers=("AMZN_US", "UPS", "USPS"),
    fulfillment_centers=("PHX7", "ONT8", "BFI4", "MDW2"),
)
AMAZON_DE = Channel(
    key="DE",
    marketplace_id="A1PA6795UKMFR9",
    country="DE",
    currency="EUR",
    timezone="Europe/Berlin",
    sales_channel="Amazon.de",
    language="de",
    tax_included=True,
    vat_rate_bp=1900,
    order_prefixes=("302", "303", "304", "028"),
    carriers=("DHL", "AMZN_DE", "DPD"),
    fulfillment_centers=("LEJ1", "FRA3", "MUC3", "DUS2"),
)
AMAZON_JP = Channel(
    key="JP",
    marketplace_id="A1VC38T7YXB528",
    country="JP",
    currency="JPY",
    timezone="Asia/Tokyo",
    sales_channel="Amazon.co.jp",
    language="ja",
    tax_included=True,
    vat_rate_bp=1000,
    order_prefixes=("249", "250", "503"),
    carriers=("YAMATO", "JAPANPOST", "SAGAWA"),
    fulfillment_centers=("NRT1", "KIX2", "HND3"),
)
AMAZON_MARKETPLACES: tuple[Channel, ...] = (AMAZON_US, AMAZON_DE, AMAZON_JP)

SHOP_DOMAIN = "sandbox-store.myshopify.com"
SHOPIFY_STORE = Channel(
    key="SHOPIFY",
    marketplace_id=SHOP_DOMAIN,
    country="GB",
    currency="GBP",
    timezone="Europe/London",
    sales_channel="Online Store",
    language="en",
    tax_included=True,
    vat_rate_bp=2000,
    order_prefixes=(),
    carriers=("Royal Mail", "DPD UK", "Evri"),
    fulfillment_centers=(),
)

# Rough USD -> currency factors used only to set list prices (not the FX rates served).
PRICE_FACTOR = {"USD": 1.0, "EUR": 0.93, "GBP": 0.80, "JPY": 150.0}

# (English, German, Japanese) product families and variants; the German titles carry the
# typographic quotes and umlauts a Cp1252 report file has to keep intact.
_FAMILIES = (
    ("Coffee Mug", "Kaffeebecher", "マグカップ"),
    ("Tea Infuser", "Tee-Ei", "茶こし"),
    ("Cutting Board", "Schneidebrett", "まな板"),
    ("Water Bottle", "Trinkflasche", "水筒"),
    ("Lunch Box", "Brotdose", "弁当箱"),
    ("Kitchen Scale", "Küchenwaage", "キッチンスケール"),
    ("Spice Grinder", "Gewürzmühle", "スパイスミル"),
    ("Oven Mitt", "Ofenhandschuh", "鍋つかみ"),
    ("Pour-Over Kettle", "Wasserkessel", "ドリップケトル"),
    ("Salad Bowl", "Salatschüssel", "サラダボウル"),
)
_LINES = (
    ("Classic", "„Classic“", "クラシック"),
    ("Nordic", "„Nordisch“", "北欧"),
    ("Travel", "„Reise“", "トラベル"),
    ("Studio", "„Atelier“", "スタジオ"),
)
_COLOURS = (
    ("Black", "Schwarz", "ブラック"),
    ("White", "Weiß", "ホワイト"),
    ("Sage Green", "Salbeigrün", "セージグリーン"),
    ("Terracotta", "Terrakotta", "テラコッタ"),
    ("Slate Grey", "Schiefergrau", "スレートグレー"),
)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Sku:
    """One catalogue entry. ``unit_cost_usd_cents`` is the landed cost of one unit."""

    sku: str
    asin: str
    fnsku: str
    titles: tuple[str, str, str]  # en, de, ja
    unit_cost_usd_cents: int
    prices: dict[str, int]  # currency -> shelf price in minor units (VAT included)
    popularity: float

    def title(self, language: str) -> str:
        return self.titles[{"en": 0, "de": 1, "ja": 2}[language]]

    def price(self, currency: str) -> int:
        return self.prices[currency]


def _charm_price(usd_cents: int, currency: str) -> int:
    """A shelf price in ``currency`` that ends the way shoppers expect (.99, or 80 yen)."""
    value = usd_cents * PRICE_FACTOR[currency]
    if currency == "JPY":
        return max(480, int(round(value / 100.0 / 100.0)) * 100 - 20)
    return max(299, int(round(value / 100.0)) * 100 - 1)


def build_catalog(seed: int, size: int) -> tuple[Sku, ...]:
    """``size`` SKUs, identical for a given seed whatever else the configuration says."""
    rng = random.Random(f"{seed}|catalog")
    skus = []
    for index in range(size):
        family = _FAMILIES[index % len(_FAMILIES)]
        line = _LINES[(index // len(_FAMILIES)) % len(_LINES)]
        colour = _COLOURS[(index // (len(_FAMILIES) * len(_LINES))) % len(_COLOURS)]
        batch = index // (len(_FAMILIES) * len(_LINES) * len(_COLOURS))
        suffix = f" {batch + 1}" if batch else ""
        titles = (
            f"{line[0]} {family[0]}, {colour[0]}{suffix}",
            f"{family[1]} {line[1]}, {colour[1]}{suffix}",
            f"{family[2]} {line[2]} {colour[2]}{suffix}",
        )
        cost = rng.randint(250, 3200)
        list_usd = int(cost * rng.uniform(2.2, 3.4))
        prices = {code: _charm_price(list_usd, code) for code in ("USD", "EUR", "GBP", "JPY")}
        asin = "B0" + "".join(rng.choice(_ALNUM) for _ in range(8))
        fnsku = "X00" + "".join(rng.choice(_ALNUM) for _ in range(7))
        # a long tail: a few SKUs sell most of the units
        popularity = 1.0 / (1 + index) ** 0.8 * rng.uniform(0.6, 1.4)
        skus.append(
            Sku(
                sku=f"SBX-{index + 1:04d}",
                asin=asin,
                fnsku=fnsku,
                titles=titles,
                unit_cost_usd_cents=cost,
                prices=prices,
                popularity=popularity,
            )
        )
    return tuple(skus)


def random_code(rng: random.Random, length: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))
