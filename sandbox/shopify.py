"""The Shopify store: one UK shop selling the same catalogue in GBP, prices including VAT.

Grain: one :class:`ShopifyOrder` per order with its line items; refunds are embedded in the
order (and bump its ``updated_at``), as the Admin REST API returns them.

An order's whole future (fulfilment, archiving, cancellation or a refund 1-14 days later) is
drawn at creation from a stream seeded by the seed and the shop-local day; the JSON served is
the order as it stands at ``as_of``. Order ids and numbers grow with creation time.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.amazon import HOUR_WEIGHTS, STOCKOUT_EPOCH
from sandbox.catalog import SHOP_DOMAIN, SHOPIFY_STORE, Sku, money_text
from sandbox.clock import DAY, HOUR, iso_local, local_day_bounds

TEST_ORDER_RATE = 0.03
CANCEL_RATE = 0.04
REFUND_RATE = 0.07
ARCHIVE_ON_FULFIL_RATE = 0.7
DISCOUNT_RATE = 0.1
SHOP_ID = 60_123_456_789
SHIPPING_MINOR = 399
_CITIES = (
    ("London", "EC1A 1BB", "England"), ("Manchester", "M1 1AE", "England"),
    ("Edinburgh", "EH1 1YZ", "Scotland"), ("Cardiff", "CF10 1EP", "Wales"),
    ("Bristol", "BS1 4DJ", "England"), ("Belfast", "BT1 5GS", "Northern Ireland"),
)  # fmt: skip
_FIRST = ("Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Freya", "Leo")
_LAST = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts")


@dataclass(slots=True)
class ShopifyLine:
    line_id: int
    sku: Sku
    quantity: int
    unit_price: int  # GBP pence, VAT included
    discount: int  # whole line


@dataclass(slots=True)
class ShopifyRefund:
    refund_id: int
    created_ts: int
    line: ShopifyLine
    quantity: int
    subtotal: int  # pence charged for the refunded units (VAT included)
    tax: int  # VAT inside subtotal
    transaction_id: int
    restock: bool


@dataclass(slots=True)
class ShopifyOrder:
    order_id: int
    number: int
    created_ts: int
    lines: list[ShopifyLine]
    shipping: int
    discount_code: str
    test: bool
    cancel_ts: int  # 0: never
    cancel_reason: str
    fulfil_ts: int  # 0: never (cancelled first)
    fulfillment_id: int
    close_ts: int  # 0: stays open
    refund: ShopifyRefund | None
    customer_id: int
    first_name: str
    last_name: str
    city: tuple[str, str, str]
    token: str


def generate_orders(
    *,
    seed: int,
    catalog: Sequence[Sku],
    days: list[date],
    orders_per_day: int,
    as_of: int,
    extra_lines: int = 0,
) -> list[ShopifyOrder]:
    """Every order created on the shop-local ``days`` at or before ``as_of``.

    ``extra_lines`` > 0 adds 0 to that many lines to each order (an extra draw only then, so
    the default leaves every order as it was).
    """
    tz = SHOPIFY_STORE.timezone
    cum = list(itertools.accumulate(sku.popularity for sku in catalog))
    hour_cum = list(itertools.accumulate(HOUR_WEIGHTS))
    orders: list[ShopifyOrder] = []
    for day in days:
        rng = random.Random(f"{seed}|shopify|{day.isoformat()}")
        start, end = local_day_bounds(day, tz)
        day_number = (day - STOCKOUT_EPOCH).days
        drawn = []
        for _ in range(orders_per_day):
            hour = rng.choices(range(24), cum_weights=hour_cum)[0]
            created = start + int((hour + rng.random()) / 24.0 * (end - start))
            drawn.append((created, _draw_future(rng, catalog, cum, extra_lines)))
        drawn.sort(key=lambda pair: pair[0])
        for rank, (created, future) in enumerate(drawn):
            serial = day_number * orders_per_day + rank
            if created > as_of:
                continue
            orders.append(_assemble(serial, created, future))
    return orders


def _draw_future(
    rng: random.Random, catalog: Sequence[Sku], cum: list[float], extra_lines: int = 0
) -> dict:
    line_count = 1 if rng.random() < 0.65 else (2 if rng.random() < 0.7 else 3)
    if extra_lines:
        line_count += rng.randint(0, extra_lines)
    picks = []
    for _ in range(line_count):
        index = rng.choices(range(len(catalog)), cum_weights=cum)[0]
        quantity = 1 if rng.random() < 0.8 else 2
        if index not in [p[0] for p in picks]:
            picks.append((index, quantity))
    return {
        "lines": [(catalog[index], quantity) for index, quantity in picks],
        "discount": rng.random() < DISCOUNT_RATE,
        "shipping": rng.random() < 0.35,
        "test": rng.random() < TEST_ORDER_RATE,
        "cancel": rng.random() < CANCEL_RATE,
        "cancel_after": rng.randint(600, 30 * HOUR),
        "cancel_reason": rng.choice(("customer", "inventory", "declined", "fraud")),
        "fulfil_after": rng.randint(3 * HOUR, 72 * HOUR),
        "archive": rng.random() < ARCHIVE_ON_FULFIL_RATE,
        "refund": rng.random() < REFUND_RATE,
        "refund_days": rng.randint(1, 14),
        "refund_seconds": rng.randint(0, DAY - 1),
        "refund_line": rng.random(),
        "restock": rng.random() < 0.6,
        "first": rng.choice(_FIRST),
        "last": rng.choice(_LAST),
        "city": rng.choice(_CITIES),
        "token": f"{rng.getrandbits(128):032x}",
    }


def _assemble(serial: int, created: int, future: dict) -> ShopifyOrder:
    order_id = 5_000_000_000_000 + serial * 1_013
    lines = []
    for position, (sku, quantity) in enumerate(future["lines"]):
        unit = sku.price("GBP")
        discount = unit * quantity // 10 if future["discount"] else 0
        lines.append(
            ShopifyLine(
                line_id=13_000_000_000_000 + serial * 8 + position,
                sku=sku,
                quantity=quantity,
                unit_price=unit,
                discount=discount,
            )
        )
    cancel_ts = created + future["cancel_after"] if future["cancel"] else 0
    fulfil_ts = 0 if cancel_ts else created + future["fulfil_after"]
    close_ts = fulfil_ts if fulfil_ts and future["archive"] else 0
    refund = None
    if fulfil_ts and future["refund"]:
        refund_ts = created + future["refund_days"] * DAY + future["refund_seconds"]
        refund_ts = min(max(refund_ts, fulfil_ts + 6 * HOUR), created + 14 * DAY)
        line = lines[min(int(future["refund_line"] * len(lines)), len(lines) - 1)]
        subtotal = line.unit_price * line.quantity - line.discount
        refund = ShopifyRefund(
            refund_id=900_000_000_000 + serial,
            created_ts=refund_ts,
            line=line,
            quantity=line.quantity,
            subtotal=subtotal,
            tax=round(subtotal * SHOPIFY_STORE.vat_rate_bp / (10_000 + SHOPIFY_STORE.vat_rate_bp)),
            transaction_id=7_000_000_000_000 + serial,
            restock=future["restock"],
        )
    return ShopifyOrder(
        order_id=order_id,
        number=1000 + serial + 1,
        created_ts=created,
        lines=lines,
        shipping=SHIPPING_MINOR if future["shipping"] else 0,
        discount_code="WELCOME10" if future["discount"] else "",
        test=future["test"],
        cancel_ts=cancel_ts,
        cancel_reason=future["cancel_reason"] if cancel_ts else "",
        fulfil_ts=fulfil_ts,
        fulfillment_id=4_000_000_000_000 + serial,
        close_ts=close_ts,
        refund=refund,
        customer_id=6_000_000_000_000 + serial,
        first_name=future["first"],
        last_name=future["last"],
        city=future["city"],
        token=future["token"],
    )


def updated_ts(order: ShopifyOrder, as_of: int) -> int:
    events = [order.created_ts, order.cancel_ts, order.fulfil_ts, order.close_ts]
    if order.refund:
        events.append(order.refund.created_ts)
    return max(ts for ts in events if ts and ts <= as_of)


def is_cancelled(order: ShopifyOrder, as_of: int) -> bool:
    return bool(order.cancel_ts) and order.cancel_ts <= as_of


def is_closed(order: ShopifyOrder, as_of: int) -> bool:
    return bool(order.close_ts) and order.close_ts <= as_of


def _money_set(text: str) -> dict:
    money = {"amount": text, "currency_code": "GBP"}
    return {"shop_money": money, "presentment_money": dict(money)}


def order_json(order: ShopifyOrder, as_of: int) -> dict:
    """The order as ``orders.json`` returns it at ``as_of`` (times in the shop's offset)."""
    tz = SHOPIFY_STORE.timezone
    rate = SHOPIFY_STORE.vat_rate_bp
    line_total = sum(line.unit_price * line.quantity for line in order.lines)
    discounts = sum(line.discount for line in order.lines)
    subtotal = line_total - discounts
    total = subtotal + order.shipping
    tax = round(total * rate / (10_000 + rate))
    cancelled = is_cancelled(order, as_of)
    fulfilled = bool(order.fulfil_ts) and order.fulfil_ts <= as_of
    refund = order.refund if order.refund and order.refund.created_ts <= as_of else None
    if cancelled:
        financial = "voided"
    elif refund:
        financial = "refunded" if refund.subtotal >= subtotal else "partially_refunded"
    elif order.cancel_ts:
        financial = "authorized"  # cancelled later: the payment was never captured
    else:
        financial = "paid"
    refunded = refund.subtotal if refund else 0
    email = f"{order.first_name}.{order.last_name}.{order.customer_id % 100000}@example.com"
    email = email.lower()
    address = {
        "first_name": order.first_name,
        "address1": "1 High Street",
        "phone": None,
        "city": order.city[0],
        "zip": order.city[1],
        "province": order.city[2],
        "country": "United Kingdom",
        "last_name": order.last_name,
        "address2": "",
        "company": None,
        "latitude": None,
        "longitude": None,
        "name": f"{order.first_name} {order.last_name}",
        "country_code": "GB",
        "province_code": None,
    }
    created = iso_local(order.created_ts, tz)
    return {
        "id": order.order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order.order_id}",
        "app_id": 580111,
        "browser_ip": "192.0.2.10",
        "buyer_accepts_marketing": False,
        "cancel_reason": order.cancel_reason if cancelled else None,
        "cancelled_at": iso_local(order.cancel_ts, tz) if cancelled else None,
        "cart_token": order.token[:24],
        "checkout_token": order.token[8:],
        "client_details": {
            "accept_language": "en-GB",
            "browser_height": None,
            "browser_ip": "192.0.2.10",
            "browser_width": None,
            "session_hash": None,
            "user_agent": "Mozilla/5.0",
        },
        "closed_at": iso_local(order.close_ts, tz) if is_closed(order, as_of) else None,
        "confirmed": True,
        "contact_email": email,
        "created_at": created,
        "currency": "GBP",
        "current_subtotal_price": money_text(subtotal - refunded if not cancelled else 0, "GBP"),
        "current_total_price": money_text(total - refunded if not cancelled else 0, "GBP"),
        "customer_locale": "en-GB",
        "device_id": None,
        "discount_codes": (
            [
                {
                    "code": order.discount_code,
                    "amount": money_text(discounts, "GBP"),
                    "type": "percentage",
                }
            ]
            if order.discount_code
            else []
        ),
        "email": email,
        "financial_status": financial,
        "fulfillment_status": "fulfilled" if fulfilled else None,
        "gateway": "bogus" if order.test else "shopify_payments",
        "landing_site": "/",
        "landing_site_ref": None,
        "location_id": None,
        "name": f"#{order.number}",
        "note": None,
        "note_attributes": [],
        "number": order.number - 1000,
        "order_number": order.number,
        "order_status_url": None,
        "payment_details": {
            "credit_card_number": "•••• •••• •••• 4242",
            "credit_card_company": "Visa",
        },
        "payment_gateway_names": ["bogus" if order.test else "shopify_payments"],
        "phone": None,
        "presentment_currency": "GBP",
        "processed_at": created,
        "reference": None,
        "referring_site": None,
        "source_identifier": None,
        "source_name": "web",
        "source_url": None,
        "subtotal_price": money_text(subtotal, "GBP"),
        "subtotal_price_set": _money_set(money_text(subtotal, "GBP")),
        "tags": "",
        "tax_lines": [{"price": money_text(tax, "GBP"), "rate": rate / 10_000, "title": "VAT"}],
        "taxes_included": True,
        "test": order.test,
        "token": order.token,
        "total_discounts": money_text(discounts, "GBP"),
        "total_discounts_set": _money_set(money_text(discounts, "GBP")),
        "total_line_items_price": money_text(line_total, "GBP"),
        "total_line_items_price_set": _money_set(money_text(line_total, "GBP")),
        "total_price": money_text(total, "GBP"),
        "total_price_set": _money_set(money_text(total, "GBP")),
        "total_price_usd": None,
        "total_shipping_price_set": _money_set(money_text(order.shipping, "GBP")),
        "total_tax": money_text(tax, "GBP"),
        "total_tax_set": _money_set(money_text(tax, "GBP")),
        "total_weight": 0,
        "updated_at": iso_local(updated_ts(order, as_of), tz),
        "user_id": None,
        "billing_address": address,
        "shipping_address": dict(address),
        "customer": {
            "id": order.customer_id,
            "email": email,
            "accepts_marketing": False,
            "created_at": created,
            "updated_at": created,
            "first_name": order.first_name,
            "last_name": order.last_name,
            "orders_count": 1,
            "state": "enabled",
            "currency": "GBP",
            "phone": None,
            "tags": "",
            "admin_graphql_api_id": f"gid://shopify/Customer/{order.customer_id}",
        },
        "line_items": [_line_json(order, line, fulfilled) for line in order.lines],
        "shipping_lines": [
            {
                "code": "Royal Mail Tracked 48",
                "price": money_text(order.shipping, "GBP"),
                "source": "shopify",
                "title": "Royal Mail Tracked 48",
            }
        ],
        "fulfillments": [_fulfillment_json(order)] if fulfilled else [],
        "refunds": [_refund_json(order, refund)] if refund else [],
    }


