"""Per-line shape facts: is it prose, could it be a title, does it start with a place,
is it a byline or a date line. Computed once per line so classification stays linear.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from generator.content import Region
from generator.ingest.bylines import Byline, ends_with_photo_credit, parse_byline
from generator.ingest.dates import date_line, find_date
from generator.ingest.lines import visible_length
from generator.ingest.model import Line
from generator.ingest.punctuation import (
    comma_count,
    ends_sentence,
    has_inner_stop,
    is_enumerated,
    starts_as_continuation,
    strip_closers,
)

# Typical limits of Chinese news headlines and subheadings, in visible characters.
SUBHEADING_MIN = 4  # shorter unpunctuated lines are fragments (a column break's half)
SUBHEADING_MAX = 40  # numbered ones (一、…); others up to SUBHEADING_PLAIN_MAX
SUBHEADING_PLAIN_MAX = 30
SUBHEADING_PHRASE_MAX = 24  # a subheading without a comma
SUBHEADING_QUESTION_MAX = 16  # a subheading asking a question (人才为何愿意来？)
PHRASE_MIN = 4  # each comma-separated phrase of a subheading, at least
PHRASE_RATIO = 3  # the longest of two phrases at most this many times the shortest
PHRASE_RATIO_THREE = 2  # the same for three phrases
HEADLINE_MAX = 60
TITLE_MAX_COMMAS = 2
COLON_WINDOW = 24  # 地区：标题 — the colon comes early
MASTHEAD_MAX = 60
# A line ending in one of these runs on into the next line.
_OPEN_END = "，,、“‘「『（(《〈【—-～~/·"
_COLON_RE = re.compile(r"[：:]")
_OPENING_QUOTES = "“‘「『\"'（("
_COMMA_RE = re.compile(r"[，,]")
_OPENING_BRACKETS = "【[〔［"
_BRACKETED_PLACE_RE = re.compile(r"^[【\[〔［][^】\]〕］]{2,12}[】\]〕］]")
# A page line: the page number, perhaps with the page's name (第05版：区域新闻, A3版|要闻).
_PAGE_LINE_RE = re.compile(
    r"^(?:第\s*[0-9０-９A-Za-z一二三四五六七八九十〇零]{1,4}\s*版|[A-Za-z]?[0-9０-９]{1,2}\s*版)"
    r"(?:\s*[：:|｜·]?\s*[\u4e00-\u9fff]{2,12})?$"
)
# A column's kicker before the headline proper: 【区县传真】…, 乡村振兴进行时丨…
_KICKER_RE = re.compile(
    r"^(?:[【\[〔［][^】\]〕］]{1,12}[】\]〕］]|[^｜丨|：:，,。 ]{2,12} ?[｜丨|])\s?"
)
# Words a place-like prefix ends in, for 地区：标题 headlines whose place the gazetteer lacks.
_PLACE_SUFFIXES = ("省", "市", "县", "区", "旗", "盟", "州", "镇", "乡", "街道", "村", "社区")


class PlaceMatch(Protocol):
    text: str
    region: Region | None
    candidates: Sequence[Region]


class PlaceLookup(Protocol):
    def match_start(self, text: str) -> PlaceMatch | None: ...


@dataclass(frozen=True)
class LineShape:
    line: Line
    length: int
    closed: bool  # ends a sentence: 。！？ … (perhaps followed by closing quotes)
    runs_on: bool  # ends mid-sentence with ， 、 “ …
    prose: bool  # reads as body text: a sentence, several, or a long run
    title: bool  # could be a subheading: short, no sentence end inside or at the end
    headline: bool  # could be a headline: like a title, a little longer allowed
    enumerated: bool  # 一、 （一） 1. …
    continues: bool  # starts with closing punctuation: carries on the line before
    date: dt.date | None  # the line is nothing but a date
    byline: Byline | None
    place: PlaceMatch | None  # a place at the very start (looked up for headline shapes)
    colon: bool  # a colon early in the line: 地区：标题

    @property
    def text(self) -> str:
        return self.line.text

    @property
    def number(self) -> int:
        return self.line.number

    @property
    def place_colon(self) -> bool:
        """地区：标题 with a known place, or a colon line opened by a place-like name."""
        return self.headline and self.colon and (self.place is not None or _placeish(self.text))

    @property
    def opens_headline(self) -> bool:
        """兴化： alone on its line: a headline whose title follows on the next line."""
        core = self.text.rstrip()
        return (
            self.place is not None
            and core[-1:] in "：:"
            and self.length <= COLON_WINDOW
            and not has_inner_stop(core)
        )


def shape_lines(lines: list[Line], places: PlaceLookup) -> list[LineShape]:
    return [shape_line(line, places) for line in lines]


def shape_line(line: Line, places: PlaceLookup) -> LineShape:
    text = line.text
    length = visible_length(text)
    byline = parse_byline(text) if length <= 60 and not ends_sentence(text) else None
    # A photo caption closed by its credit (▲ 村民采摘草莓 记者 王五 摄) is a complete line.
    closed = ends_sentence(text) or (byline is None and ends_with_photo_credit(text))
    core = strip_closers(text)
    runs_on = not closed and core[-1:] in _OPEN_END if core else False
    inner_stop = has_inner_stop(text)
    continues = starts_as_continuation(text)
    date = date_line(text) if length <= MASTHEAD_MAX else None
    shapely = not (closed or runs_on or inner_stop or continues or date)
    few_commas = comma_count(text) <= TITLE_MAX_COMMAS
    title = (shapely and few_commas and _subheading_sized(text, length)) or _question_title(
        text, length, continues
    )
    headline = shapely and few_commas and 2 <= length <= HEADLINE_MAX
    colon_match = _COLON_RE.search(text)
    colon = colon_match is not None and colon_match.start() <= COLON_WINDOW
    if _BRACKETED_PLACE_RE.match(text):
        colon = True  # 【兴化】标题 names its place like 兴化：标题
    place = None
    if headline or colon:
        place = match_place(places, text)
    if place is not None and colon and not headline and _exclaimed(text):
        headline = True  # 地区：标题！ — a headline may end with ！ or ？
    return LineShape(
        line=line,
        length=length,
        closed=closed,
        runs_on=runs_on,
        prose=not headline,
        title=title,
        headline=headline,
        enumerated=is_enumerated(text),
        continues=continues,
        date=date,
        byline=byline,
        place=place,
        colon=colon,
    )


def place_label(text: str, match: PlaceMatch) -> str:
    """The headline's own name for its place: everything before the colon of 地区：标题
    when it starts with the matched place, so a department (江北新区应急管理局) or an
    office keeps its full name; otherwise the place as matched (涟水县 of 涟水县委…)."""
    text = _without_kicker(text)
    colon = _COLON_RE.search(text)
    if colon is not None and colon.start() <= COLON_WINDOW:
        label = text[: colon.start()].strip()
        if label.startswith(match.text):
            return label
    return match.text


def match_place(places: PlaceLookup, text: str) -> PlaceMatch | None:
    """The place at the start of a headline, also inside brackets (【兴化】…, [江宁区]…) or
    after a column's kicker (【区县传真】德清：…, 乡村振兴进行时丨德清：…)."""
    if text[:1] in _OPENING_BRACKETS:
        found = places.match_start(text[1:])
        if found is not None:
            return found
    return places.match_start(_without_kicker(text))


