"""Text → numbered non-blank lines.

Every newline convention (LF, CRLF, CR) counts as one line end, so line numbers match
what an editor shows. Each line is trimmed of whitespace (ASCII, the full-width 　 used
for indentation, and zero-width marks) and inner runs of whitespace become one space.
Whitespace is the only thing this stage removes.
"""

from __future__ import annotations

import re

from generator.ingest.model import Line

_LINE_END_RE = re.compile(r"\r\n|\r|\n")
# Zero-width marks count as whitespace: typesetting exports scatter them between characters.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]+")
_SPACE_RUN_RE = re.compile(r"\s+")


def is_space(char: str) -> bool:
    """Whether the parser may drop ``char``: whitespace or a zero-width mark."""
    return char.isspace() or char in ZERO_WIDTH


def clean(text: str) -> str:
    """Trim ``text`` and collapse inner whitespace runs to one ASCII space."""
    if _ZERO_WIDTH_RE.search(text):
        text = _ZERO_WIDTH_RE.sub("", text)
    return _SPACE_RUN_RE.sub(" ", text).strip()


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text``, cleaned, with their 1-based input line numbers."""
    lines: list[Line] = []
    for number, raw in enumerate(_LINE_END_RE.split(text), start=1):
        cleaned = clean(raw)
        if cleaned:
            lines.append(Line(number, cleaned))
    return lines


def visible_length(text: str) -> int:
    """Characters that are not spaces (text here is already cleaned)."""
    return len(text) - text.count(" ")
