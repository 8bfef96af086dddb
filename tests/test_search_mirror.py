"""Unit tests for the pieces of generator.search that need no Pagefind: reading a page's
indexed element and metadata, and writing the shared document that indexes an article by
its Simplified text for every language."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from generator.search import (
    EndTag,
    Mirror,
    StartTag,
    parse_page,
    shared_document,
)
from generator.search import _needs_text as needs_text
from generator.search import _paired_texts as paired_texts

S2T = opencc.OpenCC("s2t")
HANT = Mirror("zh-hant", "zh-Hant", Path("_site/zh-hant"), "t", "s2t")
HK = Mirror("zh-hk", "zh-HK", Path("_site/zh-hk"), "hk", "s2hk")

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{title} - 站点</title></head>
<body>
<nav class="site-nav"><a href="/">首页</a></nav>
<main>
<article class="article" data-pagefind-body data-pagefind-filter="city[data-city]"
 data-city="{city}">
<header>
<nav class="breadcrumb"><a href="/regions/">{city}</a></nav>
<h1 data-pagefind-meta="title">{title}</h1>
<p class="meta" data-pagefind-ignore><time datetime="2022-11-01"
 data-pagefind-meta="date[datetime]" data-pagefind-sort="date[datetime]">2022年11月1日</time></p>
<p class="byline" data-pagefind-ignore>作者：<a data-pagefind-filter="author">{author}</a></p>
</header>
<div class="article-body">
<h2 id="s1">{heading}</h2>
<p>{para} &lt;b&gt; &amp; <em>{em}</em></p>
<script>var x = "<p>不是正文</p>";</script>
</div>
</article>
</main>
<footer>页脚文字</footer>
</body>
</html>
"""

SIMPLIFIED = {
    "lang": "zh-Hans",
    "title": "江北新区：筑牢安全防线",
    "city": "南京市",
    "author": "李静",
    "heading": "强化责任体系建设",
    "para": "全新探索“安全审计”模式，头发与发展",
    "em": "银发三长",
}


def page(**values: str) -> str:
    return PAGE.format(**values)


def traditional(values: dict[str, str]) -> dict[str, str]:
    return {key: S2T.convert(value) for key, value in values.items()} | {"lang": "zh-Hant"}


def test_parse_page_reads_lang_body_and_tagged_elements() -> None:
    parts = parse_page(page(**SIMPLIFIED))
    assert parts.lang == "zh-Hans"
    assert parts.first_h1 == SIMPLIFIED["title"]
    assert parts.title == f"{SIMPLIFIED['title']} - 站点"
    first, last = parts.body[0], parts.body[-1]
    assert isinstance(first, StartTag) and first.tag == "article"
    assert isinstance(last, EndTag) and last.tag == "article"
    text = "".join(t for t in parts.body if isinstance(t, str))
    assert "页脚文字" not in text and "首页" not in text
    assert "<b> &" in text  # entities are decoded once
    tagged = {(e.tag, dict(e.attrs).get("data-pagefind-meta")): e.text for e in parts.tagged}
    assert tagged[("h1", "title")] == SIMPLIFIED["title"]
    assert ("time", "date[datetime]") in tagged
    authors = [
        e.text for e in parts.tagged if dict(e.attrs).get("data-pagefind-filter") == "author"
    ]
    assert authors == [SIMPLIFIED["author"]]


def test_parse_page_without_body_has_no_tokens() -> None:
    parts = parse_page("<html lang='zh-Hans'><body><p>列表页</p></body></html>")
    assert parts.body == []
    assert parts.lang == "zh-Hans"


def test_parse_page_survives_void_and_unclosed_elements() -> None:
    parts = parse_page(
        "<div data-pagefind-body><p>甲<br>乙<img src='x.png' data-pagefind-meta='image[src]'>"
        "<p>丙</div><p>外面</p>"
    )
    text = "".join(t for t in parts.body if isinstance(t, str))
    assert text == "甲乙丙"
    assert [e.tag for e in parts.tagged] == ["img"]


def shared_of(simplified: dict[str, str], variant: dict[str, str] | None) -> str:
    parts = parse_page(page(**variant)) if variant is not None else None
    return shared_document(parse_page(page(**simplified)), [(HANT, parts, S2T.convert)])


def tagged_by_key(document: str) -> dict[str, object]:
    """Each tagged element by its first Pagefind attribute's value."""
    found = {}
    for element in parse_page(document).tagged:
        attrs = dict(element.attrs)
        key = attrs.get("data-pagefind-meta") or attrs.get("data-pagefind-filter")
        found[key] = element
    return found


def body_and_text(document: str, key: str = "zh-hant/text") -> tuple[str, str]:
    parts = parse_page(document)
    body = "".join(t for t in parts.body if isinstance(t, str))
    return body, tagged_by_key(document)[key].text


def test_shared_document_indexes_simplified_text_with_each_language_beside_it() -> None:
    variant = traditional(SIMPLIFIED)
    document = shared_of(SIMPLIFIED, variant)
    assert parse_page(document).lang == "zh-Hans"
    body, text = body_and_text(document)
    assert SIMPLIFIED["para"] in body and SIMPLIFIED["title"] in body
    assert variant["para"] in text and variant["title"] in text
    # The browser maps excerpts by position, counting characters other than whitespace.
    assert len("".join(body.split())) == len("".join(text.split()))
    meta = tagged_by_key(document)
    assert meta["title"].text == SIMPLIFIED["title"]
    assert meta["zh-hant/title"].text == variant["title"]
    assert dict(meta["city[data-city]"].attrs)["data-city"] == SIMPLIFIED["city"]
    assert dict(meta["zh-hant/city[data-city]"].attrs)["data-city"] == variant["city"]
    assert meta["author"].text == SIMPLIFIED["author"]
    assert meta["zh-hant/author"].text == variant["author"]
    # The Simplified page's sort key serves every language: one, not one per language.
    sorts = [dict(e.attrs).get("data-pagefind-sort") for e in parse_page(document).tagged]
    assert [s for s in sorts if s] == ["date[datetime]"]
    assert dict(meta["zh-hant/date[datetime]"].attrs)["datetime"] == "2022-11-01"


