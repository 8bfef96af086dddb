"""Shortcuts in rendering article bodies give exactly what the plain way gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.markup import (
    EXCERPT_CHARS,
    _render_softbreak,
    excerpt,
    make_markdown,
    render_body,
)

# Pieces of Markdown that touch every block and inline rule, raw HTML above all.
_PIECES = [
    "江北新区",
    "今年以来，",
    "累计投入",
    "3.2亿元。",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\u3000",
    "<div>",
    "</div>",
    "<script>alert(1)</script>",
    "<!-- 注释 -->",
    "<a href='x'>链</a>",
    "<?php ?>",
    "<![CDATA[x]]>",
    "<!DOCTYPE html>",
    "<br/>",
    "&amp;",
    "&#x4E2D;",
    "\\<",
    "## ",
    "# ",
    "> ",
    "- ",
    "1. ",
    "    ",
    "```",
    "---",
    "***",
    "==",
    "**",
    "*",
    "_",
    "`",
    "[链接](http://x)",
    "[ref]",
    "[ref]: /url",
    "![图](a.png)",
    "<http://x.cn>",
    "\u0301",
    "\u200d",
    "😀",
    "a",
    "b",
]
_markdown = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


def reference_parser() -> MarkdownIt:
    """The parser as configured before any shortcut: every commonmark rule on."""
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False})
    md.add_render_rule("softbreak", _render_softbreak)
    return md


@settings(max_examples=300, deadline=None)
@given(source=_markdown)
def test_rules_turned_off_without_html_change_nothing(source: str) -> None:
    reference = render_body(reference_parser(), source)
    quick = render_body(make_markdown(False), source)
    assert quick == reference


def test_raw_html_is_still_escaped() -> None:
    html = render_body(make_markdown(False), "<div>块</div>\n\n段<b>粗</b>").html
    assert "&lt;div&gt;块&lt;/div&gt;" in html and "段&lt;b&gt;粗&lt;/b&gt;" in html


_paragraph = st.text(
    alphabet=st.sampled_from(list("江北新区投入资金。， \u3000\t\u0301\u200d😀ab*_")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(paragraphs=st.lists(_paragraph, max_size=8), limit=st.integers(1, 120))
def test_an_excerpt_from_the_text_s_beginning_is_the_excerpt_of_the_whole(
    paragraphs: list[str], limit: int
) -> None:
    source = "\n\n".join(paragraphs)
    md = make_markdown(False)
    whole = render_body(md, source)
    begun = render_body(md, source, limit + 1)
    assert whole.text.startswith(begun.text)
    assert excerpt(begun.text, limit) == excerpt(whole.text, limit)
    assert begun.html == whole.html and begun.headings == whole.headings


def test_a_long_body_s_text_stops_after_an_excerpt_s_worth() -> None:
    paragraphs = [f"第{n}段" + "很长的句子。" * 30 for n in range(5)]
    body = render_body(make_markdown(False), "\n\n".join(paragraphs), EXCERPT_CHARS + 1)
    assert body.text == paragraphs[0]
