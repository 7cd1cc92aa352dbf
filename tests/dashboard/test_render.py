"""The page rendered from the hand-made warehouse (tests/dashboard/warehouse.py): what a manager
reads in the tables, what the charts are given to draw, and what the file must never contain.
Expected figures are worked out by hand beside each assertion."""

from __future__ import annotations

import html
import re
import stat
from datetime import UTC, datetime

import pytest

from connectors.warehouse import connect
from dashboard.build import dashboard_path, render_dashboard, write_atomically
from dashboard.labels import format_value, format_variance
from tests.dashboard import warehouse
from tests.dashboard.conftest import Page, read_page
from tests.dashboard.warehouse import DE, HOSTILE_TEAM, US

NOVEMBER, OCTOBER = "2026-11-01", "2026-10-01"


def scorecard_rows(page: Page, month: str, marketplace: str) -> dict:
    body = page.tree.find("tbody", data_month=month, data_marketplace=marketplace)
    return {row.attrs["data-kpi"]: row for row in body.find_all("tr", cls="kpi-row")}


def trend(page: Page, chart_id: str) -> dict:
    return next(chart for chart in page.data["trends"] if chart["id"] == chart_id)


def panel(page: Page, panel_id: str) -> dict:
    return next(panel for panel in page.data["panels"] if panel["id"] == panel_id)


def close(values: list, expected: list) -> bool:
    return len(values) == len(expected) and all(
        (v is None and e is None) or (v is not None and e is not None and abs(v - e) < 1e-9)
        for v, e in zip(values, expected, strict=True)
    )


# ---- the scorecard ----


def test_each_kpi_row_carries_the_class_of_its_status(page: Page):
    rows = scorecard_rows(page, NOVEMBER, "all")
    classes = {kpi: row.classes & {"on-track", "at-risk", "off-track"} for kpi, row in rows.items()}
    assert classes == {
        "gmv": {"off-track"},  # 700 against 1,000 to date: 300 short, more than 10 % of 1,000
        "refund_rate": {"at-risk"},
        "on_time_shipment_rate": {"on-track"},
        "acos": {"on-track"},
        "first_response_minutes": {"on-track"},
    }
    badge = rows["gmv"].find_all("td")[5].find("span", cls="status")
    assert badge.classes == {"status", "off-track"} and badge.text() == "off track"


def test_a_month_in_progress_shows_the_target_to_date_and_the_difference_against_it(page):
    cells = scorecard_rows(page, NOVEMBER, "all")["gmv"].find_all("td")
    assert cells[0].text() == "GMV (gross sales) provisional"
    assert cells[1].text() == "700.00 USD"
    # 5,000 for the month; to date 5,000 x 6 / 30 = 1,000
    assert cells[2].text() == "≥ 5,000.00 USD to date (6 of 30 days): ≥ 1,000.00 USD"
    assert cells[3].attrs["data-target-text"] == "≥ 1,000.00 USD to date"
    assert cells[4].text() == "−300.00 USD to date"  # 700 - 1,000


def test_a_complete_month_shows_the_difference_and_its_share_of_the_target(page):
    cells = scorecard_rows(page, OCTOBER, "all")["gmv"].find_all("td")
    assert cells[2].text() == "≥ 8,000.00 USD"
    assert cells[4].text() == "+1,000.00 USD (+12.5 %)"  # 9,000 - 8,000; 1,000 / 8,000
    assert "provisional" not in cells[0].text()


def test_rates_read_as_percentages_and_minutes_as_hours(page):
    rows = scorecard_rows(page, NOVEMBER, "all")
    refund = [cell.text() for cell in rows["refund_rate"].find_all("td")]
    assert refund[1:3] == ["5.30 %", "≤ 5.00 %"]
    assert refund[4] == "+0.30 pts to date"  # 5.3 % - 5.0 %, in percentage points
    response = [cell.text() for cell in rows["first_response_minutes"].find_all("td")]
    assert response[1:3] == ["1 h 40 min", "≤ 2 h 00 min"]  # 100 and 120 minutes


