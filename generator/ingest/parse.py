"""The parser: raw text → a ParsedBulletin, one stage per module, values passed forward.

    lines     split into numbered, trimmed, non-blank lines
    shapes    what each line looks like (prose, title, place, byline, date)
    classify  headline / subheading / byline / paragraph, masthead lines set aside
    rejoin    column breaks joined
    repeats   repeated paragraphs dropped
    assemble  articles with their place, region and authors

Parsing works on strings, so tests need no disk; ``parse_bytes`` adds decoding.

Nothing is lost: every non-space character of the input ends up in exactly one headline,
subheading, paragraph or byline, or in ``dropped`` (repeats, masthead lines), which the
summary and --explain report. Text before the first headline is never guessed away:
date and masthead lines are dropped and reported; anything else opens the first article
(the first line becomes its headline, with a warning if it does not look like one).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.ingest.classify import classify
from generator.ingest.dates import date_from_file_name
from generator.ingest.decode import decode_bytes
from generator.ingest.lines import split_lines
from generator.ingest.model import (
    Block,
    BlockKind,
    Decision,
    DecisionKind,
    ParsedArticle,
    ParsedBulletin,
)
from generator.ingest.rejoin import rejoin
from generator.ingest.repeats import drop_repeats
from generator.ingest.shapes import PlaceLookup, match_place, place_label, shape_lines


def parse_text(
    text: str,
    bulletin_id: str,
    places: PlaceLookup,
    home_province: str,
    *,
    encoding: str = "utf-8",
    fallback_date: dt.date | None = None,
) -> ParsedBulletin:
    """Parse a decoded bulletin. The date comes from a date line in the text, else an ISO
    date in ``bulletin_id`` (the file stem), else ``fallback_date``."""
    shapes = shape_lines(split_lines(text), places)
    classified = classify(shapes, home_province)
    blocks, rejoins = rejoin(classified.blocks)
    blocks, dropped, repeats = drop_repeats(blocks)
    articles, region_decisions, warnings = assemble(blocks, places)
    decisions = sorted(
        [*classified.decisions, *rejoins, *repeats, *region_decisions],
        key=lambda decision: decision.lines[0],
    )
    return ParsedBulletin(
        id=bulletin_id,
        date=classified.date or date_from_file_name(bulletin_id) or fallback_date,
        encoding=encoding,
        articles=articles,
        dropped=[*classified.dropped, *dropped],
        decisions=decisions,
        warnings=[*classified.warnings, *warnings],
        rejoined=len(rejoins),
    )


def parse_bytes(
    data: bytes,
    path: Path,
    places: PlaceLookup,
    home_province: str,
    *,
    fallback_date: dt.date | None = None,
) -> ParsedBulletin:
    """Decode and parse a raw bulletin file's bytes; the bulletin id is the file stem."""
    decoded = decode_bytes(data, path)
    return parse_text(
        decoded.text,
        path.stem,
        places,
        home_province,
        encoding=decoded.encoding,
        fallback_date=fallback_date,
    )


def assemble(
    blocks: list[Block], places: PlaceLookup
) -> tuple[list[ParsedArticle], list[Decision], list[str]]:
    """Group blocks into articles (a HEADLINE opens each) and look up their regions."""
    articles: list[ParsedArticle] = []
    for block in blocks:
        if block.kind is BlockKind.HEADLINE:
            articles.append(ParsedArticle(headline=block))
        elif block.kind is BlockKind.BYLINE:
            articles[-1].bylines.append(block)
            articles[-1].authors.extend(n for n in block.names if n not in articles[-1].authors)
        else:
            articles[-1].blocks.append(block)
    decisions: list[Decision] = []
    warnings: list[str] = []
    for article in articles:
        decision, warning = _locate(article, places)
        decisions.append(decision)
        if warning:
            warnings.append(warning)
        if not article.blocks:
            warnings.append(
                f"line {article.headline.first_line}: headline “{article.headline.text}” "
                "has no text under it"
            )
    return articles, decisions, warnings


def _locate(article: ParsedArticle, places: PlaceLookup) -> tuple[Decision, str | None]:
    """The article's place and region, from its headline only (never from the body)."""
    headline = article.headline
    # The place opens the headline, or the main line under a kicker (聚焦高质量发展 涟水县…).
    parts = headline.text.split(" ")
    found = next(((part, m) for part in parts if (m := match_place(places, part))), None)
    line = headline.first_line
    if found is None:
        warning = (
            f"line {line}: no known place starts the headline “{headline.text}”; region left empty"
        )
        return Decision(DecisionKind.REGION, (line,), headline.text, "no place found"), warning
    part, match = found
    article.place = place_label(part, match)
    article.region = match.region
    if match.region is None:
        names = "、".join(_region_name(r) for r in match.candidates) or "unknown"
        warning = f"line {line}: place “{match.text}” is ambiguous ({names}); region left empty"
        return Decision(DecisionKind.REGION, (line,), match.text, f"ambiguous: {names}"), warning
    where = _region_name(match.region)
    return Decision(DecisionKind.REGION, (line,), match.text, f"region {where}"), None


def _region_name(region: object) -> str:
    parts = (getattr(region, key, None) for key in ("province", "city", "county"))
    unique: list[str] = []
    for part in parts:
        if part and part not in unique:
            unique.append(part)
    return " ".join(unique)