def _without_kicker(text: str) -> str:
    kicker = _KICKER_RE.match(text)
    return text[kicker.end() :] if kicker else text


def masthead_date(shape: LineShape) -> dt.date | None:
    """The date on a masthead line (报名 2022年10月20日 第7版) before the first headline."""
    if shape.date is not None:
        return shape.date
    if shape.length > MASTHEAD_MAX or shape.closed or has_inner_stop(shape.text):
        return None
    found = find_date(shape.text)
    return found[0] if found else None


def page_line(text: str) -> bool:
    """第05版：区域新闻, A3版 要闻: the page a newspaper export starts (or turns) with."""
    return "版" in text[:8] and _PAGE_LINE_RE.match(text) is not None


def _subheading_sized(text: str, length: int) -> bool:
    """Subheadings are a short phrase, or two or three parallel phrases of similar length
    (强化责任体系建设，全新探索“安全审计”模式). The first half of a column break is rarely
    so even: 近日，该区新建口袋公园12个，实现."""
    if not SUBHEADING_MIN <= length <= SUBHEADING_MAX:
        return False
    if is_enumerated(text):
        return True
    if length > SUBHEADING_PLAIN_MAX:
        return False
    parts = [visible_length(part) for part in _COMMA_RE.split(text)]
    if len(parts) == 1:
        return length <= SUBHEADING_PHRASE_MAX
    ratio = PHRASE_RATIO if len(parts) == 2 else PHRASE_RATIO_THREE
    return min(parts) >= PHRASE_MIN and max(parts) <= ratio * min(parts)


def _placeish(text: str) -> bool:
    head = _COLON_RE.split(text, maxsplit=1)[0].lstrip(_OPENING_BRACKETS)
    return 2 <= len(head) <= 12 and head.endswith(_PLACE_SUFFIXES)


def _question_title(text: str, length: int, continues: bool) -> bool:
    """人才为何愿意来？ — a short question standing alone between paragraphs is a feature's
    subheading (the classifier still asks for body text after it)."""
    core = strip_closers(text)
    return (
        core[-1:] in "？?"
        and SUBHEADING_MIN <= length <= SUBHEADING_QUESTION_MAX
        and not continues
        and text[:1] not in _OPENING_QUOTES
        and comma_count(text) == 0
        and not has_inner_stop(text)
    )


def _exclaimed(text: str) -> bool:
    core = strip_closers(text)
    return (
        core[-1:] in "！？!?" and not has_inner_stop(text) and visible_length(text) <= HEADLINE_MAX
    )
