"""An article body's Markdown → HTML, its subheadings with stable anchors, and its plain text.

Loading content calls ``render_body`` once per article (the result is cached by the file's
hash), so pages never parse Markdown themselves. Raw HTML in Markdown is escaped unless the
site turns it on. Subheadings become ``<h2 id="s1">``…: the page's headline is its only h1.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

EXCERPT_CHARS = 90
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Heading:
    anchor: str  # ASCII id: s1, s2, … in reading order, stable while headings keep their place
    text: str  # plain text


@dataclass(frozen=True)
class RenderedBody:
    html: str
    headings: tuple[Heading, ...]
    text: str  # the paragraphs' plain text, joined without separators (for excerpts);
    # only its beginning when render_body was given a text_limit


def make_markdown(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "xhtmlOut": False})
    if not allow_html:
        # Both rules return False at once when "html" is off (raw HTML is then escaped as
        # text by the others): asking them on every line and every inline run is wasted.
        md.disable(["html_block", "html_inline"])
    md.add_render_rule("softbreak", _render_softbreak)
    return md


def render_body(md: MarkdownIt, source: str, text_limit: int | None = None) -> RenderedBody:
    """``text_limit``: the text need only begin with that many non-blank characters (an
    excerpt's worth), so later paragraphs are not walked for it."""
    tokens = md.parse(source)
    headings = _anchor_headings(tokens)
    html = md.renderer.render(tokens, md.options, {})
    return RenderedBody(html=html, headings=headings, text=_paragraph_text(tokens, text_limit))


def _anchor_headings(tokens: list[Token]) -> tuple[Heading, ...]:
    """Give each heading an id and demote it below the page's h1 (``#`` in a body → h2)."""
    headings: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = max(2, min(6, int(token.tag[1:]) + (1 if token.tag == "h1" else 0)))
        token.tag = f"h{level}"
        if token.type == "heading_open":
            anchor = f"s{len(headings) + 1}"
            token.attrSet("id", anchor)
            headings.append(Heading(anchor, _inline_text(tokens[index + 1])))
    return tuple(headings)


def _paragraph_text(tokens: list[Token], limit: int | None = None) -> str:
    """The paragraphs' text; with ``limit``, stops after a paragraph once the text holds
    ``limit`` non-blank characters (so it begins as the whole text does, blanks and all)."""
    parts: list[str] = []
    inside = 0
    solid = 0  # non-blank characters so far
    for token in tokens:
        if token.type == "paragraph_open":
            inside += 1
        elif token.type == "paragraph_close":
            inside -= 1
        elif token.type == "inline" and inside:
            part = _inline_text(token)
            parts.append(part)
            if limit is not None:
                solid += sum(map(len, part.split()))
                if solid >= limit:
                    break
    return "".join(parts)


def _inline_text(token: Token) -> str:
    pieces: list[str] = []
    children = token.children or []
    for index, child in enumerate(children):
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type == "image":
            pieces.append(_inline_text(child))
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(_break_text(children, index))
    return "".join(pieces)


def _render_softbreak(
    renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """A line break inside a Chinese paragraph is no space: join CJK on both sides."""
    return _break_text(tokens, idx) or ""


def _break_text(tokens: Sequence[Token], idx: int) -> str:
    before = tokens[idx - 1].content[-1:] if idx > 0 else ""
    after = tokens[idx + 1].content[:1] if idx + 1 < len(tokens) else ""
    if is_wide(before) and is_wide(after):
        return ""
    return "\n" if tokens[idx].type == "softbreak" else " "


def is_wide(char: str) -> bool:
    """CJK ideographs, kana, hangul and full-width punctuation: text written without spaces."""
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of plain text, cut between whole characters.

    Cuts plain text (escaping happens later, in the template), so an entity is never split;
    a combining mark, variation selector or joiner stays with the character before it.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = limit
    while cut > 0 and _joins_previous(text[cut]):
        cut -= 1
    if cut > 0 and 0xD800 <= ord(text[cut - 1]) <= 0xDBFF:
        cut -= 1  # a lone high surrogate (only in malformed input) is never left dangling
    return text[:cut].rstrip() + _ELLIPSIS


def _joins_previous(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.combining(char) != 0
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or code in (0x200D, 0x20E3)  # zero-width joiner, keycap
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xDC00 <= code <= 0xDFFF  # low surrogate
    )
