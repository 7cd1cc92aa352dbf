"""The HTML of the page: tables and words in Python, charts left to the embedded script.

Every string that comes from the warehouse goes through ``esc`` (HTML text and attribute
values) or through ``embed_json`` (the numbers for the script), so a marketplace, team or KPI
name containing ``<``, ``&`` or quotes is shown as written and never becomes markup.
Elements that belong to one month (``data-month``) or one marketplace (``data-marketplace``,
``data-scope``) are all rendered; the script shows those of the month and marketplace picked.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

from dashboard import labels
from dashboard.panels import STALE_LAG_DAYS, team_label
from dashboard.queries import DashboardData

TITLE = "Seller KPI dashboard"
UNIT_CAPTIONS = {"percent": "%", "hours": "hours", "days": "days", "count": "count"}
HIGHER = {"higher", "higher_is_better", "up", "increase", "max", "maximize", "at_least", ">="}
LOWER = {"lower", "lower_is_better", "down", "decrease", "min", "minimize", "at_most", "<="}
KPI_RANK = {code: rank for rank, code in enumerate(labels.KPI_NAMES)}
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SCORECARD_COLUMNS = 8
UNDATED = "no dated records (settings only)"  # ads profiles, shop settings: loaded, not dated


def esc(value: Any) -> str:
    """Text or attribute value, HTML-escaped (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def embed_json(payload: dict[str, Any]) -> str:
    """JSON safe inside <script type="application/json">: no ``<``, ``>`` or ``&`` at all.

    ``</script>`` or ``<!--`` in a name would otherwise end the element early; JSON's
    ``\\u003c`` escapes read back as the same characters.
    """
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_page(data: DashboardData) -> str:
    """The complete, self-contained page."""
    months = sorted(
        {str(row["month"]) for row in (data.scorecard or []) + (data.people or [])},
        reverse=True,
    )
    scored = sorted({str(row["month"]) for row in data.scorecard or []}, reverse=True)
    selected_month = (scored or months or [""])[0]
    names = {m["id"]: m["label"] for m in data.marketplaces}
    parts = {
        "title": esc(TITLE),
        "subtitle": esc(
            f"Built {data.generated_at} from {_version(data)}. Amounts in "
            f"{data.reporting_currency} (the reporting currency); days are each marketplace's "
            "local days."
        ),
        "marketplace_options": _options(
            [(m["id"], m["label"]) for m in data.marketplaces], labels.ALL_MARKETPLACES
        ),
        "missing": _missing(data.missing),
        "month_picker": _month_picker(data, months, selected_month),
        "scorecard": _scorecard(data, selected_month),
        "trends_note": esc(_trends_note(data)),
        "trends": _trend_figures(data),
        "people": _people(data, names, selected_month),
        "freshness": _freshness(data, names),
        "reading_guide": _reading_guide(data.reporting_currency),
        "style": _static("dashboard.css"),
        "script": _static("dashboard.js"),
        "data": embed_json(data.as_json()),
    }
    template = _template("index.html")
    return PLACEHOLDER.sub(lambda match: parts[match.group(1)], template)


def month_label(month: str) -> str:
    """``November 2026`` from ``2026-11-01`` (or ``2026-11``)."""
    try:
        day = dt.date.fromisoformat(month[:10] if len(month) >= 10 else f"{month[:7]}-01")
    except ValueError:
        return month
    return day.strftime("%B %Y")


def direction_sign(direction: str | None) -> str:
    key = (direction or "").strip().lower()
    if key in HIGHER:
        return "≥ "
    if key in LOWER:
        return "≤ "
    return ""


# ---- scorecard ----


def _month_picker(data: DashboardData, months: list[str], selected: str) -> str:
    if not months:
        return ""
    provisional = {
        str(row["month"])
        for row in (data.scorecard or []) + (data.people or [])
        if row["is_provisional"]
    }
    options = [
        (month, month_label(month) + (" (provisional)" if month in provisional else ""))
        for month in months
    ]
    return (
        '<label class="picker">Month <select id="month-picker">'
        + _options(options, selected)
        + "</select></label>"
    )


def _scorecard(data: DashboardData, selected_month: str) -> str:
    """One table body per month and marketplace; the script shows the one picked."""
    rows = data.scorecard
    if rows is None:
        return _unavailable("marts.kpi_scorecard_monthly", "the monthly scorecard")
    if not rows:
        return '<p class="unavailable">No KPI has a target yet: the scorecard is empty.</p>'
    groups: dict[tuple[str, str], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((str(row["month"]), row["marketplace_id"]), []).append(index)
    names = {m["id"]: m["label"] for m in data.marketplaces}
    glances, bodies = [], []
    for (month, marketplace), indexes in sorted(groups.items()):
        shown = month == selected_month and marketplace == labels.ALL_MARKETPLACES
        attributes = f'data-month="{esc(month)}" data-marketplace="{esc(marketplace)}"' + (
            "" if shown else " hidden"
        )
        group = [rows[index] for index in indexes]
        glances.append(_glance(group, month, names.get(marketplace, marketplace), attributes))
        ordered = sorted(
            indexes,
            key=lambda i: (
                labels.domain_rank(rows[i]["domain"]),
                KPI_RANK.get(rows[i]["kpi"], len(KPI_RANK)),
                rows[i]["kpi"],
            ),
        )
        body = [f"<tbody {attributes}>"]
        domain: object = object()
        for index in ordered:
            row = rows[index]
            if row["domain"] != domain:
                domain = row["domain"]
                name = esc(labels.domain_name(row["domain"]))
                body.append(
                    f'<tr class="domain"><th colspan="{SCORECARD_COLUMNS}">{name}</th></tr>'
                )
            body.append(_scorecard_row(index, row, data.kpi_units, data.reporting_currency))
        body.append("</tbody>")
        bodies.append("\n".join(body))
    header = "".join(
        ('<th class="number">' if numeric else "<th>") + f"{esc(title)}</th>"
        for title, numeric in (
            ("KPI", False),
            ("Actual", True),
            ("Target", True),
            ("Actual against target", False),
            ("Difference", True),
            ("Status", False),
            ("Guardrail (checked beside it)", False),
            ("Data up to", False),
        )
    )
    return (
        "\n".join(glances)
        + f'\n<table class="scorecard">\n<thead><tr>{header}</tr></thead>\n'
        + "\n".join(bodies)
        + "\n</table>\n"
        + '<p id="scorecard-none" class="unavailable" hidden>'
        + "No target is set for this marketplace and month.</p>"
    )


def _glance(rows: list[dict[str, Any]], month: str, marketplace: str, attributes: str) -> str:
    counts = Counter(labels.status_class(row["status"]) for row in rows)
    parts = [
        f'<span class="count {css}">{counts[css]}</span> {words}'
        for css, words in (
            ("on-track", "on track"),
            ("at-risk", "at risk"),
            ("off-track", "off track"),
            ("no-status", "not judged (no actual yet)"),
        )
        if counts[css] or css != "no-status"
    ]
    return (
        f'<p class="glance" {attributes}><strong>{esc(month_label(month))}, '
        f"{esc(marketplace)}:</strong> " + " · ".join(parts) + "</p>"
    )


def _scorecard_row(index: int, row: dict[str, Any], units: dict[str, str], currency: str) -> str:
    unit = labels.display_unit(row["kpi"], row["unit"])
    status = labels.status_class(row["status"])
    actual = labels.format_value(row["actual"], unit, currency)
    sign = direction_sign(row["direction"])
    target = sign + labels.format_value(row["target"], unit, currency)
    if row["target"] is None:
        target = "no target"
    to_date = row.get("is_partial_month") and row.get("target_to_date") is not None
    target_cell = esc(target)
    if to_date and row["target_to_date"] != row["target"]:
        so_far = labels.format_value(row["target_to_date"], unit, currency)
        days = (
            f" ({int(row['days_covered'])} of {int(row['days_in_month'])} days)"
            if row.get("days_covered") is not None and row.get("days_in_month") is not None
            else ""
        )
        target_cell += f'<br><span class="lag">to date{esc(days)}: {esc(sign + so_far)}</span>'
    judged_against = (
        sign + labels.format_value(row["target_to_date"], unit, currency) + " to date"
        if to_date
        else target
    )
    variance = row.get("variance_to_date") if to_date else row["variance"]
    difference = labels.format_variance(variance, unit, currency)
    if to_date:
        difference += " to date"
    elif row["variance_pct"] is not None:
        difference += f" ({labels.format_percent(row['variance_pct'])})"
    provisional = (
        ' <span class="tag" title="Its newest days may still change">provisional</span>'
        if row["is_provisional"]
        else ""
    )
    return (
        f'<tr class="kpi-row {status}" data-kpi="{esc(row["kpi"])}">'
        f'<td><span class="kpi-name">{esc(labels.kpi_name(row["kpi"]))}</span>{provisional}</td>'
        f'<td class="number">{esc(actual)}</td>'
        f'<td class="number">{target_cell}</td>'
        f'<td class="bullet-cell" data-row="{index}" data-status="{status}" '
        f'data-actual-text="{esc(actual)}" data-target-text="{esc(judged_against)}"></td>'
        f'<td class="number">{esc(difference)}</td>'
        f'<td><span class="status {status}">{esc(row["status"] or "no actual yet")}</span></td>'
        f"<td>{_guardrail(row, units, currency)}</td>"
        f"<td>{_lag(row['newest_data_date'], row['data_lag_days'])}</td>"
        "</tr>"
    )


def _guardrail(row: dict[str, Any], units: dict[str, str], currency: str) -> str:
    kpi = row["guardrail_kpi"]
    if not kpi:
        return '<span class="lag">none</span>'
    unit = labels.display_unit(kpi, units.get(kpi))
    status = labels.status_class(row["guardrail_status"])
    target = (
        f" (target {labels.format_value(row['guardrail_target'], unit, currency)})"
        if row["guardrail_target"] is not None
        else " (no target)"
    )
    return (
        f'<span class="guardrail" data-guardrail="{esc(kpi)}">'
        f"{esc(labels.kpi_name(kpi))}: "
        f"{esc(labels.format_value(row['guardrail_actual'], unit, currency))}{esc(target)}"
        f'<span class="status {status}">{esc(row["guardrail_status"] or "not judged")}</span>'
        "</span>"
    )


def _lag(newest: str | None, lag: float | None, *, undated: str = "no data") -> str:
    """The newest data day, and below it how many days that is behind the last load."""
    if newest is None:
        stale = " stale" if undated == "no data" else ""
        return f'<span class="lag{stale}">{esc(undated)}</span>'
    behind = ""
    if lag is not None:
        behind = f"<br>{int(lag)} day{'' if int(lag) == 1 else 's'} behind"
    stale = lag is not None and lag >= STALE_LAG_DAYS
    return f'<span class="lag{" stale" if stale else ""}">{esc(_day(newest))}{behind}</span>'


# ---- daily trends ----


def _trend_figures(data: DashboardData) -> str:
    if not data.trends:
        return _unavailable("marts.kpi_sales_daily", "the daily sales")
    figures = []
    for chart in data.trends:
        unit = (
            data.reporting_currency
            if chart["unit"] == "currency"
            else UNIT_CAPTIONS.get(chart["unit"], chart["unit"])
        )
        figures.append(
            f'<figure class="trend" id="trend-{esc(chart["id"])}" data-chart="{esc(chart["id"])}">'
            f"<figcaption><h3>{esc(chart['title'])} ({esc(unit)})</h3>"
            f'<p class="note">{esc(chart["note"])}</p></figcaption>'
            f'<svg class="chart" role="img" aria-label="{esc(chart["title"])}, per day"></svg>'
            '<ul class="legend"></ul></figure>'
        )
    return "\n".join(figures)


def _trends_note(data: DashboardData) -> str:
    if data.trend_window is None:
        return "No daily KPI rows yet."
    start = dt.date.fromisoformat(data.trend_window["start"])
    end = dt.date.fromisoformat(data.trend_window["end"])
    return (
        f"{start:%b %-d} to {end:%b %-d, %Y}. Shaded days are provisional: refunds arrive for "
        "about two weeks after an order and ad attribution settles in about four, so their "
        "figures may still change. Hover a point for its value."
    )


# ---- sales per head and freshness ----


def _people(data: DashboardData, names: dict[str, str], selected_month: str) -> str:
    if data.people is None:
        body = _unavailable("marts.kpi_people_monthly", "sales per head")
    elif not data.people:
        body = '<p class="unavailable">No headcount is recorded yet.</p>'
    else:
        currency = data.reporting_currency
        groups: dict[str, list[str]] = {}
        for row in data.people:
            provisional = ' <span class="tag">provisional</span>' if row["is_provisional"] else ""
            numbers = (
                labels.format_value(row["headcount"], "count", currency),
                labels.format_value(row["net_sales"], "money", currency),
                labels.format_value(row["net_sales_per_head"], "money", currency),
            )
            groups.setdefault(str(row["month"]), []).append(
                "<tr>"
                f"<td>{esc(team_label(row['team'], row['sales_marketplace_id'], names))}"
                f"{provisional}</td>"
                + "".join(f'<td class="number">{esc(number)}</td>' for number in numbers)
                + "</tr>"
            )
        bodies = "\n".join(
            f'<tbody data-month="{esc(month)}"{"" if month == selected_month else " hidden"}>'
            + "".join(lines)
            + "</tbody>"
            for month, lines in sorted(groups.items(), reverse=True)
        )
        body = (
            '<div class="two-columns">'
            '<figure class="panel" id="panel-people" data-unit="currency">'
            f"<figcaption><h3>Net sales per head ({esc(currency)})</h3></figcaption>"
            '<svg class="chart" role="img" aria-label="Net sales per head by team"></svg>'
            "</figure>"
            '<table class="people"><thead><tr><th>Team · sells on</th>'
            '<th class="number">Headcount</th><th class="number">Net sales</th>'
            '<th class="number">Net sales per head</th></tr></thead>'
            f"{bodies}</table></div>"
        )
    return (
        '<section id="people" aria-labelledby="people-title"><div class="section-head">'
        '<h2 id="people-title">Sales per head</h2><p class="section-note">'
        "Net sales of the marketplaces each team sells on, in the month picked above, divided "
        "by the team's headcount. All teams: net sales of every marketplace / everyone."
        f"</p></div>{body}</section>"
    )


def _freshness(data: DashboardData, names: dict[str, str]) -> str:
    if data.freshness is None:
        body = _unavailable("marts.kpi_source_freshness", "the freshness of each source")
    elif not data.freshness:
        body = '<p class="unavailable">Nothing has been loaded yet.</p>'
    else:
        lines = []
        for row in data.freshness:
            scope = row["marketplace_id"]
            where = "all marketplaces" if scope == labels.ALL_MARKETPLACES else names.get(scope)
            lines.append(
                f'<tr data-scope="{esc(scope)}">'
                f"<td>{esc(labels.stream_name(row['source_stream']))}</td>"
                f"<td>{esc(where or labels.marketplace_label(scope, {}))}</td>"
                f"<td>{_lag(row['newest_event_date'], row['data_lag_days'], undated=UNDATED)}</td>"
                f'<td class="lag">{esc(_moment(row["last_loaded_at"]))}</td>'
                "</tr>"
            )
        body = (
            '<div class="two-columns">'
            '<figure class="panel" id="panel-freshness" data-unit="days">'
            "<figcaption><h3>Days behind, per source (fewer is fresher)</h3></figcaption>"
            '<svg class="chart" role="img" aria-label="Days behind per source"></svg>'
            "</figure>"
            '<table class="freshness"><thead><tr><th>Source</th><th>Marketplace</th>'
            "<th>Newest data day</th><th>Last loaded</th></tr></thead>"
            f"<tbody>{''.join(lines)}</tbody></table></div>"
        )
    as_of = {row["as_of_at"] for row in data.freshness or [] if row["as_of_at"]}
    measured = f" Measured at the last load, {_moment(max(as_of))}." if as_of else ""
    return (
        '<section id="freshness" aria-labelledby="freshness-title"><div class="section-head">'
        '<h2 id="freshness-title">How fresh the data is</h2><p class="section-note">'
        + esc(
            "Days between each source's newest data day and the night's load. A source "
            f"{STALE_LAG_DAYS} days or more behind is red: the KPIs it feeds are not last "
            "night's numbers." + measured
        )
        + f"</p></div>{body}</section>"
    )


# ---- small pieces ----


def _version(data: DashboardData) -> str:
    if data.publication is None:
        return "the warehouse of the last successful nightly run"
    return (
        f"warehouse version {data.publication['version']}, published "
        f"{_moment(data.publication['published_at'])}"
    )


def _reading_guide(currency: str) -> str:
    items = [
        "Ratios (refund rate, ACoS, on-time rate, response time) are computed from sums over the "
        "period and marketplaces shown, never as averages of daily ratios.",
        "A ratio with nothing to divide by (no orders, no clicks, no answered ticket) is left "
        "empty (n/a, a gap in a line), never shown as 0.",
        f"Money is in {currency} at the European Central Bank rate of each local day.",
        "All marketplaces adds up each marketplace's own local days; its daily lines stop at the "
        "last day every marketplace has reported.",
        "A month in progress is judged against its target to date: the monthly target pro-rated "
        "to the days covered for totals (sales, spend), the target itself for ratios.",
        "A guardrail is the KPI checked beside a growth KPI: sales bought with refunds or "
        "cancellations are not growth, so both should be on track.",
        "Data up to: the newest day of the data behind a KPI and how many days that is behind "
        f"the last load; {STALE_LAG_DAYS} days or more is shown in red.",
    ]
    return "\n".join(f"    <li>{esc(item)}</li>" for item in items)


def _missing(missing: list[str]) -> str:
    if not missing:
        return ""
    items = "".join(f"<li><code>{esc(name)}</code></li>" for name in missing)
    return (
        '<section class="missing" id="missing-tables"><h2>Parts of this page are empty</h2>'
        "<p>These tables are not in the warehouse yet (a first run, or a build that stopped "
        f"before them):</p><ul>{items}</ul></section>"
    )


def _unavailable(table: str, what: str) -> str:
    return (
        f'<p class="unavailable">Not available yet: {esc(table)}, where {esc(what)} '
        "comes from, is not in this warehouse.</p>"
    )


def _options(options: list[tuple[str, str]], selected: str) -> str:
    return "".join(
        f'<option value="{esc(value)}"{" selected" if value == selected else ""}>'
        f"{esc(label)}</option>"
        for value, label in options
    )


def _day(value: str) -> str:
    return dt.date.fromisoformat(str(value)[:10]).strftime("%b %-d, %Y")


def _moment(value: str | None) -> str:
    if not value:
        return "never"
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%b %-d, %Y %H:%M UTC")


def _static(name: str) -> str:
    return resources.files("dashboard").joinpath("static", name).read_text(encoding="utf-8")


def _template(name: str) -> str:
    return resources.files("dashboard").joinpath("templates", name).read_text(encoding="utf-8")
