"""SQL that reads the number and date formats of EU and JP report files, for DuckDB.

Raw tables keep every value as the string the file held (the original record); these
expressions are what landing validates with (a value that does not parse fails the file with its
line and column) and what a staging model can use to type the same values. Each function takes
a SQL expression giving a VARCHAR and returns a SQL expression: NULL for NULL or blank input,
NULL also for a value that does not parse (callers tell the two apart with the raw value).

Numbers (:func:`decimal_sql`), read value by value, so one column may mix ``2318,47`` and
``7.15`` (seen in Amazon DE settlement files). Spaces, no-break spaces and apostrophes are
grouping and dropped. Then: an integer; one separator (``,`` or ``.``) followed by 1-2 or 4+
digits is the decimal separator (``7,15``, ``7.15``); with both separators the last one is the
decimal separator and the other must group by threes (``2.318,47``, ``2,318.47``); one kind
repeated is grouping (``1.234.567``). One separator followed by exactly three digits is a
decimal separator only after ``0`` or four or more digits (``0,125``, ``1234.567``); ``1.234``
and ``1,234`` are ambiguous (one thousand two hundred and thirty-four in Germany, 1.234 in the
US) and do not parse: a file never has them read one way silently.

Dates (:func:`date_sql`) and timestamps (:func:`timestamp_sql`): ``YYYY-MM-DD`` and
``YYYY/MM/DD`` (JP), ``DD.MM.YYYY`` (dotted dates are day-first wherever they are used) and,
only where a report's convention says which, ``MM/DD/YYYY`` or ``DD/MM/YYYY``. A timestamp adds
``HH:MM[:SS[.fff]]`` (``T`` or a space before it) and must carry its zone: ``UTC``, ``GMT``,
``Z``, an abbreviation Amazon prints with its fixed offset (``JST``, ``PST``, ``PDT``,
``CET``, ``CEST``) or an offset (``+09:00``, ``+0900``); a timestamp without a zone does not
parse, because reading it as UTC would be a guess.
"""

from __future__ import annotations

from typing import Literal

SlashOrder = Literal["mdy", "dmy"]
DECIMAL_TYPE = "decimal(38, 10)"

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)"
_ZONE = r"(?: ?(UTC|GMT|Z|JST|PST|PDT|CET|CEST|[+-]\d{2}:?\d{2}))"
# the abbreviations Amazon prints, each one fixed offset
_ZONE_OFFSETS = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "Z": "+00:00",
    "JST": "+09:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "CET": "+01:00",
    "CEST": "+02:00",
}
_DATE_FIELDS = "['a', 'b', 'c']"
_TIME_FIELDS = "['a', 'b', 'c', 'hh', 'mi', 'ss', 'frac', 'zone']"
_GROUPING = "'[ ''\u00a0\u202f]'"  # space, apostrophe, no-break and narrow no-break space


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def decimal_sql(value: str) -> str:
    """A DECIMAL(38, 10) from a number written with a decimal comma or point, by the rule in
    this module's docstring."""
    s = f"regexp_replace(trim({value}), {_GROUPING}, '', 'g')"
    sign = r"[+-]?"
    cases = [
        (rf"{sign}\d+", "{s}"),
        (rf"{sign}\d+[.,](\d{{1,2}}|\d{{4,}})", "replace({s}, ',', '.')"),
        (rf"{sign}(0|\d{{4,}})[.,]\d{{3}}", "replace({s}, ',', '.')"),
        (rf"{sign}\d{{1,3}}(\.\d{{3}})+,\d+", "replace(replace({s}, '.', ''), ',', '.')"),
        (rf"{sign}\d{{1,3}}(,\d{{3}})+\.\d+", "replace({s}, ',', '')"),
        (rf"{sign}\d{{1,3}}(\.\d{{3}}){{2,}}", "replace({s}, '.', '')"),
        (rf"{sign}\d{{1,3}}(,\d{{3}}){{2,}}", "replace({s}, ',', '')"),
    ]
    branches = " ".join(
        f"when regexp_full_match({s}, {_lit(pattern)}) then {result.format(s=s)}"
        for pattern, result in cases
    )
    return f"try_cast(case {branches} end as {DECIMAL_TYPE})"


def integer_sql(value: str) -> str:
    """A BIGINT from plain digits with an optional sign (quantities carry no grouping)."""
    digits = rf"regexp_full_match(trim({value}), '[+-]?\d+')"
    return f"try_cast(case when {digits} then trim({value}) end as bigint)"


def date_sql(value: str, slash_order: SlashOrder | None = None) -> str:
    """A DATE from a date alone (no time), by the formats in this module's docstring."""
    return f"try_cast({_iso_text(value, slash_order, with_time=False)} as date)"


def timestamp_sql(value: str, slash_order: SlashOrder | None = None) -> str:
    """A TIMESTAMPTZ from a date, a time and a zone, by the formats in this module's docstring."""
    return f"try_cast({_iso_text(value, slash_order, with_time=True)} as timestamptz)"


def _iso_text(value: str, slash_order: SlashOrder | None, *, with_time: bool) -> str:
    """SQL giving ``YYYY-MM-DD[ HH:MM:SS.ffffff+HH:MM]`` for a value in an accepted format, else
    NULL. Each format is one regular expression whose groups are a, b, c (date parts in the
    order written), then the time and zone; the branch says which part is the day."""
    tail = f"{_TIME}{_ZONE}" if with_time else ""
    formats: list[tuple[str, str, str, str]] = [  # separator pattern, year, month, day group
        (r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", "a", "b", "c"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "c", "b", "a"),
    ]
    if slash_order == "mdy":
        formats.append((r"(\d{1,2})/(\d{1,2})/(\d{4})", "c", "a", "b"))
    elif slash_order == "dmy":
        formats.append((r"(\d{1,2})/(\d{1,2})/(\d{4})", "c", "b", "a"))
    v = f"trim({value})"
    branches = []
    for date_pattern, year, month, day in formats:
        pattern = _lit(f"^{date_pattern}{tail}$")
        fields = _TIME_FIELDS if with_time else _DATE_FIELDS
        parts = f"regexp_extract({v}, {pattern}, {fields})"
        text = (
            f"{parts}.{year} || '-' || lpad({parts}.{month}, 2, '0') || '-' "
            f"|| lpad({parts}.{day}, 2, '0')"
        )
        if with_time:
            text += (
                f" || ' ' || lpad({parts}.hh, 2, '0') || ':' || {parts}.mi || ':' "
                f"|| coalesce(nullif({parts}.ss, ''), '00') "
                f"|| coalesce('.' || nullif({parts}.frac, ''), '') || {_offset(parts)}"
            )
        branches.append(f"when regexp_full_match({v}, {pattern}) then {text}")
    return f"case {' '.join(branches)} end"


def _offset(parts: str) -> str:
    zone = f"{parts}.zone"
    named = " ".join(f"when {zone} = '{name}' then '{off}'" for name, off in _ZONE_OFFSETS.items())
    return (
        f"case {named} "
        f"when length({zone}) = 5 then left({zone}, 3) || ':' || right({zone}, 2) "
        f"else {zone} end"
    )
