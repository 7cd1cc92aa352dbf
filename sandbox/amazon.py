"""Amazon seller data: orders with items, refunds, FBA shipments, the inventory ledger, stock.

Grain: one :class:`AmazonOrder` per order with its :class:`AmazonItem` lines; one refund at most
per order; one ledger row per marketplace-local day, SKU, disposition and country.

Everything an order will ever do (payment, cancellation, each shipment, a refund and the
return of the units) is drawn when the order is created, from a random stream seeded by the
seed, the marketplace and the local purchase day. The state served is the state at ``as_of``.
Stock-outs are windows on an absolute calendar (seeded by SKU and 30-day block) during which
no order picks the SKU; the ledger is then built to agree with the shipments: the seller stops
replenishing a few days before a window so the balance runs down to exactly zero.
"""

from __future__ import annotations

import bisect
import itertools
import random
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sandbox.catalog import AMAZON_MARKETPLACES, Channel, Sku, money_number, money_text
from sandbox.clock import (
    DAY,
    HOUR,
    iso_local,
    iso_z,
    local_date,
    local_day_bounds,
)

# Share of the day's orders in each local hour: a quiet night, a lunch bump, a busy evening.
HOUR_WEIGHTS = (
    2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 9, 10, 9, 7, 4,
)  # fmt: skip
_HOUR_CUM = list(itertools.accumulate(HOUR_WEIGHTS))

CANCEL_RATE = 0.04
LATE_RATE = 0.05
REFUND_RATE = 0.07
SPLIT_SHIPMENT_RATE = 0.3
RETURN_TO_STOCK_RATE = 0.7
STOCKOUT_BLOCK_DAYS = 30
STOCKOUT_RATE = 0.08
STOCKOUT_EPOCH = date(2020, 1, 1)

# (state or region, city, postal code) a buyer ships to
PLACES = {
    "US": (
        ("WA", "Seattle", "98101"),
        ("CA", "Los Angeles", "90012"),
        ("TX", "Austin", "73301"),
        ("NY", "Brooklyn", "11201"),
        ("IL", "Chicago", "60601"),
    ),
    "DE": (
        ("Berlin", "Berlin", "10115"),
        ("Bayern", "München", "80331"),
        ("Hamburg", "Hamburg", "20095"),
        ("Hessen", "Frankfurt am Main", "60311"),
    ),
    "JP": (
        ("Tokyo", "Shibuya-ku", "150-0002"),
        ("Osaka", "Osaka-shi", "530-0001"),
        ("Kanagawa", "Yokohama-shi", "220-0011"),
        ("Aichi", "Nagoya-shi", "450-0002"),
    ),
}
US_SALES_TAX_BP = (0, 600, 725, 825, 888)

SHIP_FROM = {
    "US": ("2201 WESTLAKE AVE", "SEATTLE", "WA", "98121-2778", "US"),
    "DE": ("MARCEL-BREUER-STR. 12", "MÜNCHEN", "BY", "80807", "DE"),
    "JP": ("3-1-1 KAMIMEGURO", "MEGURO-KU", "TOKYO", "153-0051", "JP"),
}


