"""The page in a real browser: headless Chromium runs the page's script on the hand-made
warehouse's page, and the DOM it leaves behind must hold every chart's data points.

Chromium gets a fresh profile per run and cannot reach any host: every name resolves to
nothing and every request would go to a closed port on 127.0.0.1 (the page asks for nothing;
its Content-Security-Policy forbids it anyway). A full-page screenshot is kept in
test-artifacts/dashboard/ (gitignored) as the run's artefact, with the page it shows.
Expected mark counts are worked out by hand from tests/dashboard/warehouse.py.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from tests.dashboard import dom
from tests.dashboard.conftest import Page
from tests.dashboard.warehouse import DE, HOSTILE_TEAM, US

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
BROWSER_TIMEOUT_S = 120
WINDOW_WIDTH = 1400
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # nothing leaves the machine: no name resolves, every request goes to a closed local port
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y "
        "chromium): the dashboard's charts are drawn by its script, only a browser shows them"
    ),
)


def chromium(tmp_path: Path, url: str, *arguments: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    result = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments, url],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def rendered_dom(tmp_path: Path, page: Page, fragment: str = "") -> dom.Element:
    # the screenshot's width, so the page height measured by the script is the screenshot's
    window = f"--window-size={WINDOW_WIDTH},900"
    result = chromium(tmp_path, page.path.as_uri() + fragment, window, "--dump-dom")
    tree = dom.parse(result.stdout)
    body = tree.find("body")
    assert body.attrs.get("data-rendered") == "true", "the page's script did not finish"
    return tree


def marks(chart: dom.Element) -> list[dom.Element]:
    return chart.find_all(cls="mark")


def chart_of(tree: dom.Element, figure_id: str) -> dom.Element:
    return tree.find(id=figure_id).find("svg", cls="chart")


@pytest.fixture(scope="module")
def default_view(page: Page, tmp_path_factory: pytest.TempPathFactory) -> dom.Element:
    return rendered_dom(tmp_path_factory.mktemp("chromium"), page)


def test_every_chart_of_the_default_view_holds_its_data_points(default_view):
    expected = {
        # all marketplaces, 11-25..11-29: 5 GMV bars + 5 net sales points
        "trend-sales": 10,
        # 5 days, each with a refund rate (11-27: 5 of 20 DE orders)
        "trend-refund_rate": 5,
        # US only: ACoS and TACoS on 11-26 and 11-28 (11-27 spent without sales: no point)
        "trend-ads": 4,
        # 11-25 only, the last day both marketplaces shipped
        "trend-on_time_shipment": 1,
        # 11-25 calendar and business hours; 11-26 answered nothing
        "trend-first_response": 2,
        # November: all teams and two teams
        "panel-people": 3,
        # four sources with dated records (the ads profiles have none)
        "panel-freshness": 4,
    }
    for figure_id, count in expected.items():
        chart = chart_of(default_view, figure_id)
        assert len(marks(chart)) == count, figure_id
        assert chart.attrs["data-marks"] == str(count), figure_id


def test_the_points_carry_their_day_value_and_provisional_flag(default_view):
    sales = chart_of(default_view, "trend-sales")
    bars = {bar.attrs["data-date"]: bar for bar in sales.find_all("rect", cls="mark")}
    assert sorted(bars) == [f"2026-11-{day}" for day in range(25, 30)]
    assert float(bars["2026-11-27"].attrs["data-value"]) == 200  # 0 (US) + 200 (DE)
    provisional = [m.attrs["data-date"] for m in marks(sales) if "provisional" in m.classes]
    assert sorted(provisional) == ["2026-11-28"] * 2 + ["2026-11-29"] * 2  # bar and point
    assert [m.attrs["data-provisional"] for m in marks(sales)].count("true") == 4
    assert len(sales.find_all("rect", cls="band")) == 1  # one run of provisional days
    title = bars["2026-11-28"].find("title").text()
    assert title == "Nov 28, 2026: GMV 400.00 USD (provisional: may still change)"


def test_the_scorecard_shows_one_bullet_per_kpi_of_the_month_and_marketplace(default_view):
    body = default_view.find("tbody", data_month="2026-11-01", data_marketplace="all")
    assert not body.is_hidden()
    bullets = body.find_all("svg", cls="bullet")
    assert len(bullets) == 5  # gmv, refund rate, on-time, ACoS, first response
    assert all(len(marks(bullet)) == 2 for bullet in bullets)  # actual bar and target tick
    gmv = body.find("tr", data_kpi="gmv").find("svg", cls="bullet")
    actual = gmv.find("rect", cls="actual")
    assert "off-track" in actual.classes
    # scale: the larger of 700 and the 1,000 to date, x 1.15 = 1,150 over 150 px:
    # 700 / 1,150 x 150 = 91.30 px; the tick at 1,000 / 1,150 x 150 = 130.43 px
    assert float(actual.attrs["width"]) == pytest.approx(91.30, abs=0.01)
    assert float(gmv.find("line", cls="target").attrs["x1"]) == pytest.approx(130.43, abs=0.01)
    hidden = default_view.find("tbody", data_month="2026-10-01", data_marketplace="all")
    assert hidden.is_hidden()


def test_names_from_the_data_stay_text_in_the_browser(default_view):
    assert default_view.find_all(cls="injected") == []
    assert len(default_view.find_all("script")) == 2
    people = chart_of(default_view, "panel-people").find_all("text", cls="bar-label")
    labels = {label.own_text(): label for label in people}
    # shortened to 50 characters (49 and an ellipsis), as text
    hostile = labels['<script>alert("team")</script> & <i class="inject…']
    assert hostile.find("title").text() == f"{HOSTILE_TEAM} · Amazon.de (DE)"


def test_a_marketplace_picked_in_the_fragment_redraws_every_chart_for_it(page, tmp_path):
    tree = rendered_dom(tmp_path, page, f"#marketplace={DE}&month=2026-11-01")
    assert tree.find("select", id="marketplace-picker").find("option", value=DE)
    # DE: 6 days, 6 GMV bars + 6 net sales points; every day has orders: 6 refund rates
    assert len(marks(chart_of(tree, "trend-sales"))) == 12
    assert len(marks(chart_of(tree, "trend-refund_rate"))) == 6
    ads = chart_of(tree, "trend-ads")
    assert marks(ads) == [] and ads.attrs["data-marks"] == "0"
    assert "No data for this marketplace" in ads.text()
    # its own orders (0 days) and the shared help desk (4 days)
    freshness = chart_of(tree, "panel-freshness")
    assert [float(bar.attrs["data-value"]) for bar in marks(freshness)] == [0, 4]
    # no target is set for DE: the scorecard says so
    assert not tree.find(id="scorecard-none").is_hidden()
    assert all(body.is_hidden() for body in tree.find(id="scorecard").find_all("tbody"))
    us = rendered_dom(tmp_path, page, f"#marketplace={US}")
    assert not us.find("tbody", data_month="2026-11-01", data_marketplace=US).is_hidden()


def test_a_full_page_screenshot_is_kept_as_the_runs_artefact(page, default_view, tmp_path):
    height = int(default_view.find("body").attrs["data-page-height"])
    assert height > 1000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "index.png"
    screenshot.unlink(missing_ok=True)
    chromium(
        tmp_path,
        page.path.as_uri(),
        f"--window-size={WINDOW_WIDTH},{height}",
        f"--screenshot={screenshot}",
    )
    shutil.copyfile(page.path, ARTIFACTS / "index.html")
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, tall = struct.unpack(">II", header[16:24])
    assert (width, tall) == (WINDOW_WIDTH, height)
