"""The plain dataclasses the ingest stages pass forward: lines, blocks, decisions, articles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from generator.content import Region


class BlockKind(Enum):
    """What a piece of raw text became."""

    HEADLINE = "headline"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    BYLINE = "byline"


class DropReason(Enum):
    """Why text is not part of any article (every drop is reported)."""

    REPEAT = "repeat"  # a paragraph repeated verbatim inside its article
    MASTHEAD = "masthead"  # a date or masthead line before the first headline, or a page line


class DecisionKind(Enum):
    HEADLINE = "headline"
    HEADLINE_CONTINUED = "headline continued"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    BYLINE = "byline"
    REJOINED = "rejoined break"
    REPEAT = "dropped repeat"
    MASTHEAD = "masthead"
    REGION = "region"


@dataclass(frozen=True)
class Line:
    """One non-blank input line: its 1-based number and its text, trimmed, inner runs of
    whitespace collapsed to one space."""

    number: int
    text: str


@dataclass
class Block:
    """A headline, subheading, paragraph or byline and the input lines it came from."""

    kind: BlockKind
    text: str
    lines: tuple[int, ...]
    names: tuple[str, ...] = ()  # a byline's names, role words removed

    @property
    def first_line(self) -> int:
        return self.lines[0]


@dataclass(frozen=True)
class Dropped:
    """Text kept out of every article, with the reason and what it repeats (if a repeat)."""

    reason: DropReason
    text: str
    lines: tuple[int, ...]
    repeats_line: int | None = None


@dataclass(frozen=True)
class Decision:
    """One parser decision, for --explain: which lines, what became of them, and why."""

    kind: DecisionKind
    lines: tuple[int, ...]
    text: str
    reason: str


@dataclass
class ParsedArticle:
    headline: Block
    blocks: list[Block] = field(default_factory=list)  # paragraphs and subheadings, in order
    bylines: list[Block] = field(default_factory=list)  # raw byline text, role words included
    authors: list[str] = field(default_factory=list)
    place: str | None = None
    region: Region | None = None


@dataclass
class ParsedBulletin:
    id: str
    date: dt.date | None
    encoding: str
    articles: list[ParsedArticle]
    dropped: list[Dropped]
    decisions: list[Decision]
    warnings: list[str]
    rejoined: int

    @property
    def dropped_repeats(self) -> int:
        return sum(1 for drop in self.dropped if drop.reason is DropReason.REPEAT)
