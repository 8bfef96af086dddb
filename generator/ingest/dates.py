"""Bulletin dates: a date line in the text, or an ISO date in the file name."""

from __future__ import annotations

import datetime as dt
import re

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"[\d〇零○一二三四五六七八九十廿卅]{1,4}"
_CN_DATE_RE = re.compile(rf"({_NUMBER})\s*年\s*({_NUMBER})\s*月\s*({_NUMBER})\s*[日号]")
_NUMERIC_DATE_RE = re.compile(r"(?<!\d)(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
# What may stand beside a date on a date line: the weekday, brackets, separators.
_DATE_LINE_REST_RE = re.compile(
    r"^[\s()（）,，、.。·|｜]*(?:(?:星期|礼拜|周)[一二三四五六日天])?[\s()（）,，、.。·|｜]*$"
)
_FILE_DATE_RE = re.compile(r"(?<!\d)(\d{4})(-?)(\d{2})\2(\d{2})(?!\d)")


def find_date(text: str) -> tuple[dt.date, tuple[int, int]] | None:
    """The first valid calendar date written in ``text`` and where it stands."""
    for match in _CN_DATE_RE.finditer(text):
        date = _make_date(*(match.group(i) for i in (1, 2, 3)))
        if date:
            return date, match.span()
    for match in _NUMERIC_DATE_RE.finditer(text):
        date = _make_date(match.group(1), match.group(3), match.group(4))
        if date:
            return date, match.span()
    return None


def date_line(text: str) -> dt.date | None:
    """The date if ``text`` is nothing but a date (and perhaps its weekday)."""
    found = find_date(text)
    if found is None:
        return None
    date, (start, end) = found
    rest = text[:start] + text[end:]
    return date if _DATE_LINE_REST_RE.match(rest) else None


def date_from_file_name(stem: str) -> dt.date | None:
    """An ISO 8601 date (2022-10-20 or 20221020) in a file name."""
    for match in _FILE_DATE_RE.finditer(stem):
        date = _make_date(match.group(1), match.group(3), match.group(4))
        if date:
            return date
    return None


def _make_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        numbers = (_number(year, digits=True), _number(month), _number(day))
    except ValueError:
        return None
    if not 1900 <= numbers[0] <= 2199:
        return None
    try:
        return dt.date(*numbers)
    except ValueError:
        return None


def _number(text: str, digits: bool = False) -> int:
    """Arabic (also full-width) or Chinese numerals: 2022, 二〇二二, 十, 二十一, 廿三."""
    if text.isdigit():
        return int(text)
    if digits:  # years are written digit by digit: 二〇二二
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    value = 0
    if text[0] in "廿卅":
        value, text = (20 if text[0] == "廿" else 30), text[1:]
    if "十" in text:
        tens, _, ones = text.partition("十")
        value += (_CN_DIGITS[tens] if tens else 1) * 10
        text = ones
    if text:
        if len(text) != 1:
            raise ValueError(text)
        value += _CN_DIGITS[text]
    return value
