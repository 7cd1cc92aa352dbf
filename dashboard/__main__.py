"""Re-render the KPI dashboard from the published warehouse: ``python -m dashboard``.

``make dashboard`` runs this. It reads the copy analysts query (``KPI_PUBLISHED_PATH``, default
``data/warehouse.duckdb``), never the file the nightly job is building, and writes
``data/dashboard/index.html`` (``KPI_DASHBOARD_PATH``). Open that file in any browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
from dotenv import load_dotenv

from connectors.warehouse import published_path
from dashboard.build import dashboard_path, render_dashboard


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="DuckDB file to read (default: published)")
    parser.add_argument("--out", type=Path, help="HTML file to write")
    args = parser.parse_args(argv)
    load_dotenv(Path.cwd() / ".env", override=False)  # REPORTING_CURRENCY, paths

    warehouse = args.warehouse or published_path()
    out = args.out or dashboard_path()
    if not warehouse.exists():
        print(
            f"error: {warehouse} does not exist yet; run `make run` (sandbox) or "
            "`make nightly` first.",
            file=sys.stderr,
        )
        return 2
    try:
        rendered = render_dashboard(warehouse, out)
    except duckdb.IOException as exc:
        print(f"error: cannot read {warehouse}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"KPI dashboard written to {rendered.path} ({rendered.bytes:,} bytes)")
    for table in rendered.missing:
        print(f"  empty section: {table} is not in {warehouse}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
