"""Article blocks ↔ the Markdown body: paragraphs separated by blank lines, subheadings
as ``## ``. Plain enough to edit by hand; a paragraph that would read as Markdown syntax
(# …, > …, - …, 1. …) gets one backslash so it stays a paragraph.
"""

from __future__ import annotations

import re

from generator.ingest.model import BlockKind

SUBHEADING_PREFIX = "## "
# Openings that Markdown would read as a heading, quote, list, rule, fence or table.
# A leading backslash is escaped too, so unescaping never eats a character of the text.
_SYNTAX_RE = re.compile(r"^(?:\\|#|>|[-+*](?:\s|$)|=+\s*$|-+\s*$|`{3}|~{3}|\|)")
_ORDERED_RE = re.compile(r"^(\d{1,9})(?=[.)](?:\s|$)|\\)")
_ESCAPED_RE = re.compile(r"^\\(?=[\\#>\-+*=`~|])|^(\d{1,9})\\(?=[.)\\])")


def render_body(blocks: list[tuple[BlockKind, str]]) -> str:
    """Markdown for ``(kind, text)`` pairs of paragraphs and subheadings."""
    parts = []
    for kind, text in blocks:
        if kind is BlockKind.SUBHEADING:
            parts.append(SUBHEADING_PREFIX + text)
        else:
            parts.append(escape_paragraph(text))
    return "\n\n".join(parts)


def parse_body(body: str) -> list[tuple[BlockKind, str]]:
    """The ``(kind, text)`` pairs of a Markdown body written by ``render_body`` (or edited
    by hand: lines of one paragraph are joined, any heading level is a subheading)."""
    blocks: list[tuple[BlockKind, str]] = []
    for chunk in re.split(r"\n[ \t]*\n", body.strip()):
        text = "".join(line.strip() for line in chunk.splitlines())
        if not text:
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", text)
        if heading:
            blocks.append((BlockKind.SUBHEADING, heading.group(1).strip()))
        else:
            blocks.append((BlockKind.PARAGRAPH, unescape_paragraph(text)))
    return blocks


def escape_paragraph(text: str) -> str:
    if _SYNTAX_RE.match(text):
        return "\\" + text
    return _ORDERED_RE.sub(r"\1\\", text, count=1)


def unescape_paragraph(text: str) -> str:
    return _ESCAPED_RE.sub(lambda match: match.group(1) or "", text, count=1)