def _line_json(order: ShopifyOrder, line: ShopifyLine, fulfilled: bool) -> dict:
    rate = SHOPIFY_STORE.vat_rate_bp
    gross = line.unit_price * line.quantity - line.discount
    return {
        "id": line.line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line.line_id}",
        "fulfillable_quantity": 0 if fulfilled or order.cancel_ts else line.quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": "fulfilled" if fulfilled else None,
        "gift_card": False,
        "grams": 400,
        "name": line.sku.title("en"),
        "price": money_text(line.unit_price, "GBP"),
        "product_exists": True,
        "product_id": 8_000_000_000 + int(line.sku.sku[4:]),
        "quantity": line.quantity,
        "requires_shipping": True,
        "sku": line.sku.sku,
        "taxable": True,
        "title": line.sku.title("en"),
        "total_discount": money_text(line.discount, "GBP"),
        "variant_id": 44_000_000_000_000 + int(line.sku.sku[4:]),
        "vendor": "Sandbox Housewares",
        "tax_lines": [
            {
                "price": money_text(round(gross * rate / (10_000 + rate)), "GBP"),
                "rate": rate / 10_000,
                "title": "VAT",
            }
        ],
    }


def _fulfillment_json(order: ShopifyOrder) -> dict:
    tz = SHOPIFY_STORE.timezone
    return {
        "id": order.fulfillment_id,
        "order_id": order.order_id,
        "status": "success",
        "created_at": iso_local(order.fulfil_ts, tz),
        "updated_at": iso_local(order.fulfil_ts, tz),
        "service": "manual",
        "shipment_status": None,
        "tracking_company": "Royal Mail",
        "tracking_number": f"RM{order.order_id % 10**9:09d}GB",
        "line_items": [
            {"id": line.line_id, "sku": line.sku.sku, "quantity": line.quantity}
            for line in order.lines
        ],
    }


