"""What punctuation says about a line: does it end a sentence, run on, or open a list item.

These are the shape facts every later decision is made from; they know nothing of any
particular bulletin.
"""

from __future__ import annotations

import re

# Marks that end a sentence (or a list item: ；, or a lead-in: ：). A paragraph ending in
# one of them is complete; a paragraph ending in anything else was cut.
SENTENCE_END = "。！？!?…；;：:."
# Closing quotes and brackets that may follow the sentence end: 很自豪！” ends a sentence.
CLOSERS = "”’」』）)》〉】]\"'"
# Inside a line these end a sentence; a title never holds one (ASCII . is left out: 2.4亿).
INNER_STOPS = "。！？!?；;"
# A line starting with one of these continues the line before it.
CONTINUES = "，,、。．；;：:？?！!）)》〉」』”’】…"
COMMAS = "，,"

_ENUMERATION_RE = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、．.]"
    r"|[（(][一二三四五六七八九十百\d]+[）)]"
    r"|\d{1,2}[、．.](?!\d)"
    r"|第[一二三四五六七八九十百]+[、，,：:是部分章节篇]"
    r"|[①-⑳⑴-⒇])"
)


def strip_closers(text: str) -> str:
    return text.rstrip(CLOSERS + " ")


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends complete: a sentence end, optionally followed by closers."""
    core = strip_closers(text)
    return bool(core) and core[-1] in SENTENCE_END


def has_inner_stop(text: str) -> bool:
    """Whether a sentence ends somewhere before the end of ``text``."""
    core = strip_closers(text)
    if len(core) > 1 and core[-1] in SENTENCE_END:
        core = core[:-1]
    return any(mark in core for mark in INNER_STOPS)


def starts_as_continuation(text: str) -> bool:
    """A line that opens with closing punctuation carries on the line before it."""
    return bool(text) and text[0] in CONTINUES


def is_enumerated(text: str) -> bool:
    """一、… （一）… 1. … 第一，…: the numbering of a list item or subheading."""
    return _ENUMERATION_RE.match(text) is not None


def comma_count(text: str) -> int:
    return sum(text.count(mark) for mark in COMMAS)
