"""The two panels drawn as horizontal bars: sales per head by team (per month), and how many
days each source's data is behind the last load (per marketplace).

Each panel is JSON for the page's script: a unit, what picks the bars shown (the month, or the
marketplace), and per choice the bars, each a label, a value and a colour class.
"""

from __future__ import annotations

from typing import Any

from dashboard.labels import ALL_MARKETPLACES, marketplace_label, stream_name

STALE_LAG_DAYS = 7  # a week behind: not "last night's" number (the page marks it red)


def people_panel(
    people: list[dict[str, Any]] | None, names: dict[str, str]
) -> dict[str, Any] | None:
    """Net sales per head, one bar per team (all teams first), for each month."""
    if people is None:
        return None
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in people:
        groups.setdefault(str(row["month"]), []).append(
            {
                "label": team_label(row["team"], row["sales_marketplace_id"], names),
                "value": row["net_sales_per_head"],
                "status": "plain",
                "series": "net_sales_per_head",
            }
        )
    return {"id": "people", "unit": "currency", "group_by": "month", "groups": groups}


def freshness_panel(
    freshness: list[dict[str, Any]] | None, marketplaces: list[str], names: dict[str, str]
) -> dict[str, Any] | None:
    """Days behind per source and scope, worst first. A marketplace's view shows its own
    sources and the shared ones (help desk, exchange rates); streams without event days
    (ads profiles, shop settings) have no lag to draw."""
    if freshness is None:
        return None
    rows = [row for row in freshness if row["newest_event_date"] is not None]
    shared = [row for row in rows if row["marketplace_id"] == ALL_MARKETPLACES]

    def bar(row: dict[str, Any], label: str) -> dict[str, Any]:
        lag = row["data_lag_days"]
        return {
            "label": label,
            "value": lag,
            "status": "stale" if lag is not None and lag >= STALE_LAG_DAYS else "fresh",
            "series": row["source_stream"],
        }

    groups = {
        ALL_MARKETPLACES: [
            bar(row, stream_scope_label(row["source_stream"], row["marketplace_id"], names))
            for row in rows
        ]
    }
    for key in marketplaces:
        if key == ALL_MARKETPLACES:
            continue
        own = [
            bar(row, stream_name(row["source_stream"]))
            for row in rows
            if row["marketplace_id"] == key
        ]
        groups[key] = own + [
            bar(row, f"{stream_name(row['source_stream'])} (all marketplaces)") for row in shared
        ]
    return {"id": "freshness", "unit": "days", "group_by": "marketplace", "groups": groups}


def team_label(team: str, scope: str | None, names: dict[str, str]) -> str:
    """``All teams``, or ``US sales · Amazon.com (US)``."""
    if team == ALL_MARKETPLACES:
        return "All teams"
    if not scope:
        return team
    where = "all marketplaces" if scope == ALL_MARKETPLACES else marketplace_label(scope, names)
    return f"{team} · {where}"


def stream_scope_label(stream: str, scope: str, names: dict[str, str]) -> str:
    """``Amazon orders · Amazon.com (US)``; a shared stream says it serves all marketplaces."""
    where = "all marketplaces" if scope == ALL_MARKETPLACES else marketplace_label(scope, names)
    return f"{stream_name(stream)} · {where}"