def _refund_json(order: ShopifyOrder, refund: ShopifyRefund) -> dict:
    tz = SHOPIFY_STORE.timezone
    created = iso_local(refund.created_ts, tz)
    return {
        "id": refund.refund_id,
        "order_id": order.order_id,
        "created_at": created,
        "processed_at": created,
        "note": "Returned by customer",
        "restock": refund.restock,
        "user_id": None,
        "refund_line_items": [
            {
                "id": refund.refund_id * 10 + 1,
                "line_item_id": refund.line.line_id,
                "quantity": refund.quantity,
                "restock_type": "return" if refund.restock else "no_restock",
                "subtotal": refund.subtotal / 100,
                "total_tax": refund.tax / 100,
                "line_item": {
                    "id": refund.line.line_id,
                    "variant_id": 44_000_000_000_000 + int(refund.line.sku.sku[4:]),
                    "title": refund.line.sku.title("en"),
                    "quantity": refund.line.quantity,
                    "price": money_text(refund.line.unit_price, "GBP"),
                    "sku": refund.line.sku.sku,
                    "total_discount": money_text(refund.line.discount, "GBP"),
                    "fulfillment_status": "fulfilled",
                },
            }
        ],
        "transactions": [
            {
                "id": refund.transaction_id,
                "order_id": order.order_id,
                "amount": money_text(refund.subtotal, "GBP"),
                "kind": "refund",
                "gateway": "bogus" if order.test else "shopify_payments",
                "status": "success",
                "created_at": created,
                "test": order.test,
                "currency": "GBP",
            }
        ],
        "order_adjustments": [],
    }


