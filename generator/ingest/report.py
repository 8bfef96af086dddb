"""How a parse is shown: the --json document, the --explain listing, the summary line."""

from __future__ import annotations

from typing import Any

from generator.ingest.model import Decision, DecisionKind, ParsedBulletin

_TEXT_WIDTH = 28  # characters of a line's text shown in --explain


def bulletin_json(parsed: ParsedBulletin, *, decisions: bool = False) -> dict[str, Any]:
    """The --json document (its shape is fixed: other tools read it; extra keys are fine)."""
    document: dict[str, Any] = {
        "bulletin": {
            "id": parsed.id,
            "date": parsed.date.isoformat() if parsed.date else None,
            "encoding": parsed.encoding,
        },
        "articles": [
            {
                "headline": article.headline.text,
                "place": article.place,
                "region": article.region.as_dict() if article.region else None,
                "authors": list(article.authors),
                "blocks": [
                    {"kind": block.kind.value, "text": block.text, "lines": list(block.lines)}
                    for block in article.blocks
                ],
                "lines": list(article.headline.lines),
                "bylines": [
                    {"text": byline.text, "lines": list(byline.lines)} for byline in article.bylines
                ],
            }
            for article in parsed.articles
        ],
        "warnings": list(parsed.warnings),
        "rejoined": parsed.rejoined,
        "dropped": [
            {
                "reason": drop.reason.value,
                "text": drop.text,
                "lines": list(drop.lines),
                "repeats_line": drop.repeats_line,
            }
            for drop in parsed.dropped
        ],
    }
    if decisions:
        document["decisions"] = [
            {
                "kind": decision.kind.value,
                "lines": list(decision.lines),
                "text": decision.text,
                "reason": decision.reason,
            }
            for decision in parsed.decisions
        ]
    return document


def summary_line(parsed: ParsedBulletin) -> str:
    return (
        f"{parsed.id}: {_count(len(parsed.articles), 'article')}, "
        f"{_count(parsed.rejoined, 'rejoined break')}, "
        f"{_count(parsed.dropped_repeats, 'dropped repeat')}, "
        f"{_count(len(parsed.warnings), 'warning')}"
    )


def explain_lines(parsed: ParsedBulletin, source: str) -> list[str]:
    """Every decision with its input line numbers, then the warnings and the summary."""
    date = parsed.date.isoformat() if parsed.date else "none"
    out = [f"{source}: bulletin {parsed.id}, encoding {parsed.encoding}, date {date}"]
    out += [_explain(decision) for decision in parsed.decisions]
    out += [f"  warning: {warning}" for warning in parsed.warnings]
    out.append(summary_line(parsed))
    return out


def _explain(decision: Decision) -> str:
    where = _where(decision.lines)
    text = decision.text
    if decision.kind is not DecisionKind.REJOINED and len(text) > _TEXT_WIDTH:
        text = text[: _TEXT_WIDTH - 1] + "…"
    return f"  {where:<14} {decision.kind.value:<18} {text} — {decision.reason}"


def _where(lines: tuple[int, ...]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    return "lines " + "+".join(str(number) for number in lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
