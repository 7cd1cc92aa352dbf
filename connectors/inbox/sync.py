"""Report files dropped into the inbox, landed into the same raw tables as the API streams.

Grain: one manifest row (``raw._inbox_manifest``) per file content (sha256 of the bytes as
dropped), so the same file, under any name, loads once; the rows go to the raw table of the
report its header names (:mod:`connectors.inbox.reports`), one row per that table's key.

For each file, in path order: hash it and skip it if the manifest has it; un-gzip it; decode it
by the rule of :mod:`connectors.inbox.encoding`; write it back as UTF-8 without a byte-order mark
to a temporary file; read its header with DuckDB and recognise the report; validate every
typed column and the key with DuckDB (a value that does not parse fails with the file, the data
line and the column); land it through :func:`connectors.landing.land` (rows are never parsed in
Python); then record it in the manifest.

The manifest row is written right after the landing transaction, not inside it: ``land`` owns
its transaction. A crash between the two leaves a file landed but not recorded; the next run
lands it again, which the upsert turns into no change, and records it then.

A failing file does not stop the others: every file is tried, then the run fails naming each
file that failed and why, and those files stay out of the manifest so a corrected file (new
bytes) or a configuration change loads on a later run.

Line numbers count data lines from 1 (the header is line 0) in the order DuckDB's CSV reader
returns them, which is file order (insertion order is preserved; checked on a 2 M-line file
with 4 threads); blank lines the reader skips are not counted.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from connectors.base import StreamRun
from connectors.errors import ConnectorError
from connectors.inbox import parsing
from connectors.inbox.encoding import DecodeError, decode_report
from connectors.inbox.reports import ReportSpec, recognise
from connectors.inbox.settings import PLATFORM, STREAM, InboxSettings
from connectors.landing import RAW_SCHEMA, DelimitedRows, LoadResult, land

log = logging.getLogger("connectors.inbox")

MANIFEST = f"{RAW_SCHEMA}._inbox_manifest"
REPORT_SUFFIXES = (".tsv", ".csv", ".txt")
SHOWN_VALUE_CHARS = 60


class InboxFileError(ConnectorError):
    """One dropped file could not be loaded; the message names the file and what to fix."""

    def __init__(self, file: str, message: str) -> None:
        self.file = file
        super().__init__(PLATFORM, STREAM, f"{file}: {message}")


@dataclass(frozen=True)
class InboxRows(DelimitedRows):
    """A decoded report file: each row as a JSON object keyed by its header, plus its
    1-based data line number (``line_number``) beside the record, never inside it.

    Tab-separated files are read without quoting (Amazon's flat files print quotes as data:
    ``12" Pizza``); comma- and semicolon-separated exports use double quotes.
    """

    quoted: bool = False

    def reader_sql(self) -> str:
        quote = "'\"', escape = '\"'" if self.quoted else "'', escape = ''"
        return (
            f"read_csv($path, delim = $delim, header = true, all_varchar = true, quote = {quote})"
        )

    def select_sql(self) -> str:
        return (
            "select to_json(t) as rec, row_number() over () as line_number "
            f"from {self.reader_sql()} as t"
        )


def ensure_manifest(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(
        f"""create table if not exists {MANIFEST} (
            sha256 varchar primary key,
            file_name varchar,
            report_type varchar,
            raw_table varchar,
            encoding varchar,
            rows integer,
            loaded_at timestamptz,
            run_id varchar
        )"""
    )


def sync_inbox(
    con: duckdb.DuckDBPyConnection, settings: InboxSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Load every new report file of ``settings.inbox_dir``; fail after trying them all if any
    could not be loaded. A rerun with the same files lands nothing (the manifest has them)."""
    run = StreamRun(STREAM)
    ensure_manifest(con)
    files = _report_files(settings.inbox_dir)
    failures: list[str] = []
    for path in files:
        try:
            _load_file(con, settings, path, run, run_id=run_id, now=now)
        except InboxFileError as error:
            failures.append(str(error).removeprefix(f"[{PLATFORM}/{STREAM}] "))
    run.finish(None)
    if failures:
        raise ConnectorError(
            PLATFORM,
            STREAM,
            f"{len(failures)} of {len(files)} inbox files failed: " + " | ".join(failures),
        )
    return run


def _report_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        log.info("inbox %s does not exist: nothing to load", folder)
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        name = path.name.lower().removesuffix(".gz")
        if name.endswith(REPORT_SUFFIXES):
            found.append(path)
        else:
            log.warning("inbox: %s is not a .tsv/.csv/.txt file (gzipped or not): skipped", path)
    return found


def _load_file(
    con: duckdb.DuckDBPyConnection,
    settings: InboxSettings,
    path: Path,
    run: StreamRun,
    *,
    run_id: str,
    now: datetime,
) -> None:
    started = time.monotonic()
    name = path.relative_to(settings.inbox_dir).as_posix()
    raw = path.read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    seen = con.execute(
        f"select file_name, raw_table from {MANIFEST} where sha256 = ?", [sha256]
    ).fetchone()
    if seen:
        log.info("inbox: %s already loaded (as %s into %s): skipped", name, seen[0], seen[1])
        return
    data = _gunzip(name, raw)
    try:
        decoded = decode_report(
            data, candidates=settings.encodings, declared=_declared(name, settings)
        )
    except DecodeError as error:
        raise InboxFileError(name, str(error)) from None
    if decoded.how == "fallback":
        log.warning("inbox: %s is not UTF-8; decoded as %s (the only fit)", name, decoded.encoding)
    text = decoded.text
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    shape = InboxRows(delimiter=delimiter, quoted=delimiter != "\t")
    utf8 = text.encode("utf-8")
    fd, temp = tempfile.mkstemp(prefix="inbox-", suffix=".tsv")
    with os.fdopen(fd, "wb") as handle:
        handle.write(utf8)
    try:
        spec = _recognise(con, name, Path(temp), shape)
        context = (
            {"inbox_file": name, "inbox_sha256": sha256}
            if spec.file_context
            else {"marketplace_id": None}
        )
        rows = _validate(con, name, Path(temp), shape, spec, context)
    finally:
        Path(temp).unlink(missing_ok=True)
    try:
        result = land(con, spec.table, shape, [utf8], run_id=run_id, stream=STREAM, context=context)
    except duckdb.Error as error:
        raise InboxFileError(name, f"landing into {spec.table.qualified} failed: {error}") from None
    con.execute(
        f"insert into {MANIFEST} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [sha256, name, spec.report_type, spec.table.qualified, decoded.encoding, rows, now, run_id],
    )
    run.add(spec.table, result or LoadResult())
    log.info(
        "inbox: %s (%s, %s) -> %s: %d lines, %d inserted, %d updated, %.2f s",
        name,
        spec.report_type,
        decoded.encoding,
        spec.table.qualified,
        rows,
        result.inserted,
        result.updated,
        time.monotonic() - started,
    )


def _delimiter(header_line: str) -> str:
    """Tab when the header has one (Amazon flat files), else the more frequent of ``;`` (EU
    spreadsheet exports) and ``,``."""
    if "\t" in header_line:
        return "\t"
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _header(
    con: duckdb.DuckDBPyConnection, shape: InboxRows, params: dict[str, object]
) -> list[str]:
    cursor = con.execute(f"select * from {shape.reader_sql()} limit 0", params)
    return [column[0] for column in cursor.description]


def _gunzip(name: str, raw: bytes) -> bytes:
    if raw[:2] != b"\x1f\x8b":
        if name.lower().endswith(".gz"):
            raise InboxFileError(name, "named .gz but not gzip data")
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise InboxFileError(name, f"damaged gzip data: {error}") from None


def _declared(name: str, settings: InboxSettings) -> str | None:
    """The encoding a file's sub-folder declares (``cp932/report.txt``), if any."""
    parts = name.split("/")
    allowed = {*settings.encodings, "utf-8", "utf-16"}
    return parts[0].lower() if len(parts) > 1 and parts[0].lower() in allowed else None


def _recognise(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, shape: InboxRows
) -> ReportSpec:
    params = {"path": str(path), "delim": shape.delimiter}
    try:
        header = _header(con, shape, params)
    except duckdb.Error as error:
        raise InboxFileError(name, f"not a readable delimited file: {error}") from None
    found = recognise(header)
    if found is None:
        raise InboxFileError(name, f"unrecognised header {header!r}: no known report has it")
    if isinstance(found, tuple):
        kinds = ", ".join(spec.report_type for spec in found)
        raise InboxFileError(name, f"header {header!r} fits several reports ({kinds})")
    return found


_HINTS = {
    "decimal": "a number such as 2318,47, 2.318,47 or 7.15; 1.234 alone is ambiguous",
    "integer": "whole digits",
    "date": "YYYY-MM-DD, DD.MM.YYYY or this report's slashed order",
    "timestamp": "a date, a time and a zone, e.g. 03.11.2026 06:12:40 UTC",
}


def _parse_sql(kind: str, column: str, spec: ReportSpec) -> str:
    if kind == "decimal":
        return parsing.decimal_sql(column)
    if kind == "integer":
        return parsing.integer_sql(column)
    if kind == "date":
        return parsing.date_sql(column, spec.slash_order)
    return parsing.timestamp_sql(column, spec.slash_order)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _validate(
    con: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    shape: InboxRows,
    spec: ReportSpec,
    context: dict[str, str | None],
) -> int:
    """Check every typed value and the key of every line with DuckDB; return the line count."""
    params: dict[str, object] = {"path": str(path), "delim": shape.delimiter}
    reader = shape.reader_sql()
    header = _header(con, shape, params)
    checks = []
    for position, column in enumerate(header):
        kind = spec.typed.get(column)
        if kind is None:
            continue
        value = f"t.{_ident(column)}"
        checks.append(
            f"select _line, {position} as position, '{column}' as col, {value} as value, "
            f"'{kind}' as kind from numbered as t where nullif(trim({value}), '') is not null "
            f"and {_parse_sql(kind, value, spec)} is null"
        )
    numbered = f"select row_number() over () as _line, * from {reader}"
    lines = con.execute(f"select count(*) from ({numbered})", params).fetchone()[0]
    if checks:
        failure = con.execute(
            f"with numbered as ({numbered}) select _line, col, value, kind from "
            f"({' union all '.join(checks)}) order by _line, position limit 1",
            params,
        ).fetchone()
        if failure:
            line, column, value, kind = failure
            shown = value[:SHOWN_VALUE_CHARS]
            raise InboxFileError(
                name,
                f"data line {line} (line {line + 1} of the file), column {column!r}: "
                f"cannot read {shown!r} as {kind} (expected {_HINTS[kind]})",
            )
    _validate_keys(con, name, shape, spec, context, params)
    return lines


def _validate_keys(
    con: duckdb.DuckDBPyConnection,
    name: str,
    shape: InboxRows,
    spec: ReportSpec,
    context: dict[str, str | None],
    params: dict[str, object],
) -> None:
    """Every line must have its key, once: a file never lands a row silently dropped or merged
    with another (the API streams quarantine such records; a file is fixed at its source)."""
    keys = spec.table.keys
    exprs = [f"try(cast({c.expression} as {c.sql_type})) as {c.name}" for c in keys]
    sql_text = " ".join(c.expression for c in keys)
    key_params = {**params, **{k: v for k, v in context.items() if f"${k}" in sql_text}}
    keyed = f"select line_number, {', '.join(exprs)} from ({shape.select_sql()})"
    missing = " or ".join(f"{c.name} is null" for c in keys)
    row = con.execute(
        f"select line_number from ({keyed}) where {missing} order by line_number limit 1",
        key_params,
    ).fetchone()
    names = ", ".join(c.name for c in keys)
    if row:
        raise InboxFileError(
            name,
            f"data line {row[0]} has no usable value for the key ({names}) "
            f"of {spec.table.qualified}",
        )
    row = con.execute(
        f"select min(line_number), max(line_number), count(*) from ({keyed}) "
        f"group by {names} having count(*) > 1 order by 1 limit 1",
        key_params,
    ).fetchone()
    if row:
        raise InboxFileError(
            name,
            f"data lines {row[0]} and {row[1]} ({row[2]} lines in all) share one key "
            f"({names}) of {spec.table.qualified}",
        )
