"""Decoding a dropped report file to text, by a fixed rule that never guesses silently.

The rule, in order (the first that applies decides):

1. The file sits in a sub-folder of the inbox named after an encoding (``data/inbox/cp932/``):
   that encoding is declared; the file must decode with it, strictly.
2. A byte-order mark: UTF-8 (``EF BB BF``) or UTF-16 (``FF FE`` / ``FE FF``); the mark is
   dropped, so the first header is never ``\\ufefforder_id``.
3. The bytes are valid UTF-8 (pure ASCII included): UTF-8. Text in a legacy encoding with any
   accented or Japanese character is practically never valid UTF-8.
4. Otherwise every configured legacy encoding (``KPI_INBOX_ENCODINGS``, default cp1252 then
   cp932) is tried, strictly. A decoding that yields private-use characters (cp932's
   user-defined rows) or C1 control characters is rejected: report files carry neither.
   If exactly one distinct text remains, it is used (the first encoding in the list that
   gave it is recorded). If none remains, the file is undecodable; if two differ (a short
   cp1252 file whose bytes also happen to be valid cp932, or the reverse), it is ambiguous.
   Both fail naming the file; an ambiguous file loads once moved into a sub-folder that
   declares its encoding (rule 1).

Why not "the first that decodes wins": cp1252 decodes almost every byte sequence, so a
Japanese file without a cp1252-undefined byte would land as mojibake; with cp932 first, German
text such as ``Käse`` (``E4 73``) decodes as a kanji. Strict decoding alone cannot tell them
apart, so the rule asks for a declaration instead of guessing.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

log = logging.getLogger("connectors.inbox.encoding")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_IMPLAUSIBLE = re.compile("[\u0080-\u009f\ue000-\uf8ff]")
_SNIPPET_CHARS = 60


class DecodeError(ValueError):
    """The file's bytes decode with none of the allowed encodings, or with two differently."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used, as recorded in the manifest
    how: str  # declared, bom, utf-8, fallback


def decode_report(
    data: bytes, *, candidates: tuple[str, ...], declared: str | None = None
) -> Decoded:
    """The text of a report file by the rule in this module's docstring."""
    if declared is not None:
        text, problem = _strict(data, declared)
        if text is None:
            raise DecodeError(f"declared {declared} by its folder, but {problem}")
        return Decoded(text.removeprefix("\ufeff"), declared, "declared")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, problem = _strict(data, codec)
            if text is None:
                raise DecodeError(f"starts with a {codec} byte-order mark, but {problem}")
            return Decoded(text.removeprefix("\ufeff"), codec, "bom")
    text, utf8_problem = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    decoded: dict[str, str] = {}
    problems = [f"utf-8: {utf8_problem}"]
    for codec in candidates:
        text, problem = _strict(data, codec)
        if text is None:
            problems.append(f"{codec}: {problem}")
        else:
            decoded[codec] = text
    distinct = dict.fromkeys(decoded.values())
    if not distinct:
        raise DecodeError("undecodable in every allowed encoding (" + "; ".join(problems) + ")")
    if len(distinct) > 1:
        samples = "; ".join(f"{codec}: {_sample(text)!r}" for codec, text in decoded.items())
        raise DecodeError(
            f"ambiguous: decodes as {' and as '.join(decoded)} with different text ({samples}); "
            "move it into a sub-folder of the inbox named after its encoding, e.g. cp932/"
        )
    codec = next(iter(decoded))
    return Decoded(decoded[codec], codec, "fallback")


def _strict(data: bytes, codec: str) -> tuple[str | None, str]:
    try:
        text = data.decode(codec, errors="strict")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 2].hex(" ")
        return None, f"bytes {bad} at offset {error.start} are not valid"
    except UnicodeError as error:  # e.g. an odd number of bytes in UTF-16
        return None, str(error)
    found = _IMPLAUSIBLE.search(text)
    if found:
        return None, f"gives the implausible character U+{ord(found.group()):04X}"
    return text, ""


def _sample(text: str) -> str:
    """The first stretch of non-ASCII text, to show a reader what each decoding gives."""
    at = next((i for i, ch in enumerate(text) if ord(ch) > 127), 0)
    start = max(0, at - 10)
    return text[start : start + _SNIPPET_CHARS]
