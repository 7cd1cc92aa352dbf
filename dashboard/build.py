"""Render the dashboard of one warehouse file into one HTML file, replaced atomically.

The page is written beside its final name and renamed over it, so a manager who reloads the
page while the job writes it sees the previous night's page or the new one, never half a page.
The warehouse is opened read-only and closed before returning.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from connectors.warehouse import connect, published_path
from dashboard import queries
from dashboard.page import render_page

DASHBOARD_FILE = "index.html"


def dashboard_path(published: Path | None = None) -> Path:
    """``KPI_DASHBOARD_PATH``, else ``dashboard/index.html`` beside the published warehouse
    (``data/dashboard/index.html`` by default): the page sits with what analysts query."""
    configured = os.environ.get("KPI_DASHBOARD_PATH")
    if configured:
        return Path(configured)
    database = published if published is not None else published_path()
    return database.resolve().parent / "dashboard" / DASHBOARD_FILE


def reporting_currency() -> str:
    return os.environ.get("REPORTING_CURRENCY", "USD")


@dataclass(frozen=True)
class RenderedDashboard:
    """What was written: where, how big, and what the page had to leave empty."""

    path: Path
    bytes: int
    charts: int
    scorecard_rows: int
    missing: list[str]


def render_dashboard(
    warehouse: Path,
    out: Path,
    *,
    currency: str | None = None,
    generated_at: dt.datetime | None = None,
) -> RenderedDashboard:
    """Read ``warehouse`` (read-only) and write the page to ``out``."""
    con = connect(warehouse, read_only=True)
    try:
        data = queries.load(
            con,
            reporting_currency=currency or reporting_currency(),
            generated_at=generated_at or dt.datetime.now(dt.UTC),
        )
    finally:
        con.close()
    size = write_atomically(out, render_page(data))
    return RenderedDashboard(
        path=out,
        bytes=size,
        charts=len(data.trends) + len(data.panels),
        scorecard_rows=len(data.scorecard or []),
        missing=data.missing,
    )


def write_atomically(out: Path, text: str) -> int:
    """Write ``text`` to a temporary file in ``out``'s folder, then rename it over ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    encoded = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(encoded)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(encoded)