def test_copies_carry_no_metadata_ids_or_unindexed_parts() -> None:
    document = shared_of(SIMPLIFIED, traditional(SIMPLIFIED))
    body_html = document.split("<div data-pagefind-body>", 1)[1].split("</div>\n", 1)[0]
    text_html = document.split('<div data-pagefind-meta="zh-hant/text">', 1)[1]
    text_html = text_html.split("</div>\n", 1)[0]
    for copy in (body_html, text_html):
        assert "data-pagefind-" not in copy
        assert ' id="' not in copy
        assert "<nav" not in copy and "<script" not in copy
        assert "2022年11月1日" not in copy  # the ignored date line
        assert "作者" not in copy
    assert "<h1>" in body_html and "<h2>" in body_html  # headings keep their weight
    assert "<h1>" not in text_html and "<h2>" not in text_html  # meta text has no weights
    assert "&lt;b&gt; &amp;" in body_html  # text is escaped again


def test_title_meta_is_added_when_a_page_has_none() -> None:
    plain = PAGE.replace(' data-pagefind-meta="title"', "")
    simplified = parse_page(plain.format(**SIMPLIFIED))
    variant = parse_page(plain.format(**traditional(SIMPLIFIED)))
    document = shared_document(simplified, [(HANT, variant, S2T.convert)])
    meta = tagged_by_key(document)
    assert meta["title"].text == SIMPLIFIED["title"]
    assert meta["zh-hant/title"].text == S2T.convert(SIMPLIFIED["title"])


def test_each_variant_has_its_own_keys() -> None:
    hk_page = parse_page(page(**traditional(SIMPLIFIED)).replace("探索", "探尋"))
    document = shared_document(
        parse_page(page(**SIMPLIFIED)),
        [
            (HANT, parse_page(page(**traditional(SIMPLIFIED))), S2T.convert),
            (HK, hk_page, S2T.convert),
        ],
    )
    meta = tagged_by_key(document)
    assert {"zh-hant/text", "zh-hk/text", "zh-hant/title", "zh-hk/title"} <= set(meta)
    assert "zh-hk/author" in meta and "zh-hant/author" in meta
    # Each variant's text is its own page's: the HK page's wording is in its text alone.
    assert "探尋" in meta["zh-hk/text"].text and "探尋" not in meta["zh-hant/text"].text
    assert "探索" in meta["zh-hant/text"].text


def test_without_a_variant_page_its_text_is_converted() -> None:
    document = shared_of(SIMPLIFIED, None)
    body, text = body_and_text(document)
    assert text.split() == S2T.convert(body).split()
    meta = tagged_by_key(document)
    assert meta["zh-hant/title"].text == S2T.convert(SIMPLIFIED["title"])
    assert "zh-hant/city[data-city]" not in meta  # the browser falls back to the record's own


def test_text_of_another_length_falls_back_to_a_length_keeping_conversion() -> None:
    source = parse_page(page(**SIMPLIFIED)).body
    variant = traditional(SIMPLIFIED) | {"heading": "加長標題"}
    texts = paired_texts(source, parse_page(page(**variant)).body, S2T.convert)
    ours = [t for t in source if isinstance(t, str)]
    assert [len(t) for t in texts] == [len(t) for t in ours]
    assert S2T.convert(SIMPLIFIED["heading"]) in texts
    assert variant["para"] in "".join(texts)  # other nodes keep the page's own text


def test_pages_of_different_shape_are_converted_node_by_node() -> None:
    source = parse_page(page(**SIMPLIFIED)).body
    other = parse_page(
        page(**traditional(SIMPLIFIED)).replace("<em>", "<strong>").replace("</em>", "</strong>")
    )
    texts = paired_texts(source, other.body, S2T.convert)
    assert texts == [S2T.convert(t) for t in source if isinstance(t, str)]


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"data-pagefind-meta": "title"}, True),
        ({"data-pagefind-meta": "date[datetime]"}, False),
        ({"data-pagefind-filter": "city:南京市"}, False),
        ({"data-pagefind-filter": "city[data-city], county[data-county]"}, False),
        ({"data-pagefind-meta": "region, date:2022-11-01"}, True),
        ({"class": "x"}, False),
    ],
)
def test_needs_text_follows_pagefind_attribute_syntax(
    attrs: dict[str, str], expected: bool
) -> None:
    assert needs_text(tuple(attrs.items())) is expected


def test_metadata_outside_the_indexed_element_is_still_read() -> None:
    text = page(**SIMPLIFIED).replace(
        "<head>", '<head><meta data-pagefind-meta="image[content]" content="/cover.png">'
    )
    parts = parse_page(text)
    assert parts.tagged[0].tag == "meta"
    assert parts.lang == "zh-Hans" and parts.first_h1 == SIMPLIFIED["title"]
    assert parse_page(page(**SIMPLIFIED)).body == parts.body
