"""Rejoin column breaks: a paragraph cut mid-sentence continues in the next paragraph.

A paragraph that does not end a sentence (no 。！？…, or a comma, or an opening quote at
the end) is joined with the paragraph right after it, however short either half is; so
is a paragraph that opens with closing punctuation (”他说 after 很自豪！). Only adjacent
paragraphs join: a headline, subheading or byline between them stops it, a numbered
list item (一是…, （二）…) starts afresh, and a photo caption ending in its credit
(……游览。林辉 摄) is complete.
"""

from __future__ import annotations

from generator.ingest.bylines import ends_with_photo_credit
from generator.ingest.model import Block, BlockKind, Decision, DecisionKind
from generator.ingest.punctuation import (
    ends_sentence,
    is_enumerated,
    starts_as_continuation,
    strip_closers,
)

_HALF_WIDTH = 12  # characters of each half shown in --explain


def rejoin(blocks: list[Block]) -> tuple[list[Block], list[Decision]]:
    """The blocks with every column break joined, and one decision per join."""
    joined: list[Block] = []
    decisions: list[Decision] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        reason = _break_reason(previous, block) if previous is not None else None
        if previous is None or reason is None:
            joined.append(Block(block.kind, block.text, block.lines, block.names))
            continue
        decisions.append(
            Decision(
                DecisionKind.REJOINED,
                (previous.lines[-1], block.first_line),
                f"…{previous.text[-_HALF_WIDTH:]} | {block.text[:_HALF_WIDTH]}…",
                reason,
            )
        )
        previous.text += block.text
        previous.lines += block.lines
    return joined, decisions


def _break_reason(first: Block, second: Block) -> str | None:
    """Why ``first`` and ``second`` are one paragraph cut in two, or None."""
    if first.kind is not BlockKind.PARAGRAPH or second.kind is not BlockKind.PARAGRAPH:
        return None
    if starts_as_continuation(second.text):
        return f"second half opens with “{second.text[0]}”"
    if ends_sentence(first.text) or is_enumerated(second.text):
        return None
    if ends_with_photo_credit(first.text):
        return None
    last = strip_closers(first.text)[-1:]
    if last and not last.isalnum():
        return f"first half ends with “{last}”, mid-sentence"
    return "first half ends with no closing punctuation"
