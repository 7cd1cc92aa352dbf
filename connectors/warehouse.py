"""Opening the DuckDB warehouse the same way everywhere.

Every connection made by the product goes through :func:`connect`, so that the session time
zone is always UTC (a machine set to another zone must not shift `::date` casts) and the file is
created in a storage format that the DuckDB 1.x tools analysts already have can read.

There are two files. The job lands, checks and builds in the working warehouse
(``KPI_WAREHOUSE_PATH``, default ``data/work/warehouse.duckdb``; dbt's profile reads the same
variable), which analysts never open: DuckDB allows one writer and no reader beside it. At the
end of a successful, checked run the job publishes a complete copy to the published warehouse
(``KPI_PUBLISHED_PATH``, default ``data/warehouse.duckdb``), the file analysts query
(``orchestration/publish.py``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from connectors.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "work" / "warehouse.duckdb"
DEFAULT_PUBLISHED = PROJECT_ROOT / "data" / "warehouse.duckdb"

# Files written by duckdb 2.x default to storage version 69, which DuckDB 1.x clients (the CLI
# on PyPI, DBeaver's driver) refuse. The file is created with the newest format they read; once
# created, DuckDB keeps writing that format.
STORAGE_VERSION = "v1.5.0"


# DuckDB's buffer limit for every connection of the job and for dbt (its profile reads the
# same variable). DuckDB's own default is 80 % of the machine's memory, and a seller-year's
# build took 11 GB that way; beyond the limit DuckDB spills joins, sorts and aggregates to a
# temporary folder beside the file instead. It bounds DuckDB's buffers, not the whole process.
MEMORY_LIMIT_VARIABLE = "KPI_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1536MB"
_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_limit() -> str:
    """``KPI_DUCKDB_MEMORY_LIMIT`` (a size such as ``2GB``), or ``1536MB``."""
    value = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip() or DEFAULT_MEMORY_LIMIT
    if not _SIZE.fullmatch(value):
        raise ConfigurationError(
            "warehouse",
            "settings",
            f"{MEMORY_LIMIT_VARIABLE}={value!r} is not a size such as 2GB or 1500MB",
        )
    return value


def warehouse_path() -> Path:
    """The working warehouse the job writes: ``KPI_WAREHOUSE_PATH`` or
    ``data/work/warehouse.duckdb``."""
    return Path(os.environ.get("KPI_WAREHOUSE_PATH", DEFAULT_WAREHOUSE))


def published_path() -> Path:
    """The copy analysts query: ``KPI_PUBLISHED_PATH`` (unless empty); else, for a working file
    moved elsewhere with ``KPI_WAREHOUSE_PATH``, ``<its name>.published.duckdb`` beside it (a run
    on a scratch or benchmark warehouse never replaces the analysts' default copy); else
    ``data/warehouse.duckdb``."""
    if os.environ.get("KPI_PUBLISHED_PATH"):
        return Path(os.environ["KPI_PUBLISHED_PATH"])
    if os.environ.get("KPI_WAREHOUSE_PATH"):
        working = Path(os.environ["KPI_WAREHOUSE_PATH"])
        return working.with_name(f"{working.stem}.published{working.suffix or '.duckdb'}")
    return DEFAULT_PUBLISHED


def connect(
    path: Path | str | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating it on first use) with the session pinned to UTC and
    DuckDB's memory bounded (:func:`memory_limit`)."""
    limit = memory_limit()
    target = Path(path) if path is not None else warehouse_path()
    if not read_only and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        bootstrap = duckdb.connect()
        bootstrap.execute(
            f"attach '{_sql_literal(target)}' as fresh (storage_version '{STORAGE_VERSION}')"
        )
        bootstrap.close()
    con = duckdb.connect(str(target), read_only=read_only)
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"set memory_limit = '{limit}'")
    return con


def _sql_literal(path: Path) -> str:
    # ATTACH takes no bound parameters; the path is ours (never user data), quotes are doubled.
    return str(path).replace("'", "''")


SANDBOX_ORIGIN = "sandbox"
ACCOUNTS_ORIGIN = "accounts"


class WarehouseOriginError(RuntimeError):
    """The warehouse holds the other kind of data (sandbox vs real accounts)."""


def current_origin() -> str:
    """What this process loads: ``KPI_WAREHOUSE_ORIGIN`` (the sandbox sets ``sandbox``)."""
    return os.environ.get("KPI_WAREHOUSE_ORIGIN", ACCOUNTS_ORIGIN)


def claim(con: duckdb.DuckDBPyConnection, origin: str, path: Path | str) -> None:
    """Mark a new warehouse as holding sandbox or real-account data; refuse to mix the two.

    Cursors, keys and marketplace ids are the same in both, so sandbox orders loaded into a
    real warehouse (or the reverse) would silently land in the real KPIs.
    """
    con.execute("create schema if not exists raw")
    con.execute(
        "create table if not exists raw._warehouse_origin "
        "(origin varchar not null, claimed_at timestamptz not null)"
    )
    held = stored_origin(con)
    if held is None:
        con.execute("insert into raw._warehouse_origin values (?, now())", [origin])
        return
    refuse_other_origin(held, origin, path, "KPI_WAREHOUSE_PATH")


def stored_origin(con: duckdb.DuckDBPyConnection) -> str | None:
    """The origin a warehouse was claimed for, None when it was never claimed (works on a
    read-only connection)."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = '_warehouse_origin'"
    ).fetchone()
    if not found or not found[0]:
        return None
    row = con.execute("select origin from raw._warehouse_origin limit 1").fetchone()
    return row[0] if row else None


def refuse_other_origin(held: str, origin: str, path: Path | str, variable: str) -> None:
    """Raise :class:`WarehouseOriginError` when ``path`` holds ``held`` data, not ``origin``;
    ``variable`` is the setting that points at another file."""
    if held == origin:
        return
    what = (
        "the sandbox seller (made by `make run`)"
        if held == SANDBOX_ORIGIN
        else "data from your real accounts"
    )
    raise WarehouseOriginError(
        f"{path} holds {what}; this run loads {origin} data, and the two must not mix. "
        f"Move that file away, or point {variable} at another file, and run again."
    )
