"""The Site model: ordering, neighbours, taxonomies, slugs and their collisions, pagination,
and the Markdown body (anchors, escaping, excerpts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content import ArticleSource, BulletinMeta, Region, dump_article
from generator.errors import BulletinError
from generator.markup import excerpt, make_markdown, render_body
from generator.site import (
    Site,
    Taxonomy,
    assemble_site,
    bulletin_segment,
    page_url,
    paginate,
    parse_doc,
)

P = "江苏省"


def article(
    bulletin: str,
    order: int,
    slug: str,
    region: tuple[str | None, str | None] | None = None,
    authors: tuple[str, ...] = (),
    title: str = "标题",
    body: str = "正文。",
) -> ArticleSource:
    return ArticleSource(
        title=title,
        body=body,
        bulletin=bulletin,
        order=order,
        slug=slug,
        region=Region(P, *region) if region else None,
        authors=list(authors),
    )


def build(*specs: tuple[str, dt.date | None, list[ArticleSource]]) -> Site:
    markdown = make_markdown(False)
    docs = {}
    metas = []
    for bulletin_id, date, sources in specs:
        metas.append((bulletin_id, BulletinMeta(bulletin_id, date, "", "", "utf-8")))
        for source in sources:
            src_path = f"{bulletin_id}/{source.order:02d}-{source.slug}.md"
            data = dump_article(source).encode()
            docs[src_path] = parse_doc(data, Path(src_path), src_path, "x", markdown)
    return assemble_site(metas, docs)


def test_bulletins_newest_first_and_undated_by_id_after_dated() -> None:
    site = build(
        ("b-old", dt.date(2024, 1, 1), [article("b-old", 1, "a")]),
        ("b-new", dt.date(2024, 2, 1), [article("b-new", 1, "b")]),
        ("x-undated", None, [article("x-undated", 1, "c")]),
        ("y-undated", None, [article("y-undated", 1, "d")]),
    )
    assert site.bulletin_order == ("b-new", "b-old", "y-undated", "x-undated")
    assert [site.articles[k].slug for k in site.article_order] == ["b", "a", "d", "c"]


def test_print_order_and_neighbours_within_a_bulletin() -> None:
    site = build(
        ("b", None, [article("b", 2, "second"), article("b", 1, "first"), article("b", 3, "third")])
    )
    keys = site.bulletins["b"].articles
    assert [site.articles[k].slug for k in keys] == ["first", "second", "third"]
    first, second, third = (site.articles[k] for k in keys)
    assert (first.prev, first.next) == (None, second.key)
    assert (second.prev, second.next) == (first.key, third.key)
    assert (third.prev, third.next) == (second.key, None)
    assert second.url == "bulletins/b/second/"


def test_regions_group_city_and_county_newest_first_and_skip_null_regions() -> None:
    site = build(
        (
            "old",
            dt.date(2024, 1, 1),
            [
                article("old", 1, "a", ("南京市", "江宁区")),
                article("old", 2, "b", ("南京市", None)),
                article("old", 3, "c", None),
            ],
        ),
        ("new", dt.date(2024, 2, 1), [article("new", 1, "d", ("南京市", "江北新区"))]),
    )
    city = site.terms["regions/nan-jing-shi"]
    assert city.url == "regions/nan-jing-shi/"
    assert city.group == P
    assert [site.articles[k].slug for k in city.articles] == ["d", "a", "b"]
    assert city.children == (
        "regions/nan-jing-shi/jiang-bei-xin-qu",
        "regions/nan-jing-shi/jiang-ning-qu",
    )
    county = site.terms["regions/nan-jing-shi/jiang-ning-qu"]
    assert county.parent == city.key
    assert county.name == "江宁区"
    assert [site.articles[k].slug for k in county.articles] == ["a"]
    no_region = site.articles["old/03-c.md"]
    assert no_region.region_terms == ()
    assert all(no_region.key not in t.articles for t in site.terms.values())
    assert site.articles["new/01-d.md"].region_terms == (
        city.key,
        "regions/nan-jing-shi/jiang-bei-xin-qu",
    )


def test_authors_are_one_taxonomy_with_counts() -> None:
    site = build(
        (
            "b",
            None,
            [
                article("b", 1, "a", authors=("潘云祥", "崔年")),
                article("b", 2, "b", authors=("崔年",)),
            ],
        )
    )
    authors = {t.name: t for t in site.top_terms(Taxonomy.AUTHORS)}
    assert set(authors) == {"潘云祥", "崔年"}
    assert authors["崔年"].url == "authors/cui-nian/"
    assert len(authors["崔年"].articles) == 2
    assert authors["崔年"].group == "C"
    assert site.articles["b/01-a.md"].author_terms == ("authors/pan-yun-xiang", "authors/cui-nian")


def test_homophone_slugs_first_appearance_keeps_the_plain_slug() -> None:
    older = ("b1", dt.date(2024, 1, 1), [article("b1", 1, "a", authors=("李晶",))])
    newer = ("b2", dt.date(2024, 2, 1), [article("b2", 1, "b", authors=("李静",))])
    site = build(older, newer)
    slugs = {t.name: t.slug for t in site.top_terms(Taxonomy.AUTHORS)}
    assert slugs["李晶"] == "li-jing"
    assert slugs["李静"].startswith("li-jing-") and len(slugs["李静"]) == len("li-jing-") + 4
    # Adding newer content with a third homophone renames nobody.
    newest = ("b3", dt.date(2024, 3, 1), [article("b3", 1, "c", authors=("李境",))])
    again = {t.name: t.slug for t in build(older, newer, newest).top_terms(Taxonomy.AUTHORS)}
    assert again["李晶"] == slugs["李晶"] and again["李静"] == slugs["李静"]
    assert len(set(again.values())) == 3


def test_article_url_comes_from_the_slug_not_the_headline() -> None:
    before = build(("b", None, [article("b", 1, "keep-me", title="错字标题")]))
    after = build(("b", None, [article("b", 1, "keep-me", title="正确标题")]))
    assert before.articles["b/01-keep-me.md"].url == after.articles["b/01-keep-me.md"].url


def test_a_slug_that_is_not_url_safe_is_an_error_naming_the_line() -> None:
    source = article("b", 1, "x")
    text = dump_article(source).replace("slug: x", "slug: 中文")
    with pytest.raises(BulletinError) as caught:
        parse_doc(text.encode(), Path("b/01-x.md"), "b/01-x.md", "d", make_markdown(False))
    assert caught.value.line == text.splitlines().index("slug: 中文") + 1


def test_bulletin_segment_keeps_safe_ids_and_transliterates_others() -> None:
    assert bulletin_segment("000_aa11cc3685d42101") == "000_aa11cc3685d42101"
    assert bulletin_segment("南京快讯") == "nan-jing-kuai-xun"


def test_pagination() -> None:
    assert paginate(("a", "b", "c", "d", "e"), 2) == [("a", "b"), ("c", "d"), ("e",)]
    assert paginate((), 3) == [()]
    assert page_url("regions/x/", 1) == "regions/x/"
    assert page_url("regions/x/", 3) == "regions/x/page/3/"


def test_body_subheadings_get_ascii_anchors_below_the_headline() -> None:
    body = render_body(make_markdown(False), "导语。\n\n## 第一节\n\n正文。\n\n# 顶级\n\n## 第二节")
    assert [(h.anchor, h.text) for h in body.headings] == [
        ("s1", "第一节"),
        ("s2", "顶级"),
        ("s3", "第二节"),
    ]
    assert '<h2 id="s1">第一节</h2>' in body.html
    assert "<h1" not in body.html
    assert body.text == "导语。正文。"


def test_raw_html_is_escaped_unless_allowed() -> None:
    source = "段落<script>alert(1)</script>"
    assert "&lt;script&gt;" in render_body(make_markdown(False), source).html
    assert "<script>" in render_body(make_markdown(True), source).html


def test_line_breaks_inside_chinese_paragraphs_add_no_space() -> None:
    body = render_body(make_markdown(False), "第一行\n第二行 and\nEnglish")
    assert "<p>第一行第二行 and\nEnglish</p>" in body.html


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短文", 10, "短文"),
        ("一二三四五六", 4, "一二三四…"),
        ("a&b<c>d", 3, "a&b…"),  # plain text is cut; escaping comes after
        ("ab\u0301cd", 2, "a…"),  # a combining accent stays with its letter
        ("ab\u200d", 2, "a…"),
        ("多个   空白\n换行", 20, "多个 空白 换行"),
    ],
)
def test_excerpt_cuts_between_whole_characters(text: str, limit: int, expected: str) -> None:
    assert excerpt(text, limit) == expected


def test_two_pages_writing_one_path_is_an_error_before_anything_is_written(
    tmp_path: Path,
) -> None:
    from generator.config import parse_config
    from generator.pages import find_collisions, plan_pages
    from generator.variants import languages_of

    config = parse_config(
        {"title": "t", "base_url": "https://example.org/", "province": P}, tmp_path / "site.yaml"
    )
    site = build(("b", None, [article("b", 1, "same"), article("b", 2, "same")]))
    with pytest.raises(BulletinError) as caught:
        find_collisions(plan_pages(site, config), languages_of(config))
    assert "bulletins/b/same/index.html" in str(caught.value)
    assert "b/01-same.md" in str(caught.value) and "b/02-same.md" in str(caught.value)