def test_the_guardrail_sits_beside_the_growth_kpi_with_its_own_status(page):
    rows = scorecard_rows(page, NOVEMBER, "all")
    guardrail = rows["gmv"].find("span", cls="guardrail")
    assert guardrail.attrs["data-guardrail"] == "refund_rate"
    assert guardrail.text() == (
        "Refund rate (orders refunded, by order date): 5.30 % (target 5.00 %) at risk"
    )
    assert guardrail.find("span", cls="status").classes == {"status", "at-risk"}
    assert rows["acos"].find_all("td")[6].text() == "none"


def test_a_kpi_whose_data_is_a_week_old_or_more_is_marked_stale(page):
    rows = scorecard_rows(page, NOVEMBER, "all")
    acos_lag = rows["acos"].find_all("td")[7].find("span", cls="lag")
    assert acos_lag.text() == "Nov 20, 2026 10 days behind"
    assert "stale" in acos_lag.classes
    response_lag = rows["first_response_minutes"].find_all("td")[7].find("span", cls="lag")
    assert response_lag.text() == "Nov 26, 2026 4 days behind"
    assert "stale" not in response_lag.classes


def test_the_glance_counts_statuses_of_the_month_and_marketplace(page):
    glance = page.tree.find("p", cls="glance", data_month=NOVEMBER, data_marketplace="all")
    # gmv off track; refund rate at risk; on-time, ACoS, first response on track
    assert glance.text() == (
        "November 2026, All marketplaces: 3 on track · 1 at risk · 1 off track"
    )


def test_the_newest_month_and_all_marketplaces_are_shown_first(page):
    picker = page.tree.find("select", id="month-picker")
    options = [(o.attrs["value"], o.text(), "selected" in o.attrs) for o in picker.find_all()]
    assert options == [
        (NOVEMBER, "November 2026 (provisional)", True),
        (OCTOBER, "October 2026", False),
    ]
    assert not page.tree.find("tbody", data_month=NOVEMBER, data_marketplace="all").is_hidden()
    assert page.tree.find("tbody", data_month=NOVEMBER, data_marketplace=US).is_hidden()
    assert page.tree.find("tbody", data_month=OCTOBER, data_marketplace="all").is_hidden()
    marketplaces = page.tree.find("select", id="marketplace-picker").find_all("option")
    assert [(o.attrs["value"], o.text()) for o in marketplaces] == [
        ("all", "All marketplaces"),
        (US, "Amazon.com (US)"),
        (DE, "Amazon.de (DE)"),
    ]


# ---- the numbers the charts draw ----


def test_daily_ratios_are_ratios_of_sums_over_the_marketplaces(page):
    refunds = trend(page, "refund_rate")["by_marketplace"]
    assert refunds["all"]["dates"] == [f"2026-11-{day}" for day in range(25, 30)]
    assert close(
        refunds["all"]["values"]["refund_rate"],
        [
            3 / 50,  # 11-25: (1 + 2) / (10 + 40)
            0 / 30,  # 11-26: (0 + 0) / (20 + 10)
            5 / 20,  # 11-27: (0 + 5) / (0 + 20), not the average of n/a and 25 %
            3 / 40,  # 11-28: (3 + 0) / (30 + 10)
            1 / 15,  # 11-29: (0 + 1) / (5 + 10)
        ],
    )
    # US 11-27 has no order: no refund rate (a gap), never 0
    assert close(refunds[US]["values"]["refund_rate"], [0.1, 0.0, None, 0.1, 0.0])


def test_the_all_marketplaces_line_stops_at_the_last_day_every_marketplace_has(page):
    sales = trend(page, "sales")["by_marketplace"]
    # DE reaches 11-30, US only 11-29: a total for 11-30 would hold DE alone
    assert sales[DE]["dates"][-1] == "2026-11-30"
    assert sales["all"]["dates"][-1] == "2026-11-29"
    # gmv 100 + 400, 200 + 100, 0 + 200, 300 + 100, 50 + 100
    assert close(sales["all"]["values"]["gmv"], [500, 300, 200, 400, 150])
    assert close(sales["all"]["values"]["net_sales"], [470, 280, 150, 370, 140])
    assert sales["all"]["provisional"] == [False, False, False, True, True]
    # fulfilment: DE ships only on 11-25, so all marketplaces has that day alone:
    # (9 + 5) / (10 + 5) = 14 / 15
    on_time = trend(page, "on_time_shipment")["by_marketplace"]
    assert on_time["all"]["dates"] == ["2026-11-25"]
    assert close(on_time["all"]["values"]["on_time_shipment_rate"], [14 / 15])
    assert close(on_time[US]["values"]["on_time_shipment_rate"], [0.9, None, 0.75])