def shop_json(as_of_created: int) -> dict:
    """``shop.json``: the store's identity, currency and time zone."""
    tz = SHOPIFY_STORE.timezone
    return {
        "id": SHOP_ID,
        "name": "Sandbox Housewares UK",
        "email": "owner@sandbox-store.example",
        "domain": SHOP_DOMAIN,
        "province": "England",
        "country": "GB",
        "address1": "1 Sandbox Lane",
        "zip": "EC1A 1BB",
        "city": "London",
        "phone": "+44 20 0000 0000",
        "primary_locale": "en",
        "address2": "",
        "created_at": iso_local(as_of_created, tz),
        "updated_at": iso_local(as_of_created + DAY, tz),
        "country_code": "GB",
        "country_name": "United Kingdom",
        "currency": "GBP",
        "customer_email": "support@sandbox-store.example",
        "timezone": "(GMT+00:00) Europe/London",
        "iana_timezone": tz,
        "shop_owner": "Sandbox Owner",
        "money_format": "£{{amount}}",
        "money_with_currency_format": "£{{amount}} GBP",
        "weight_unit": "kg",
        "province_code": "ENG",
        "taxes_included": True,
        "tax_shipping": None,
        "plan_display_name": "Shopify",
        "plan_name": "basic",
        "myshopify_domain": SHOP_DOMAIN,
        "enabled_presentment_currencies": ["GBP"],
        "multi_location_enabled": False,
        "has_storefront": True,
    }


def shop_created_ts(first_day: date) -> int:
    return local_day_bounds(first_day - timedelta(days=400), SHOPIFY_STORE.timezone)[0]
