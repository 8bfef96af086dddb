"""The YAML our own dumps write (article front matter, bulletin.yaml), read without PyYAML.

``yaml.safe_dump`` writes a small, regular shape: ``key: scalar`` lines, a key followed by
a two-space-indented mapping of scalars or by ``- scalar`` items, ``[]`` and ``{}``, and
scalars either plain or single-quoted on one line. Reading 6,000 such files with PyYAML
costs about a second (its constructor is Python even with libyaml); this reader takes a
tenth of that. It returns None for anything outside that shape, or any scalar whose
meaning it does not know exactly (a float, a bool, a timestamp with a time, a tab, an
odd character…), and the caller then asks PyYAML: so hand-edited files parse exactly as
before and PyYAML's errors (with their line numbers) are still the ones users see.
Plain scalars are typed by PyYAML's own implicit resolvers, so "yes", "null", "0x1F" or
"2025-01-01" mean here what they mean there.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

import yaml

# The table of the loader content.py falls back to (libyaml's, when present).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = _LOADER.yaml_implicit_resolvers
_WILDCARD = _RESOLVERS.get(None, [])
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_INT, _TIMESTAMP = "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"

# Characters the YAML reader rejects or reads as a line break or blank (tab), and comments:
# where one occurs the text is left to PyYAML.
_AWKWARD = re.compile(
    r"[^\n\x20-\x7E\xA0-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\U00010000-\U0010FFFF]"
    r"|[\u2028\u2029]| #"
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_NOT_FOUND = object()


def load_simple(text: str) -> dict[str, Any] | None:
    """The mapping ``text`` holds, if it has the shape safe_dump writes; else None."""
    if not text.endswith("\n") or _AWKWARD.search(text):
        return None
    lines = text.split("\n")
    lines.pop()
    result: dict[str, Any] = {}
    index, count = 0, len(lines)
    while index < count:
        key, rest = _split_key(lines[index])
        if key is None or key in result:
            return None
        index += 1
        if rest:
            value = _scalar(rest)
        elif index < count and lines[index][:2] == "- ":
            value, index = _sequence(lines, index)
        elif index < count and lines[index][:2] == "  ":
            value, index = _mapping(lines, index)
        else:
            return None  # an empty value: PyYAML's null, rare enough to leave to it
        if value is _NOT_FOUND:
            return None
        result[key] = value
    return result


def _split_key(line: str) -> tuple[str | None, str]:
    """(key, the text after ``key: ``) of a ``key: value`` or ``key:`` line."""
    key, colon, rest = line.partition(":")
    if not colon or not _is_plain_key(key):
        return None, ""
    if not rest:
        return key, ""
    if rest[0] != " " or len(rest) == 1:
        return None, ""
    return key, rest[1:]


@functools.lru_cache(maxsize=1024)
def _is_plain_key(key: str) -> bool:
    """A key PyYAML reads as this very string (not quoted, typed or awkward)."""
    return bool(key) and _scalar(key) == key


def _sequence(lines: list[str], index: int) -> tuple[Any, int]:
    items = []
    count = len(lines)
    while index < count and lines[index][:2] == "- ":
        item = _scalar(lines[index][2:])
        if item is _NOT_FOUND or item.__class__ in (list, dict):
            return _NOT_FOUND, index
        items.append(item)
        index += 1
    return items, index


def _mapping(lines: list[str], index: int) -> tuple[Any, int]:
    mapping: dict[str, Any] = {}
    count = len(lines)
    while index < count and lines[index][:2] == "  ":
        key, rest = _split_key(lines[index][2:])
        if key is None or not rest or key in mapping:
            return _NOT_FOUND, index
        value = _scalar(rest)
        if value is _NOT_FOUND or value.__class__ in (list, dict):
            return _NOT_FOUND, index
        mapping[key] = value
        index += 1
    return mapping, index


def _scalar(text: str) -> Any:
    """A one-line scalar's value, or _NOT_FOUND where PyYAML must decide."""
    first, last = text[:1], text[-1:]
    if (
        not _WILDCARD
        and first not in _CAREFUL_FIRST
        and last not in _ENDS_BADLY
        and ": " not in text
    ):
        return text  # the usual case, a name or a headline: plain text whatever follows
    if last in _ENDS_BADLY or first == " " or ": " in text:
        return [] if text == "[]" else {} if text == "{}" else _NOT_FOUND
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or last != "'" or "'" in inner.replace("''", ""):
            return _NOT_FOUND
        return inner.replace("''", "'")
    if first in _INDICATORS:
        return _NOT_FOUND
    resolvers = _RESOLVERS.get(first)
    if resolvers is None and not _WILDCARD:
        return text  # no implicit type starts with this character: a string
    tag = _resolve(text)
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _INT and _DECIMAL.match(text):
        return int(text)
    if tag == _TIMESTAMP:
        date = _DATE.match(text)
        if date:
            try:
                return dt.date(*(int(part) for part in date.groups()))
            except ValueError:
                return _NOT_FOUND  # PyYAML raises its own error for it
    return _NOT_FOUND


_ENDS_BADLY = frozenset(("", " ", ":", "]", "}"))  # also empty, [] and {}
# First characters after which a plain scalar may be something else than text.
_CAREFUL_FIRST = frozenset({"", " ", "'", *_INDICATORS, *(k for k in _RESOLVERS if k is not None)})


def _resolve(text: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (the same table, the same order)."""
    for tag, regexp in _RESOLVERS.get(text[0], ()):
        if regexp.match(text):
            return tag
    for tag, regexp in _WILDCARD:
        if regexp.match(text):
            return tag
    return _STR