def test_acos_and_tacos_use_the_7_day_attribution_rows_only(page):
    ads = trend(page, "ads")["by_marketplace"]
    assert set(ads) == {"all", US}
    assert ads[US]["dates"] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    # 11-26: 10 / 40 (the 14-day row would make it (10 + 10) / (40 + 80)); 11-27 spends 5
    # without sales: n/a; 11-28: 30 / 100
    assert close(ads[US]["values"]["acos"], [0.25, None, 0.3])
    assert close(ads[US]["values"]["tacos"], [10 / 200, None, 30 / 300])


def test_unmapped_support_tickets_count_in_the_total_only(page):
    support = trend(page, "first_response")["by_marketplace"]
    assert set(support) == {"all", US}
    # 11-25: (240 + 60) minutes / 60 / (2 + 1) answered = 5/3 h; business (120 + 60) / 60 / 3
    assert close(support["all"]["values"]["first_response_hours"], [5 / 3, None])
    assert close(support["all"]["values"]["first_response_business_hours"], [1.0, None])
    assert close(support[US]["values"]["first_response_hours"], [2.0, None])  # 240 / 60 / 2


def test_sales_per_head_and_freshness_panels(page):
    people = panel(page, "people")
    # all teams first, then by team name ('<' sorts before 'U')
    assert [(bar["label"], bar["value"]) for bar in people["groups"][NOVEMBER]] == [
        ("All teams", 306.0),  # 1,530 / 5
        (f"{HOSTILE_TEAM} · Amazon.de (DE)", 310.0),  # 930 / 3
        ("US sales · Amazon.com (US)", 300.0),  # 600 / 2
    ]
    freshness = panel(page, "freshness")["groups"]
    # worst first; the ads profiles have no dated records and the KPI-level row is not a source
    assert [(bar["label"], bar["value"], bar["status"]) for bar in freshness["all"]] == [
        ("Amazon Ads (Sponsored Products) · Amazon.com (US)", 10, "stale"),
        ("Zendesk tickets · all marketplaces", 4, "fresh"),
        ("Amazon orders · Amazon.com (US)", 1, "fresh"),
        ("Amazon orders · Amazon.de (DE)", 0, "fresh"),
    ]
    assert [bar["value"] for bar in freshness[US]] == [10, 1, 4]  # its own, then shared
    assert [bar["value"] for bar in freshness[DE]] == [0, 4]


# ---- what the file must never contain ----


def test_names_from_the_data_are_escaped_and_never_become_markup(page):
    assert HOSTILE_TEAM not in page.html
    assert html.escape(HOSTILE_TEAM, quote=True) in page.html
    # two scripts: the embedded numbers and the page's own code; nothing injected
    assert len(page.tree.find_all("script")) == 2
    assert page.tree.find_all(cls="injected") == []
    data = page.tree.find("script", id="dashboard-data").raw_text()
    assert "<" not in data and ">" not in data and "&" not in data
    assert "\\u003cscript\\u003ealert" in data
    people = page.tree.find("table", cls="people").find("tbody", data_month=NOVEMBER)
    team_cell = people.find_all("td")[4]
    assert team_cell.text() == f"{HOSTILE_TEAM} · Amazon.de (DE) provisional"


def test_the_page_needs_nothing_from_anywhere(page):
    assert re.search(r"[a-z][a-z0-9+.-]*://", page.html, re.IGNORECASE) is None
    assert re.search(r"\b(?:https?|ftp|wss?):", page.html, re.IGNORECASE) is None
    for reference in ("src=", "href=", "url(", "@import", "<link", "<iframe", "<img"):
        assert reference not in page.html.lower(), reference
    csp = page.tree.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert csp.startswith("default-src 'none';")


