"""How a data check is declared and run: SQL selects the rows, a pandera schema judges them.

Each :class:`DataCheck` names the raw table (asset) it guards, a query over the warehouse whose
rows are the things to judge (one row per order, per campaign-day, per currency-day ...), and a
pandera schema that every row must satisfy. A failure reports the source, how many rows failed
and the first failing rows with their keys, so the operator knows which records to look at.

Row checks judge the rows not yet vetted: those landed after the last publication recorded in
the working file (``meta.publication.published_at``; every blocking check had passed on the rows
landed before it). A query says so with ``_loaded_at > cast($vetted_before as timestamptz)``;
the bound value is ``-infinity`` when nothing was published yet, or when every row is to be judged
again (``judge_all``, e.g. after a tolerance changed). A failed run publishes nothing, so its
rows stay unvetted and are judged again by the next run. A seller-year's first load is judged
whole once; a night then judges its own few thousand rows, not the year.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd
import pandera.pandas as pa

log = logging.getLogger("orchestration.checks")

MAX_REPORTED_ROWS = 20


@dataclass(frozen=True)
class DataCheck:
    name: str
    table: str  # raw table name: the asset the check is attached to
    description: str
    sql: str
    schema: pa.DataFrameSchema
    key_columns: tuple[str, ...]
    blocking: bool = True
    needs: tuple[str, ...] = field(default=())  # other raw tables the query reads
    # tables of the raw schema the query reads that no asset produces (``_load_log``): a
    # missing one means nothing was landed yet, as for ``needs``
    state_tables: tuple[str, ...] = field(default=())
    # the failure in words, from the failing rows, when the generic "n of m rows fail" says
    # too little (it follows ``raw.<table>: `` in the outcome's message)
    failure_message: Callable[[pd.DataFrame], str] | None = None
    # the asset the check is attached to when it is not the raw table: a check that judges
    # what dbt built (its key path, e.g. ("intermediate", "int_...")) runs after that model
    asset: tuple[str, ...] = field(default=())


@dataclass
class CheckOutcome:
    passed: bool
    rows_checked: int
    failing_rows: pd.DataFrame
    message: str


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: DataCheck,
    *,
    as_of: datetime,
    run_id: str | None = None,
    judge_all: bool = False,
) -> CheckOutcome:
    """Run one check; ``as_of`` is bound as ``$as_of`` for queries that judge age, ``run_id``
    (the orchestration run that landed the data, None for "the latest") as ``$run_id``, and the
    start of the rows to judge as ``$vetted_before`` (module docstring)."""
    needed = (check.table, *check.needs, *check.state_tables)
    missing = [t for t in needed if not _table_exists(con, t)]
    if missing:
        return CheckOutcome(
            False,
            0,
            pd.DataFrame(),
            f"raw.{', raw.'.join(missing)} not landed yet: nothing to check",
        )
    bindable = {"as_of": as_of, "run_id": run_id}
    if "$vetted_before" in check.sql:
        bindable["vetted_before"] = NOTHING_VETTED if judge_all else vetted_before(con)
    params = {name: value for name, value in bindable.items() if f"${name}" in check.sql}
    frame = con.execute(check.sql, params).df()
    if frame.empty:
        # nothing to judge (e.g. nothing landed since the last publication): a pass, whatever
        # dtypes the schema expects of columns that hold no value
        return CheckOutcome(True, 0, frame, f"raw.{check.table}: no rows to judge")
    try:
        check.schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        failing = _failing_rows(frame, errors.failure_cases, check.key_columns)
        checks = sorted({str(c) for c in errors.failure_cases["check"].dropna().unique()})
        if check.failure_message is not None:
            message = f"raw.{check.table}: {check.failure_message(failing)}"
        else:
            message = (
                f"raw.{check.table}: {len(failing)} of {len(frame)} rows fail "
                f"({'; '.join(checks)}); first keys: {_keys_text(failing, check.key_columns)}"
            )
        return CheckOutcome(False, len(frame), failing, message)
    return CheckOutcome(
        True, len(frame), frame.iloc[0:0], f"raw.{check.table}: {len(frame)} rows ok"
    )


NOTHING_VETTED = "-infinity"


def vetted_before(con: duckdb.DuckDBPyConnection) -> str:
    """When the last publication recorded in this file was made (ISO text), or ``-infinity``."""
    recorded = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'meta' and table_name = 'publication'"
    ).fetchone()
    if not recorded or not recorded[0]:
        return NOTHING_VETTED
    (published_at,) = con.execute("select max(published_at) from meta.publication").fetchone()
    return NOTHING_VETTED if published_at is None else published_at.isoformat()


def _failing_rows(
    frame: pd.DataFrame, failure_cases: pd.DataFrame, keys: Sequence[str]
) -> pd.DataFrame:
    index = pd.to_numeric(failure_cases["index"], errors="coerce").dropna().astype(int).unique()
    if len(index) == 0:  # a frame-wide failure (e.g. a missing column): report every row
        return frame
    return frame.loc[sorted(index)]


def _keys_text(rows: pd.DataFrame, keys: Sequence[str]) -> str:
    if rows.empty or not keys:
        return "(none)"
    head = rows[list(keys)].head(5).astype(str)
    return ", ".join("/".join(values) for values in head.itertuples(index=False))


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' "
        "and table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


def rows_must(expression_name: str, predicate, message: str) -> pa.Check:
    """A row-wise dataframe check with a readable name, e.g. ``clicks <= impressions``."""
    return pa.Check(predicate, name=expression_name, error=message)


def preview(rows: pd.DataFrame) -> str:
    """The first failing rows as a Markdown table for Dagster metadata (tabulate ships with
    Dagster)."""
    if rows.empty:
        return ""
    return rows.head(MAX_REPORTED_ROWS).astype(str).to_markdown(index=False)
