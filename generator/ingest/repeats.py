"""Drop repeats: a run of paragraphs printed twice inside one article is kept once.

Each paragraph's text is looked up in a per-article dict, so the stage is linear. A
short line (“对此，他说：”) may legitimately recur, so a repeat shorter than
``MIN_REPEAT_CHARS`` is dropped only as part of a run of repeats.
"""

from __future__ import annotations

from generator.ingest.lines import visible_length
from generator.ingest.model import Block, BlockKind, Decision, DecisionKind, Dropped, DropReason

MIN_REPEAT_CHARS = 10


def drop_repeats(blocks: list[Block]) -> tuple[list[Block], list[Dropped], list[Decision]]:
    """The blocks without repeated paragraphs, what was dropped, and why."""
    originals = _find_repeats(blocks)
    kept: list[Block] = []
    dropped: list[Dropped] = []
    decisions: list[Decision] = []
    for index, block in enumerate(blocks):
        original = originals.get(index)
        if original is None or not _droppable(index, block, originals, blocks):
            kept.append(block)
            continue
        dropped.append(Dropped(DropReason.REPEAT, block.text, block.lines, original))
        decisions.append(
            Decision(
                DecisionKind.REPEAT,
                block.lines,
                block.text,
                f"repeats line {original} of the same article verbatim",
            )
        )
    return kept, dropped, decisions


def _find_repeats(blocks: list[Block]) -> dict[int, int]:
    """Block index → first line of the earlier paragraph it repeats, per article."""
    seen: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for index, block in enumerate(blocks):
        if block.kind is BlockKind.HEADLINE:
            seen = {}
        elif block.kind is BlockKind.PARAGRAPH:
            first = seen.setdefault(block.text, block.first_line)
            if first != block.first_line:
                repeats[index] = first
    return repeats


def _droppable(index: int, block: Block, repeats: dict[int, int], blocks: list[Block]) -> bool:
    if visible_length(block.text) >= MIN_REPEAT_CHARS:
        return True
    neighbours = (index - 1, index + 1)
    return any(
        n in repeats and visible_length(blocks[n].text) >= MIN_REPEAT_CHARS for n in neighbours
    )