def test_a_warehouse_without_the_monthly_marts_still_gets_a_page_that_says_so(tmp_path):
    only_sales = {
        name: warehouse.TABLES[name] for name in ("marts.kpi_sales_daily", "staging.marketplaces")
    }
    source = warehouse.build(tmp_path / "warehouse.duckdb", only_sales)
    rendered = render_dashboard(source, tmp_path / "out" / "index.html", currency="EUR")
    page = read_page(rendered.path)
    assert rendered.missing == [
        "marts.kpi_ads_daily",
        "marts.kpi_customer_service_daily",
        "marts.kpi_fulfilment_daily",
        "marts.kpi_people_monthly",
        "marts.kpi_scorecard_monthly",
        "marts.kpi_source_freshness",
    ]
    missing = page.tree.find("section", id="missing-tables").find_all("code")
    assert [code.text() for code in missing] == rendered.missing
    assert "marts.kpi_scorecard_monthly" in page.tree.find("section", id="scorecard").text()
    assert trend(page, "ads")["by_marketplace"] == {}
    assert trend(page, "sales")["by_marketplace"]["all"]["dates"][0] == "2026-11-25"
    assert "Daily sales (EUR)" in page.tree.find("section", id="trends").text()


# ---- the file ----


def test_the_page_replaces_the_previous_one_in_one_rename(tmp_path):
    out = tmp_path / "dashboard" / "index.html"
    out.parent.mkdir()
    out.write_text("last night's page")
    size = write_atomically(out, "tonight's page ✓")
    assert out.read_text(encoding="utf-8") == "tonight's page ✓"
    assert size == len("tonight's page ✓".encode())
    assert sorted(path.name for path in out.parent.iterdir()) == ["index.html"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_the_page_sits_beside_the_published_warehouse_unless_configured(monkeypatch, tmp_path):
    monkeypatch.delenv("KPI_DASHBOARD_PATH", raising=False)
    published = tmp_path / "published" / "warehouse.duckdb"
    assert dashboard_path(published) == tmp_path / "published" / "dashboard" / "index.html"
    monkeypatch.setenv("KPI_PUBLISHED_PATH", str(published))
    assert dashboard_path() == tmp_path / "published" / "dashboard" / "index.html"
    monkeypatch.setenv("KPI_DASHBOARD_PATH", str(tmp_path / "elsewhere.html"))
    assert dashboard_path(published) == tmp_path / "elsewhere.html"


def test_the_build_time_and_currency_are_named_in_the_header(page):
    subtitle = page.tree.find("p", cls="subtitle").text()
    assert subtitle.startswith("Built 2026-11-30 06:30 UTC from the warehouse of the last")
    assert "Amounts in USD (the reporting currency)" in subtitle


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1234.5, "money", "1,234.50 USD"),
        (0.0548, "ratio", "5.48 %"),
        (45, "minutes", "45 min"),
        (125, "minutes", "2 h 05 min"),
        (12.5, "days", "12.5 days"),
        (3283, "count", "3,283"),
        (4.2, "times", "4.20×"),
        (None, "ratio", "n/a"),
        (float("nan"), "money", "n/a"),
    ],
)
def test_values_are_shown_in_their_unit(value, unit, shown):
    assert format_value(value, unit, "USD") == shown


def test_differences_are_signed_and_rates_differ_in_points():
    assert format_variance(-0.012, "ratio", "USD") == "−1.20 pts"
    assert format_variance(250, "money", "EUR") == "+250.00 EUR"
    assert format_variance(0, "count", "USD") == "±0"


def test_a_render_leaves_the_warehouse_closed_for_the_next_writer(fixture_warehouse, tmp_path):
    render_dashboard(fixture_warehouse, tmp_path / "index.html", generated_at=datetime.now(UTC))
    # DuckDB refuses a read-write connection while a read-only one of this process is open
    con = connect(fixture_warehouse)
    con.close()
    assert (tmp_path / "index.html").stat().st_size > 0