def randint(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` without its overhead (this runs a dozen times per order)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, options: Sequence):  # noqa: ANN201
    return options[int(rng.random() * len(options))]


def unique_digits(number: int, salt: int, digits: int) -> str:
    """A unique-looking fixed-width decimal for a unique ``number`` (a bijection mod 10^n)."""
    modulus = 10**digits
    return f"{(number * 7_919_337_011 + salt) % modulus:0{digits}d}"


def unique_code(number: int, salt: int, length: int) -> str:
    """A unique base-36 code of ``length`` characters for a unique ``number``."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    value = (number * 2_654_435_761 + salt) % (36**length)
    chars = []
    for _ in range(length):
        value, rest = divmod(value, 36)
        chars.append(alphabet[rest])
    return "".join(reversed(chars))


@dataclass(slots=True)
class AmazonItem:
    order_item_id: str
    sku: Sku
    quantity: int
    price: int  # ItemPrice: the line total, minor units (VAT included in DE/JP)
    tax: int  # ItemTax: added on top in the US, the included VAT in DE/JP
    discount: int  # PromotionDiscount
    shipping: int
    shipping_tax: int
    ship_ts: int  # 0: never ships (the order is cancelled)
    shipment_serial: int
    item_serial: int

    @property
    def shipment_id(self) -> str:
        return "D" + unique_code(self.shipment_serial, 4_242, 8)

    @property
    def shipment_item_id(self) -> str:
        return "D" + unique_code(self.item_serial, 77_777, 8)


@dataclass(slots=True)
class AmazonRefund:
    order: AmazonOrder
    posted_ts: int
    item: AmazonItem
    quantity: int
    principal: int  # positive minor units; served negative
    tax: int
    commission: int
    adjustment_item_id: str
    returned_to_stock: bool


@dataclass(slots=True)
class AmazonOrder:
    order_id: str
    channel: Channel
    local_day: date
    purchase_ts: int
    paid_ts: int
    cancel_ts: int  # 0: never cancelled
    earliest_ship_ts: int
    latest_ship_ts: int
    earliest_delivery_ts: int
    latest_delivery_ts: int
    items: list[AmazonItem]
    place: tuple[str, str, str]
    serial: int
    is_prime: bool
    is_business: bool
    carrier: str
    tracking: str
    fulfillment_center: str
    refund: AmazonRefund | None = None
    # the state at as_of, set by settle()
    status: str = ""
    last_update_ts: int = 0
    shipped_units: int = 0
    unshipped_units: int = 0

    @property
    def buyer_email(self) -> str:
        tld = {"US": "com", "DE": "de", "JP": "co.jp"}[self.channel.key]
        return f"{unique_code(self.serial, 31, 12).lower()}@marketplace.amazon.{tld}"

    @property
    def total(self) -> int:
        """OrderTotal: what the buyer pays (US sales tax on top; VAT already inside)."""
        amount = sum(item.price + item.shipping - item.discount for item in self.items)
        if not self.channel.tax_included:
            amount += sum(item.tax + item.shipping_tax for item in self.items)
        return amount

    @property
    def net_sales(self) -> int:
        """Item sales after promotions and without any tax, in minor units."""
        amount = sum(item.price - item.discount for item in self.items)
        if self.channel.tax_included:
            amount -= sum(item.tax for item in self.items)
        return amount


def settle(order: AmazonOrder, as_of: int) -> None:
    """Set the order's status, LastUpdateDate and item counts as they are at ``as_of``."""
    units = sum(item.quantity for item in order.items)
    shipped = [item.ship_ts for item in order.items if 0 < item.ship_ts <= as_of]
    shipped_units = sum(item.quantity for item in order.items if 0 < item.ship_ts <= as_of)
    if order.cancel_ts and order.cancel_ts <= as_of:
        order.status, order.last_update_ts = "Canceled", order.cancel_ts
        order.shipped_units, order.unshipped_units = 0, 0
        return
    order.shipped_units, order.unshipped_units = shipped_units, units - shipped_units
    if shipped_units == units:
        order.status, order.last_update_ts = "Shipped", max(shipped)
    elif shipped:
        order.status, order.last_update_ts = "PartiallyShipped", max(shipped)
    elif order.paid_ts <= as_of:
        order.status, order.last_update_ts = "Unshipped", order.paid_ts
    else:
        order.status, order.last_update_ts = "Pending", order.purchase_ts + 7


# ---------------------------------------------------------------------------------------------
# generation


def stockout_windows(
    seed: int, channel: Channel, sku: Sku, first: date, last: date
) -> list[tuple[date, date, int]]:
    """``(start, end_exclusive, lead_days)`` windows of a SKU overlapping ``[first, last]``.

    Drawn per 30-day block of an absolute calendar, so a window is the same whatever the
    configured history length or ``as_of``. ``lead_days``: how long before the window the seller
    stopped replenishing.
    """
    windows = []
    first_block = (first - STOCKOUT_EPOCH).days // STOCKOUT_BLOCK_DAYS - 1
    last_block = (last - STOCKOUT_EPOCH).days // STOCKOUT_BLOCK_DAYS
    for block in range(first_block, last_block + 1):
        rng = random.Random(f"{seed}|stockout|{channel.key}|{sku.sku}|{block}")
        if rng.random() >= STOCKOUT_RATE:
            continue
        block_start = STOCKOUT_EPOCH + timedelta(days=block * STOCKOUT_BLOCK_DAYS)
        start = block_start + timedelta(days=rng.randint(8, 20))
        end = start + timedelta(days=rng.randint(3, 7))
        lead = rng.randint(2, 6)
        if end > first and start <= last:
            windows.append((start, end, lead))
    return windows


@dataclass
class MarketplaceData:
    """Everything generated for one Amazon marketplace."""

    channel: Channel
    orders: list[AmazonOrder]
    stockouts: dict[str, list[tuple[date, date, int]]]
    ledger: Sequence[dict[str, str]] = field(default_factory=list)
    inventory: list[dict] = field(default_factory=list)
    ledger_days: list[date] = field(default_factory=list)


def _pick_sku(
    rng: random.Random, catalog: Sequence[Sku], cum: list[float], blocked: set[int], taken: set[int]
) -> int | None:
    total = cum[-1]
    for _ in range(24):
        index = bisect.bisect_right(cum, rng.random() * total)
        index = min(index, len(catalog) - 1)
        if index not in blocked and index not in taken:
            return index
    for index in range(len(catalog)):
        if index not in blocked and index not in taken:
            return index
    return None


def generate_marketplace(
    *,
    seed: int,
    channel: Channel,
    catalog: Sequence[Sku],
    days: list[date],
    orders_per_day: int,
    as_of: int,
    extra_lines: int = 0,
) -> MarketplaceData:
    """Orders of one marketplace for every local day in ``days`` placed at or before as_of.

    ``extra_lines`` > 0 adds 0 to that many lines to each order (drawn after the usual line
    count, so the default of 0 leaves every draw, and so every order, as it was).
    """
    tz = channel.timezone
    mp_index = next(i for i, mp in enumerate(AMAZON_MARKETPLACES) if mp.key == channel.key)
    cum = list(itertools.accumulate(sku.popularity for sku in catalog))
    stockouts: dict[str, list[tuple[date, date, int]]] = {}
    blocked_by_day: dict[date, set[int]] = {}
    for index, sku in enumerate(catalog):
        windows = stockout_windows(seed, channel, sku, days[0], days[-1])
        if windows:
            stockouts[sku.sku] = windows
        for start, end, _lead in windows:
            for offset in range((end - start).days):
                blocked_by_day.setdefault(start + timedelta(days=offset), set()).add(index)

    orders: list[AmazonOrder] = []
    for day in days:
        rng = random.Random(f"{seed}|amazon|{channel.key}|{day.isoformat()}")
        start, end = local_day_bounds(day, tz)
        day_number = (day - STOCKOUT_EPOCH).days
        blocked = blocked_by_day.get(day, set())
        for index in range(orders_per_day):
            # unique per order (8 numbers each: lines, second shipment) and different per seed
            serial = (((seed * 100_000 + day_number) * orders_per_day + index) * 4 + mp_index) * 8
            order = _draw_order(
                rng, channel, catalog, cum, blocked, start, end, day, serial, extra_lines
            )
            if order is None or order.purchase_ts > as_of:
                continue
            settle(order, as_of)
            orders.append(order)
    return MarketplaceData(channel=channel, orders=orders, stockouts=stockouts)


def _draw_order(
    rng: random.Random,
    channel: Channel,
    catalog: Sequence[Sku],
    cum: list[float],
    blocked: set[int],
    day_start: int,
    day_end: int,
    day: date,
    serial: int,
    extra_lines: int = 0,
) -> AmazonOrder | None:
    """One order and its whole future. Every draw happens whether or not it becomes visible,
    so the orders of a day are the same for any ``as_of``."""
    tz = channel.timezone
    hour = bisect.bisect_right(_HOUR_CUM, rng.random() * _HOUR_CUM[-1])
    fraction = (hour + rng.random()) / 24.0
    purchase = day_start + int(fraction * (day_end - day_start))
    prefix = pick(rng, channel.order_prefixes)
    digits = unique_digits(serial, 1_234_567, 14)
    order_id = f"{prefix}-{digits[:7]}-{digits[7:]}"

    line_count = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.75 else 3)
    if extra_lines:
        line_count += randint(rng, 0, extra_lines)
    taken: set[int] = set()
    items: list[AmazonItem] = []
    sales_tax_bp = pick(rng, US_SALES_TAX_BP) if not channel.tax_included else 0
    paid_shipping = rng.random() < 0.1
    for line in range(line_count):
        picked = _pick_sku(rng, catalog, cum, blocked, taken)
        quantity = 1 if rng.random() < 0.8 else (2 if rng.random() < 0.75 else 3)
        promo = rng.random() < 0.08
        promo_pct = pick(rng, (10, 15, 20))
        if picked is None:
            continue
        taken.add(picked)
        sku = catalog[picked]
        price = sku.price(channel.currency) * quantity
        discount = price * promo_pct // 100 if promo else 0
        shipping = 0
        if paid_shipping and line == 0:
            shipping = 400 if channel.currency == "JPY" else 499
        if channel.tax_included:
            rate = channel.vat_rate_bp
            tax = round((price - discount) * rate / (10_000 + rate))
            shipping_tax = round(shipping * rate / (10_000 + rate))
        else:
            tax = round((price - discount) * sales_tax_bp / 10_000)
            shipping_tax = 0
        item_serial = serial + line
        items.append(
            AmazonItem(
                order_item_id=unique_digits(item_serial, 98_765_431, 14),
                sku=sku,
                quantity=quantity,
                price=price,
                tax=tax,
                discount=discount,
                shipping=shipping,
                shipping_tax=shipping_tax,
                ship_ts=0,
                shipment_serial=serial,
                item_serial=item_serial,
            )
        )

    # payment, cancellation and shipping, decided now
    fast = rng.random() < 0.95
    paid = purchase + (randint(rng, 30, 1800) if fast else randint(rng, 2, 30) * HOUR)
    cancelled = rng.random() < CANCEL_RATE
    cancel_at = purchase + randint(rng, 600, 20 * HOUR)
    handling_days = 1 if rng.random() < 0.6 else 2
    late = rng.random() < LATE_RATE
    late_by = randint(rng, 2 * HOUR, 36 * HOUR)
    ship_fraction = rng.random()
    split = rng.random() < SPLIT_SHIPMENT_RATE
    split_after = randint(rng, 6 * HOUR, 30 * HOUR)
    place = pick(rng, PLACES[channel.key])
    carrier = pick(rng, channel.carriers)
    center = pick(rng, channel.fulfillment_centers)
    tracking = f"{carrier[:2]}{randint(rng, 10**11, 10**12 - 1)}"
    is_prime = rng.random() < 0.7
    is_business = rng.random() < 0.05
    refunded = rng.random() < REFUND_RATE
    refund_days = randint(rng, 1, 14)
    refund_seconds = randint(rng, 0, DAY - 1)
    refund_line = rng.random()
    refund_qty_fraction = rng.random()
    returned = rng.random() < RETURN_TO_STOCK_RATE
    if not items:
        return None

    earliest_ship = local_day_bounds(day, tz)[0]
    latest_ship = local_day_bounds(day + timedelta(days=handling_days), tz)[1] - 1
    if cancelled:  # before payment (Pending -> Canceled) or after it, never after shipping
        cancel_ts = cancel_at
    else:
        cancel_ts = 0
        if late:
            first_ship = latest_ship + late_by
        else:
            window = max(HOUR, latest_ship - paid - 600)
            first_ship = paid + 1800 + int(ship_fraction * window)
        first_ship = max(first_ship, paid + 1800)  # never before the payment went through
        shipments = 2 if split and len(items) > 1 else 1
        for position, item in enumerate(items):
            second = shipments == 2 and position == len(items) - 1
            item.ship_ts = first_ship + (split_after if second else 0)
            item.shipment_serial = serial + (1 if second else 0)
    order = AmazonOrder(
        order_id=order_id,
        channel=channel,
        local_day=day,
        purchase_ts=purchase,
        paid_ts=paid,
        cancel_ts=cancel_ts,
        earliest_ship_ts=earliest_ship,
        latest_ship_ts=latest_ship,
        earliest_delivery_ts=latest_ship + 1 + DAY,
        latest_delivery_ts=latest_ship + 1 + 4 * DAY - 1,
        items=items,
        place=place,
        serial=serial,
        is_prime=is_prime,
        is_business=is_business,
        carrier=carrier,
        tracking=tracking,
        fulfillment_center=center,
    )
    if refunded and not cancelled:
        last_ship = max(item.ship_ts for item in items)
        posted = purchase + refund_days * DAY + refund_seconds
        posted = max(posted, last_ship + 6 * HOUR)
        posted = min(posted, purchase + 14 * DAY)
        if posted > last_ship:
            item = items[min(int(refund_line * len(items)), len(items) - 1)]
            quantity = 1 + int(refund_qty_fraction * item.quantity)
            quantity = min(quantity, item.quantity)
            principal = (item.price - item.discount) * quantity // item.quantity
            tax = item.tax * quantity // item.quantity
            order.refund = AmazonRefund(
                order=order,
                posted_ts=posted,
                item=item,
                quantity=quantity,
                principal=principal,
                tax=tax,
                commission=principal * 15 // 100,
                adjustment_item_id=unique_digits(serial, 55_555_555, 14),
                returned_to_stock=returned,
            )
    return order


# ---------------------------------------------------------------------------------------------
# FBA ledger and inventory


LEDGER_HEADER = (
    "Date",
    "FNSKU",
    "ASIN",
    "MSKU",
    "Title",
    "Disposition",
    "StartingWarehouseBalance",
    "InTransitBetweenWarehouses",
    "Receipts",
    "CustomerShipments",
    "CustomerReturns",
    "VendorReturns",
    "WarehouseTransferIn/Out",
    "Found",
    "Lost",
    "Damaged",
    "Disposed",
    "OtherEvents",
    "EndingWarehouseBalance",
    "UnknownEvents",
    "Location",
)
LOOKAHEAD_DAYS = 40
REORDER_COVER_DAYS = 7
ORDER_UP_TO_DAYS = 28


class _SkuFlows:
    """One SKU's daily units out and reserved, and the seller's replenishment rules."""

    def __init__(
        self,
        ship: list[int],
        pending: list[int],
        covers: list[tuple[int, int, int]],
        placed_ship: list[tuple[int, int, int]],
        span: int,
    ) -> None:
        self.ship = ship
        self.prefix = [0, *itertools.accumulate(ship)]
        self.pending = pending
        self.covers = covers  # (first day without replenishment, window start, window end)
        self.placed_ship = placed_ship  # (day placed, day shipped, units)
        self.span = span

    def cover_need(self, day: int, window_start: int) -> int:
        """Units of orders placed before the window that ship on or after ``day``."""
        return sum(q for p, s, q in self.placed_ship if p < window_start and s >= day)

    def in_cover(self, day: int) -> tuple[int, int, int] | None:
        return next((c for c in self.covers if c[0] <= day < c[2]), None)

    def reorder(self, day: int, after: int) -> int:
        """Units received on ``day`` so the end balance covers a week and what is reserved."""
        prefix, span = self.prefix, self.span
        week = prefix[min(span, day + 1 + REORDER_COVER_DAYS)] - prefix[day + 1]
        floor = max(self.pending[day], week) + 3
        if after >= floor:
            return 0
        target = prefix[min(span, day + 1 + ORDER_UP_TO_DAYS)] - prefix[day + 1] + 10
        quantity = max(floor, target) - after
        return -(-quantity // 12) * 12  # whole cases of 12


class LedgerRows(Sequence):
    """The ledger's rows in report order (day, then MSKU), held as numbers.

    A seller-year holds millions of rows (days x SKUs x marketplaces); as dicts of strings they
    would take gigabytes, so each row keeps its six varying figures in one integer array and
    becomes the report's dict of text fields only when read.
    """

    FIGURES = 6  # starting, receipts, customer shipments, customer returns, transfer, ending

    def __init__(self, channel: Channel, catalog: Sequence[Sku], days: list[date]) -> None:
        self._channel = channel
        self._catalog = catalog
        self._dates = [day.strftime("%m/%d/%Y") for day in days]
        # rows of a day are sorted by MSKU, as the report lists them
        self._by_msku = sorted(range(len(catalog)), key=lambda row: catalog[row].sku)
        self._figures = array("q", bytes(8 * self.FIGURES * len(days) * len(catalog)))

    def put(self, day: int, row: int, *figures: int) -> None:
        """Store the figures of catalogue row ``row`` on day offset ``day``."""
        start = (day * len(self._catalog) + row) * self.FIGURES
        self._figures[start : start + self.FIGURES] = array("q", figures)

    def __len__(self) -> int:
        return len(self._dates) * len(self._catalog)

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - int or slice, as a list takes
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("ledger row out of range")
        day, rank = divmod(index, len(self._catalog))
        return self._row(day, self._by_msku[rank])

    def __iter__(self) -> Iterator[dict[str, str]]:
        for day in range(len(self._dates)):
            for row in self._by_msku:
                yield self._row(day, row)

    def _row(self, day: int, row: int) -> dict[str, str]:
        sku = self._catalog[row]
        start = (day * len(self._catalog) + row) * self.FIGURES
        starting, receipts, shipments, returns, transfer, ending = self._figures[
            start : start + self.FIGURES
        ]
        return {
            "Date": self._dates[day],
            "FNSKU": sku.fnsku,
            "ASIN": sku.asin,
            "MSKU": sku.sku,
            "Title": sku.title(self._channel.language),
            "Disposition": "SELLABLE",
            "StartingWarehouseBalance": str(starting),
            "InTransitBetweenWarehouses": "0",
            "Receipts": str(receipts),
            "CustomerShipments": str(shipments),
            "CustomerReturns": str(returns),
            "VendorReturns": "0",
            "WarehouseTransferIn/Out": str(transfer),
            "Found": "0",
            "Lost": "0",
            "Damaged": "0",
            "Disposed": "0",
            "OtherEvents": "0",
            "EndingWarehouseBalance": str(ending),
            "UnknownEvents": "0",
            "Location": self._channel.country,
        }


def build_ledger(data: MarketplaceData, catalog: Sequence[Sku], days: list[date], as_of: int):
    """The SELLABLE ledger of every SKU for every complete local day, and today's summaries.

    Identity on every row: Ending = Starting + InTransit + Receipts + CustomerShipments +
    CustomerReturns + VendorReturns + Transfer + Found + Lost + Damaged + Disposed + Other +
    Unknown, with shipments (and transfers out) negative as Amazon prints them. Balances never
    go negative and always cover the units reserved for orders not yet shipped.
    """
    channel = data.channel
    tz = channel.timezone
    today = local_date(as_of, tz)
    ledger_days = [day for day in days if day < today]
    data.ledger_days = ledger_days
    if not ledger_days:
        data.ledger, data.inventory = [], []
        return
    first = ledger_days[0]
    span = len(ledger_days) + LOOKAHEAD_DAYS
    index_of = {sku.sku: position for position, sku in enumerate(catalog)}
    ships = [[0] * span for _ in catalog]
    returns = [[0] * (span + 1) for _ in catalog]
    pending_diff = [[0] * (span + 1) for _ in catalog]
    # units of orders placed before a window's start that ship on/after a given day
    placed_ship: list[list[tuple[int, int, int]]] = [[] for _ in catalog]

    def offset(ts: int) -> int:
        return (local_date(ts, tz) - first).days

    for order in data.orders:
        placed = (order.local_day - first).days
        for item in order.items:
            row = index_of[item.sku.sku]
            if item.ship_ts:
                shipped = offset(item.ship_ts)
                if 0 <= shipped < span:
                    ships[row][shipped] += item.quantity
                placed_ship[row].append((placed, shipped, item.quantity))
                released = shipped
            else:
                released = offset(order.cancel_ts)
            if 0 <= placed < span:
                pending_diff[row][placed] += item.quantity
                pending_diff[row][max(placed, min(released, span))] -= item.quantity
        refund = order.refund
        if refund and refund.returned_to_stock:
            back = offset(refund.posted_ts)
            if 0 <= back < span:
                returns[index_of[refund.item.sku.sku]][back] += refund.quantity

    ledger = LedgerRows(channel, catalog, ledger_days)
    inventory: list[dict] = []
    last = len(ledger_days) - 1
    for row, sku in enumerate(catalog):
        ship = ships[row]
        covers = []  # (first day of cover, window start, window end) as offsets
        for start, end, lead in data.stockouts.get(sku.sku, []):
            s, e = (start - first).days, (end - first).days
            covers.append((max(0, s - lead), s, e))
        ret = returns[row]
        for cover_start, _s, e in covers:  # a return during a cover waits for the restock
            for day in range(max(0, cover_start), min(e, span)):
                if ret[day]:
                    if e < span:
                        ret[e] += ret[day]
                    ret[day] = 0
        pending_units = list(itertools.accumulate(pending_diff[row]))
        flows = _SkuFlows(ship, pending_units, covers, placed_ship[row], span)
        pending = flows.pending
        opening_cover = flows.in_cover(0)
        if opening_cover:
            balance = flows.cover_need(0, opening_cover[1])
        else:  # open with what the reorder rule would have stocked the day before
            balance = flows.reorder(0, -ship[0])
        for day in range(len(ledger_days)):
            starting = balance
            receipts = transfer = 0
            cover = flows.in_cover(day)
            if cover and day == cover[0] and not (day == 0 and opening_cover):
                adjust = flows.cover_need(day, cover[1]) - (starting + ret[day])
                receipts, transfer = (adjust, 0) if adjust > 0 else (0, adjust)
            elif not cover:
                receipts = flows.reorder(day, starting + ret[day] - ship[day])
            balance = starting + receipts + transfer + ret[day] - ship[day]
            ledger.put(day, row, starting, receipts, -ship[day], ret[day], transfer, balance)
        reserved = min(balance, max(0, pending[last]))
        snapshot_ts = local_day_bounds(ledger_days[last], tz)[1]
        inventory.append(_inventory_summary(sku, channel, balance, reserved, snapshot_ts))
    data.ledger, data.inventory = ledger, inventory


def _inventory_summary(
    sku: Sku, channel: Channel, balance: int, reserved: int, snapshot_ts: int
) -> dict:
    return {
        "asin": sku.asin,
        "fnSku": sku.fnsku,
        "sellerSku": sku.sku,
        "condition": "NewItem",
        "inventoryDetails": {
            "fulfillableQuantity": balance - reserved,
            "inboundWorkingQuantity": 0,
            "inboundShippedQuantity": 0,
            "inboundReceivingQuantity": 0,
            "reservedQuantity": {
                "totalReservedQuantity": reserved,
                "pendingCustomerOrderQuantity": reserved,
                "pendingTransshipmentQuantity": 0,
                "fcProcessingQuantity": 0,
            },
            "researchingQuantity": {
                "totalResearchingQuantity": 0,
                "researchingQuantityBreakdown": [],
            },
            "unfulfillableQuantity": {
                "totalUnfulfillableQuantity": 0,
                "customerDamagedQuantity": 0,
                "warehouseDamagedQuantity": 0,
                "distributorDamagedQuantity": 0,
                "carrierDamagedQuantity": 0,
                "defectiveQuantity": 0,
                "expiredQuantity": 0,
            },
        },
        "lastUpdatedTime": iso_z(snapshot_ts),
        "productName": sku.title(channel.language),
        "totalQuantity": balance,
    }


# ---------------------------------------------------------------------------------------------
# platform shapes


def order_json(order: AmazonOrder) -> dict:
    """One element of getOrders ``payload.Orders``, keys as the SP-API sandbox returns them."""
    channel = order.channel
    currency = channel.currency
    address = SHIP_FROM[channel.key]
    state, city, postal = order.place
    return {
        "AmazonOrderId": order.order_id,
        "PurchaseDate": iso_z(order.purchase_ts),
        "LastUpdateDate": iso_z(order.last_update_ts),
        "OrderStatus": order.status,
        "FulfillmentChannel": "AFN",
        "SalesChannel": channel.sales_channel,
        "ShipServiceLevel": "Expedited" if order.is_prime else "Standard",
        "OrderTotal": {"CurrencyCode": currency, "Amount": money_text(order.total, currency)},
        "NumberOfItemsShipped": order.shipped_units,
        "NumberOfItemsUnshipped": order.unshipped_units,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "IsReplacementOrder": False,
        "MarketplaceId": channel.marketplace_id,
        "ShipmentServiceLevelCategory": "Expedited" if order.is_prime else "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso_z(order.earliest_ship_ts),
        "LatestShipDate": iso_z(order.latest_ship_ts),
        "EarliestDeliveryDate": iso_z(order.earliest_delivery_ts),
        "LatestDeliveryDate": iso_z(order.latest_delivery_ts),
        "IsBusinessOrder": order.is_business,
        "IsPrime": order.is_prime,
        "IsGlobalExpressEnabled": False,
        "IsPremiumOrder": False,
        "IsSoldByAB": False,
        "IsIBA": False,
        "DefaultShipFromLocationAddress": {
            "Name": "Sandbox Housewares",
            "AddressLine1": address[0],
            "City": address[1],
            "StateOrRegion": address[2],
            "PostalCode": address[3],
            "CountryCode": address[4],
            "AddressType": "Commercial",
        },
        "FulfillmentInstruction": {"FulfillmentSupplySourceId": order.fulfillment_center},
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "AutomatedShippingSettings": {"HasAutomatedShippingSettings": False},
        "EasyShipShipmentStatus": "Delivered" if order.status == "Shipped" else "PendingPickUp",
        "ElectronicInvoiceStatus": "NotRequired",
        "ShippingAddress": {
            "StateOrRegion": state,
            "City": city,
            "PostalCode": postal,
            "CountryCode": channel.country,
        },
        "BuyerInfo": {"BuyerEmail": order.buyer_email},
    }


def item_json(order: AmazonOrder, item: AmazonItem, as_of: int) -> dict:
    """One element of getOrderItems ``payload.OrderItems``."""
    currency = order.channel.currency

    def money(minor: int) -> dict:
        return {"CurrencyCode": currency, "Amount": money_text(minor, currency)}

    shipped = item.quantity if 0 < item.ship_ts <= as_of else 0
    return {
        "ASIN": item.sku.asin,
        "OrderItemId": item.order_item_id,
        "SellerSKU": item.sku.sku,
        "Title": item.sku.title(order.channel.language),
        "QuantityOrdered": item.quantity,
        "QuantityShipped": shipped,
        "ProductInfo": {"NumberOfItems": "1"},
        "ItemPrice": money(item.price),
        "ItemTax": money(item.tax),
        "ShippingPrice": money(item.shipping),
        "ShippingTax": money(item.shipping_tax),
        "ShippingDiscount": money(0),
        "PromotionDiscount": money(item.discount),
        "PromotionIds": ["SANDBOX-PROMO"] if item.discount else [],
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
        "BuyerRequestedCancel": {
            "IsBuyerRequestedCancel": "true" if order.status == "Canceled" else "false",
            "BuyerCancelReason": "",
        },
    }


def refund_event_json(refund: AmazonRefund) -> dict:
    """One element of Finances ``RefundEventList``: money returned is negative."""
    order = refund.order
    currency = order.channel.currency

    def amount(minor: int) -> dict:
        return {"CurrencyCode": currency, "CurrencyAmount": money_number(minor, currency)}

    return {
        "AmazonOrderId": order.order_id,
        "SellerOrderId": order.order_id,
        "MarketplaceName": order.channel.sales_channel,
        "PostedDate": iso_z(refund.posted_ts),
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": refund.item.sku.sku,
                "OrderAdjustmentItemId": refund.adjustment_item_id,
                "QuantityShipped": refund.quantity,
                "ItemChargeAdjustmentList": [
                    {"ChargeType": "Principal", "ChargeAmount": amount(-refund.principal)},
                    {"ChargeType": "Tax", "ChargeAmount": amount(-refund.tax)},
                ],
                "ItemFeeAdjustmentList": [
                    {"FeeType": "Commission", "FeeAmount": amount(refund.commission)},
                    {
                        "FeeType": "RefundCommission",
                        "FeeAmount": amount(-(refund.commission // 5)),
                    },
                ],
                "PromotionAdjustmentList": [],
            }
        ],
    }


SHIPMENTS_HEADER = (
    "amazon-order-id", "merchant-order-id", "shipment-id", "shipment-item-id",
    "amazon-order-item-id", "merchant-order-item-id", "purchase-date", "payments-date",
    "shipment-date", "reporting-date", "buyer-email", "buyer-name", "buyer-phone-number", "sku",
    "product-name", "quantity-shipped", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "ship-service-level", "recipient-name",
    "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "ship-phone-number", "bill-address-1", "bill-address-2",
    "bill-address-3", "bill-city", "bill-state", "bill-postal-code", "bill-country",
    "item-promotion-discount", "ship-promotion-discount", "carrier", "tracking-number",
    "estimated-arrival-date", "fulfillment-center-id", "fulfillment-channel", "sales-channel",
)  # fmt: skip


def shipment_row(order: AmazonOrder, item: AmazonItem) -> dict[str, str]:
    """One row of the FBA shipments report (dates in the marketplace's local offset)."""
    channel = order.channel
    tz = channel.timezone
    currency = channel.currency
    state, city, postal = order.place
    buyer = f"Buyer {order.order_id[-4:]}"
    return {
        "amazon-order-id": order.order_id,
        "merchant-order-id": "",
        "shipment-id": item.shipment_id,
        "shipment-item-id": item.shipment_item_id,
        "amazon-order-item-id": item.order_item_id,
        "merchant-order-item-id": "",
        "purchase-date": iso_local(order.purchase_ts, tz),
        "payments-date": iso_local(order.paid_ts, tz),
        "shipment-date": iso_local(item.ship_ts, tz),
        "reporting-date": iso_local(item.ship_ts + 2 * HOUR, tz),
        "buyer-email": order.buyer_email,
        "buyer-name": buyer,
        "buyer-phone-number": "",
        "sku": item.sku.sku,
        "product-name": item.sku.title(channel.language),
        "quantity-shipped": str(item.quantity),
        "currency": currency,
        "item-price": money_text(item.price, currency),
        "item-tax": money_text(item.tax, currency),
        "shipping-price": money_text(item.shipping, currency),
        "shipping-tax": money_text(item.shipping_tax, currency),
        "gift-wrap-price": money_text(0, currency),
        "gift-wrap-tax": money_text(0, currency),
        "ship-service-level": "Expedited" if order.is_prime else "Standard",
        "recipient-name": buyer,
        "ship-address-1": "",
        "ship-address-2": "",
        "ship-address-3": "",
        "ship-city": city,
        "ship-state": state,
        "ship-postal-code": postal,
        "ship-country": channel.country,
        "ship-phone-number": "",
        "bill-address-1": "",
        "bill-address-2": "",
        "bill-address-3": "",
        "bill-city": city,
        "bill-state": state,
        "bill-postal-code": postal,
        "bill-country": channel.country,
        "item-promotion-discount": money_text(-item.discount, currency),
        "ship-promotion-discount": money_text(0, currency),
        "carrier": order.carrier,
        "tracking-number": order.tracking,
        "estimated-arrival-date": iso_local(item.ship_ts + 2 * DAY, tz),
        "fulfillment-center-id": order.fulfillment_center,
        "fulfillment-channel": "Amazon",
        "sales-channel": channel.sales_channel,
    }
