"""Publish the checked warehouse to the file analysts query, and its marts as Parquet.

The nightly job lands, checks and builds in a working file nobody else opens. Once a run has
rebuilt the marts and its checks passed, :func:`publish` hands analysts a complete copy without
ever taking a lock on what they hold open:

1. In the working file, the version being published is recorded (``meta.publication``, and the
   row count of every marts table in ``meta.published_tables``), each marts table is exported
   to Parquet in a new version folder, and a CHECKPOINT leaves the file complete on disk.
2. The working file is copied byte for byte to a temporary file in the published file's folder
   (the same file system), fsynced, and renamed over the published file with ``os.replace``.
   An analyst's open connection keeps the file it opened (the rename swaps the directory
   entry; their handle keeps the old inode), a new connection opens the new one, and nobody
   sees half a file. A byte copy keeps the storage version the working file was created with
   (v1.5.0), which the DuckDB 1.5 tools analysts have can read.
3. ``parquet`` beside the published file is a symbolic link to the newest version folder,
   swapped the same way; the previous folder is kept for a BI tool that resolved the link a
   moment before the swap, older ones are removed.

The whole file is published, not only the marts: the staging views read ``raw`` (a marts-only
copy would carry broken views), an analyst following up a failed check needs the raw rows it
names, and a byte copy is exactly what dbt built and tested, in the same storage format, with
no second encoding to get wrong. It costs a second copy of the file on disk and one sequential
copy per night.

A run that fails before this step publishes nothing: the last good version stays in place.
Before replacing it, the job checks it holds the same kind of data (sandbox or real accounts):
a brief read-only look into the file, or, while an analyst holds it read-write (DuckDB then
refuses even a reader), the manifest published beside it. Nothing here waits for a lock.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.warehouse import (
    STORAGE_VERSION,
    connect,
    published_path,
    refuse_other_origin,
    stored_origin,
)

log = logging.getLogger("orchestration.publish")

PARQUET_LINK = "parquet"
PARQUET_VERSIONS = "parquet-versions"
MANIFEST = "_publication.json"
PARTIAL_SUFFIX = ".partial"
TEMPORARY_SUFFIX = ".publishing"


class PublishError(RuntimeError):
    """The warehouse cannot be published as configured (a person must act)."""


@dataclass(frozen=True)
class PublishTarget:
    """Where analysts read: the published DuckDB file and, beside it, the Parquet folder."""

    database: Path

    @classmethod
    def configured(cls) -> PublishTarget:
        return cls(published_path().resolve())

    @property
    def folder(self) -> Path:
        return self.database.parent

    @property
    def parquet(self) -> Path:
        """The link BI tools read: ``<folder>/parquet/<table>.parquet``."""
        return self.folder / PARQUET_LINK

    @property
    def parquet_versions(self) -> Path:
        return self.folder / PARQUET_VERSIONS

    @property
    def wal(self) -> Path:
        return self.database.with_name(self.database.name + ".wal")


@dataclass
class Publication:
    """What one publish wrote."""

    version: str
    published_at: datetime
    database: Path
    database_bytes: int
    parquet: Path
    tables: dict[str, int] = field(default_factory=dict)  # marts table -> rows
    seconds: float = 0.0


def publish(working: Path, target: PublishTarget, *, origin: str, run_id: str) -> Publication:
    """Publish the working warehouse (closed by every other step) as the next version."""
    started = time.monotonic()
    working = working.resolve()
    if working == target.database:
        raise PublishError(
            f"KPI_PUBLISHED_PATH and KPI_WAREHOUSE_PATH both name {working}; the job must "
            "build in a file analysts never open. Point them at two files."
        )
    check_published_origin(target, origin)
    target.parquet_versions.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.parquet_versions / ".lock"):
        _remove_leftovers(target)
        publication = _publish_version(working, target, origin=origin, run_id=run_id)
    publication.seconds = time.monotonic() - started
    log.info(
        "published version %s: %s (%d bytes) and %d Parquet tables in %s, %.1f s",
        publication.version,
        target.database,
        publication.database_bytes,
        len(publication.tables),
        target.parquet,
        publication.seconds,
    )
    return publication


def _publish_version(
    working: Path, target: PublishTarget, *, origin: str, run_id: str
) -> Publication:
    published_at = datetime.now(UTC)
    version = f"{published_at:%Y%m%dT%H%M%S}Z-{run_id[:8]}"
    partial = target.parquet_versions / f".{version}{PARTIAL_SUFFIX}"
    partial.mkdir()
    tables = _record_and_export(working, partial, version, published_at, run_id, origin)
    _write_json(
        partial / MANIFEST,
        {
            "version": version,
            "published_at": published_at.isoformat(),
            "run_id": run_id,
            "origin": origin,
            "tables": {name: {"rows": rows, "file": f"{name}.parquet"} for name, rows in tables},
        },
    )
    for parquet_file in partial.iterdir():
        _fsync(parquet_file)
    version_folder = target.parquet_versions / version
    partial.rename(version_folder)
    _fsync(target.parquet_versions)

    temporary = target.folder / f".{target.database.name}.{version}{TEMPORARY_SUFFIX}"
    shutil.copyfile(working, temporary)
    _fsync(temporary)
    previous_parquet = _swap(target, temporary, version_folder)
    _prune(target, keep={version_folder.name, previous_parquet})
    return Publication(
        version=version,
        published_at=published_at,
        database=target.database,
        database_bytes=target.database.stat().st_size,
        parquet=target.parquet,
        tables=dict(tables),
    )


def _record_and_export(
    working: Path,
    partial: Path,
    version: str,
    published_at: datetime,
    run_id: str,
    origin: str,
) -> list[tuple[str, int]]:
    """Write the version marker into the working file, export each marts table, checkpoint."""
    con = connect(working)
    try:
        held = stored_origin(con)
        if held is not None:
            refuse_other_origin(held, origin, working, "KPI_WAREHOUSE_PATH")
        _require_readable_storage(con, working)
        marts = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        if not marts:
            raise PublishError(f"{working} has no marts table: nothing to publish")
        tables = []
        for name in marts:
            rows = con.execute(f"select count(*) from marts.{_identifier(name)}").fetchone()
            tables.append((name, int(rows[0]) if rows else 0))
            con.execute(
                f"copy marts.{_identifier(name)} "
                f"to '{_literal(partial / f'{name}.parquet')}' (format parquet)"
            )
        con.execute("begin")
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.publication (version varchar not null, "
            "published_at timestamptz not null, run_id varchar not null, "
            "origin varchar not null)"
        )
        con.execute(
            "insert into meta.publication values (?, ?, ?, ?)",
            [version, published_at, run_id, origin],
        )
        con.execute(
            "create or replace table meta.published_tables (table_schema varchar not null, "
            "table_name varchar not null, row_count bigint not null)"
        )
        con.executemany(
            "insert into meta.published_tables values ('marts', ?, ?)",
            [list(table) for table in tables],
        )
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()
    wal = working.with_name(working.name + ".wal")
    if wal.exists():  # closing checkpoints; a WAL left means the copy would miss its changes
        raise PublishError(f"{wal} is still there after the checkpoint: not publishing")
    return tables


def _require_readable_storage(con: duckdb.DuckDBPyConnection, working: Path) -> None:
    """The copy is byte for byte, so the working file's storage version is what analysts get:
    it must be one the DuckDB 1.x tools read (connect() creates it so; a file another program
    created, dbt run on its own for instance, gets DuckDB 2's format)."""
    row = con.execute(
        "select tags['storage_version'] from duckdb_databases() "
        "where database_name = current_database()"
    ).fetchone()
    storage = (row[0] if row else None) or "unknown"
    if not storage.startswith("v1."):
        raise PublishError(
            f"{working} is written in DuckDB storage version {storage}, which the DuckDB 1.x "
            f"tools analysts have cannot open; it was not created by the job (which uses "
            f"{STORAGE_VERSION}). Move it away and run the job again: not publishing"
        )


def _swap(target: PublishTarget, temporary: Path, version_folder: Path) -> str | None:
    """Rename the new file over the published one, then point the Parquet link at the new
    folder. Returns the folder the link pointed at before (kept one more night)."""
    previous = None
    if target.parquet.is_symlink():
        previous = Path(os.readlink(target.parquet)).name
    elif target.parquet.exists():
        raise PublishError(
            f"{target.parquet} is a folder, not the link the job maintains; move it away"
        )
    link = target.folder / f".{PARQUET_LINK}.{version_folder.name}{TEMPORARY_SUFFIX}"
    os.symlink(os.path.relpath(version_folder, target.folder), link)
    # A WAL beside the published file was written by a session that changed it; it does not
    # match the new file and would make every new connection fail. The changes are discarded
    # with the version they were made in.
    target.wal.unlink(missing_ok=True)
    os.replace(temporary, target.database)
    target.wal.unlink(missing_ok=True)
    os.replace(link, target.parquet)
    _fsync(target.folder)
    return previous


def _prune(target: PublishTarget, keep: set[str | None]) -> None:
    for folder in target.parquet_versions.iterdir():
        if folder.name not in keep and not folder.name.startswith("."):
            shutil.rmtree(folder, ignore_errors=True)


def _remove_leftovers(target: PublishTarget) -> None:
    """Temporary files and folders of a publish that crashed half-way."""
    for leftover in target.folder.glob(f".*{TEMPORARY_SUFFIX}"):
        leftover.unlink(missing_ok=True)
    for leftover in target.parquet_versions.glob(f".*{PARTIAL_SUFFIX}"):
        shutil.rmtree(leftover, ignore_errors=True)


def check_published_origin(target: PublishTarget, origin: str) -> None:
    """Refuse to replace a published warehouse that holds the other kind of data (the
    sandbox's numbers must never take the place of the real ones, nor the reverse)."""
    held = published_origin(target)
    if held is not None:
        refuse_other_origin(held, origin, target.database, "KPI_PUBLISHED_PATH")


def published_origin(target: PublishTarget) -> str | None:
    """The origin of the published warehouse, None when there is none yet.

    Read from the file itself; when an analyst holds it open read-write (DuckDB then refuses
    even a reader), from the manifest published with it, which needs no lock.
    """
    if not target.database.exists():
        return None
    try:
        con = connect(target.database, read_only=True)
    except duckdb.Error:
        manifest = last_publication(target)
        return manifest.get("origin") if manifest else None
    try:
        return stored_origin(con)
    finally:
        con.close()


def last_publication(target: PublishTarget) -> dict | None:
    """The manifest of the published version (version, time, origin, tables), read from the
    Parquet folder without opening the database; None before the first publish."""
    manifest = target.parquet / MANIFEST
    try:
        return json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """One publish at a time (two runs launched together from the UI): a lock on a file of the
    job's own, never on anything an analyst opens."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n")


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk (a rename is durable once its folder is)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    # COPY ... TO takes no bound parameter for its file; the path is ours, quotes doubled
    return str(path).replace("'", "''")


def main(argv: list[str] | None = None) -> int:
    """``python -m orchestration.publish --where``: the published file as the job resolves it
    (``KPI_PUBLISHED_PATH`` from the environment, then ``.env``), for ``make sql`` and
    ``make docs``."""
    import argparse

    from dotenv import load_dotenv

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--where", action="store_true", help="print the published file's path")
    args = parser.parse_args(argv)
    if not os.environ.get("KPI_PUBLISHED_PATH"):  # empty counts as unset: .env may set it
        os.environ.pop("KPI_PUBLISHED_PATH", None)
    load_dotenv(Path.cwd() / ".env", override=False)  # as orchestration.nightly does
    if args.where:
        print(PublishTarget.configured().database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
