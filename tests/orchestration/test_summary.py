"""The summary printed after a run: its rows-per-stream table stays aligned for any asset name."""

from __future__ import annotations

from orchestration.publish import PublishTarget
from orchestration.summary import RunOutcome, render_summary


def test_counts_line_up_in_columns_however_long_the_asset_names(tmp_path) -> None:
    outcome = RunOutcome(
        succeeded=False,
        rows={
            "raw/fx_rates": {"records_fetched": 70, "inserted": 70, "updated": 0},
            "raw/amazon_ads_sp_advertised_products": {
                "records_fetched": 8_631,
                "inserted": 8_631,
                "updated": 12,
                "quarantined": 2,
            },
        },
    )
    text = render_summary(outcome, tmp_path / "none.duckdb", PublishTarget(tmp_path / "p.duckdb"))
    table = [line for line in text.splitlines() if line.startswith("  raw/")]

    assert [line.split()[0] for line in table] == [
        "raw/amazon_ads_sp_advertised_products",
        "raw/fx_rates",
    ]
    # the same column for every separator: names padded to the longest
    assert len({tuple(i for i, c in enumerate(line) if c == "/" and i > 40) for line in table}) == 1
    assert table[0].endswith("8,631 /     8,631 /        12  (2 quarantined: see raw._quarantine)")
    assert table[1].endswith("   70 /        70 /         0")
