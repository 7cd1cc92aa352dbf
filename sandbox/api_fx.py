"""A Frankfurter-compatible rates service: ``/v1/{start}..{end}``, ``/v1/{date}``, ``/v1/latest``.

No credentials, as on the real service. ``base`` defaults to EUR (Frankfurter's default);
``symbols`` narrows the quoted currencies. Only working days carry rates, and only those
published by ``as_of`` (16:00 Frankfurt time).
"""

from __future__ import annotations

from datetime import date

from sandbox.fx import QUOTED, published_through
from sandbox.state import ServerState
from sandbox.web import ROUTER, Request, Response, json_response

CURRENCIES = ("USD", *QUOTED)
_DATE = r"\d{4}-\d{2}-\d{2}"


def not_found() -> Response:
    return json_response(404, {"message": "not found"})


def _currencies(request: Request) -> tuple[str, tuple[str, ...], float] | None:
    base = (request.param("base") or request.param("from") or "EUR").upper()
    symbols_text = request.param("symbols") or request.param("to") or ""
    symbols = tuple(s.strip().upper() for s in symbols_text.split(",") if s.strip())
    if base not in CURRENCIES or any(symbol not in CURRENCIES for symbol in symbols):
        return None
    try:
        amount = float(request.param("amount") or "1")
    except ValueError:
        return None
    return base, symbols, amount


def _scaled(rates: dict[str, float], amount: float) -> dict[str, float]:
    return rates if amount == 1 else {k: round(v * amount, 4) for k, v in rates.items()}


@ROUTER.route("GET", rf"/v1/(?P<start>{_DATE})\.\.(?P<end>{_DATE})?")
def time_series(state: ServerState, request: Request) -> Response:
    parsed = _currencies(request)
    if parsed is None:
        return not_found()
    base, symbols, amount = parsed
    try:
        start = date.fromisoformat(request.group("start"))
        end_text = request.group("end")
        end = date.fromisoformat(end_text) if end_text else published_through(state.data.as_of)
    except ValueError:
        return not_found()
    if end < start:
        return json_response(422, {"message": "start date must precede end date"})
    rates = state.data.fx_rates(start, end, base, symbols)
    days = sorted(rates)
    return json_response(
        200,
        {
            "amount": amount,
            "base": base,
            "start_date": days[0] if days else start.isoformat(),
            "end_date": days[-1] if days else end.isoformat(),
            "rates": {day: _scaled(rates[day], amount) for day in days},
        },
    )


@ROUTER.route("GET", rf"/v1/(?P<day>{_DATE}|latest)")
def one_day(state: ServerState, request: Request) -> Response:
    parsed = _currencies(request)
    if parsed is None:
        return not_found()
    base, symbols, amount = parsed
    text = request.group("day")
    try:
        day = published_through(state.data.as_of) if text == "latest" else date.fromisoformat(text)
    except ValueError:
        return not_found()
    rates = state.data.fx_rates(day, day, base, symbols)
    if not rates:
        return not_found()
    found = max(rates)
    return json_response(
        200,
        {"amount": amount, "base": base, "date": found, "rates": _scaled(rates[found], amount)},
    )
