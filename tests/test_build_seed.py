"""End to end: build the seed's site with the real CLI and read what each page type shows,
in Simplified and in the Traditional mirror."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import opencc
import pytest
from build_support import article_path, articles, build, copy_project, hrefs, html, run_cli

from generator.content import ArticleSource, read_bulletin_meta

HANT = "zh-hant/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("seed"))
    result = build(folder)
    assert "files written" in result.stdout
    return folder


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return project / "_site"


@pytest.fixture(scope="module")
def seed_articles(project: Path) -> list[ArticleSource]:
    found = articles(project)
    assert len(found) == 7
    return found


def by_county(seed_articles: list[ArticleSource], county: str) -> ArticleSource:
    (match,) = [a for a in seed_articles if a.region and a.region.county == county]
    return match


def test_every_article_has_a_page_in_both_languages(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    to_hant = opencc.OpenCC("s2t")
    for article in seed_articles:
        hans = html(site / article_path(article) / "index.html")
        hant = html(site / article_path(article, HANT) / "index.html")
        assert hans.css_first("html").attributes["lang"] == "zh-Hans"
        assert hant.css_first("html").attributes["lang"] == "zh-Hant"
        assert hans.css_first("h1").text() == article.title
        assert hant.css_first("h1").text() == to_hant.convert(article.title)
        assert len(hans.css("h1")) == 1


def test_xinghua_article_lists_its_three_authors_each_linked_to_a_page_listing_it(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    article = by_county(seed_articles, "兴化市")
    assert len(article.authors) == 3
    for prefix in ("", HANT):
        page = html(site / article_path(article, prefix) / "index.html")
        links = page.css(".byline a")
        assert len(links) == 3
        if not prefix:
            assert [a.text() for a in links] == article.authors
        for link in links:
            target = site / link.attributes["href"].lstrip("/") / "index.html"
            listed = hrefs(html(target), ".card-title a")
            assert "/" + article_path(article, prefix) in listed


def test_nanjing_city_page_lists_both_nanjing_articles(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    nanjing = [a for a in seed_articles if a.region and a.region.city == "南京市"]
    assert len(nanjing) == 2
    for prefix in ("", HANT):
        page = html(site / prefix / "regions/nan-jing-shi/index.html")
        listed = hrefs(page, ".card-title a")
        assert sorted(listed) == sorted("/" + article_path(a, prefix) for a in nanjing)
        counties = {a.text() for a in page.css(".chips a")}
        assert len(counties) == 2
    assert html(site / "regions/nan-jing-shi/index.html").css_first("h1").text() == "南京市"


def test_hant_jiangbei_article_is_converted_and_links_back(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    article = by_county(seed_articles, "江北新区")
    page = html(site / article_path(article, HANT) / "index.html")
    body = page.css_first(".article-body").text()
    assert "應急管理局" in body
    assert "应急管理局" not in body
    switch = {a.attributes["hreflang"]: a.attributes["href"] for a in page.css(".lang-switch a")}
    assert switch["zh-Hans"] == "/" + article_path(article)
    assert switch["zh-Hant"] == "/" + article_path(article, HANT)
    assert page.css_first('.lang-switch a[hreflang="zh-Hans"]').text() == "简体中文"
    alternates = {
        link.attributes["hreflang"]: link.attributes["href"]
        for link in page.css('link[rel="alternate"][hreflang]')
    }
    assert alternates["zh-Hans"] == "https://example.org/" + article_path(article)
    assert alternates["x-default"] == alternates["zh-Hans"]
    canonical = page.css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == "https://example.org/" + article_path(article, HANT)
    crumbs = [a.text() for a in page.css(".breadcrumb a")]
    assert crumbs == ["江蘇省", "南京市", "江北新區"]


def test_article_page_parts(site: Path, seed_articles: list[ArticleSource]) -> None:
    article = by_county(seed_articles, "江北新区")
    page = html(site / article_path(article) / "index.html")
    crumbs = page.css(".breadcrumb a")
    assert [a.text() for a in crumbs] == ["江苏省", "南京市", "江北新区"]
    for crumb in crumbs:
        path, _, anchor = crumb.attributes["href"].partition("#")
        target = html(site / path.lstrip("/") / "index.html")
        if anchor:
            assert target.css_first(f"#{anchor}") is not None
    anchors = [a.attributes["href"] for a in page.css(".toc a")]
    headings = page.css(".article-body h2")
    assert len(headings) >= 2
    assert anchors == [f"#{h.attributes['id']}" for h in headings]
    assert all(h.attributes["id"].isascii() for h in headings)
    # Neighbours in print order within the bulletin.
    same = sorted((a for a in articles_of(seed_articles, article.bulletin)), key=lambda a: a.order)
    index = same.index(article)
    prev_link = page.css_first(".prev-next .prev")
    if index == 0:
        assert prev_link is None
    else:
        assert prev_link.attributes["href"] == "/" + article_path(same[index - 1])
    next_link = page.css_first(".prev-next .next").attributes["href"]
    assert next_link == "/" + article_path(same[index + 1])
    # More from the same region: the other Nanjing article.
    other = [a for a in seed_articles if a.region and a.region.city == "南京市" and a != article]
    assert hrefs(page, ".more-region li a") == ["/" + article_path(other[0])]


def articles_of(seed_articles: list[ArticleSource], bulletin: str) -> list[ArticleSource]:
    return [a for a in seed_articles if a.bulletin == bulletin]


def test_article_open_graph_and_json_ld(site: Path, seed_articles: list[ArticleSource]) -> None:
    article = by_county(seed_articles, "兴化市")
    for prefix, lang in (("", "zh-Hans"), (HANT, "zh-Hant")):
        page = html(site / article_path(article, prefix) / "index.html")
        og = {m.attributes["property"]: m.attributes["content"] for m in page.css("meta[property]")}
        assert og["og:type"] == "article"
        assert og["og:url"] == "https://example.org/" + article_path(article, prefix)
        assert og["og:title"] == page.css_first("h1").text()
        data = json.loads(page.css_first('script[type="application/ld+json"]').text())
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == page.css_first("h1").text()
        assert data["inLanguage"] == lang
        assert [a["name"] for a in data["author"]] == [a.text() for a in page.css(".byline a")]


def test_home_shows_every_article_with_region_authors_and_excerpt(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    page = html(site / "index.html")
    cards = page.css(".card")
    assert len(cards) == len(seed_articles)
    for card, article in zip(cards, sorted(seed_articles, key=lambda a: a.order), strict=True):
        assert card.css_first(".card-title").text() == article.title
        regions = [a.text() for a in card.css(".regions a")]
        expected = [n for n in (article.region.city, article.region.county) if n]
        assert regions == expected
        assert [a.text() for a in card.css(".authors a")] == article.authors
        excerpt = card.css_first(".excerpt").text()
        assert excerpt.endswith("…") and len(excerpt) <= 91
        assert excerpt[:-1] in "".join(article.body.split())


def test_bulletin_page_lists_articles_in_print_order(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    bulletin = seed_articles[0].bulletin
    page = html(site / f"bulletins/{bulletin}/index.html")
    in_order = sorted(articles_of(seed_articles, bulletin), key=lambda a: a.order)
    assert hrefs(page, ".toc-list .card-title a") == ["/" + article_path(a) for a in in_order]
    archive = html(site / "bulletins/index.html")
    assert hrefs(archive, ".archive-list h3 a") == [f"/bulletins/{bulletin}/"]
    assert len(archive.css(".headlines li")) == len(in_order)


def test_indexes_of_regions_and_authors_with_counts(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    regions = html(site / "regions/index.html")
    cities = {
        li.css_first("a").text(): int(li.css_first(".count").text().split()[0])
        for li in regions.css(".term-list > li")
    }
    expected: dict[str, int] = {}
    for article in seed_articles:
        expected[article.region.city] = expected.get(article.region.city, 0) + 1
    assert cities == expected
    assert regions.css_first("h2").attributes["id"] == "p-jiang-su-sheng"
    authors = html(site / "authors/index.html")
    names = {a.text() for a in authors.css(".term-list > li > a")}
    assert names == {name for a in seed_articles for name in a.authors}


def test_every_author_and_region_page_lists_exactly_its_articles(
    site: Path, seed_articles: list[ArticleSource]
) -> None:
    authors = html(site / "authors/index.html")
    for link in authors.css(".term-list > li > a"):
        page = html(site / link.attributes["href"].lstrip("/") / "index.html")
        mine = [a for a in seed_articles if link.text() in a.authors]
        assert sorted(hrefs(page, ".card-title a")) == sorted("/" + article_path(a) for a in mine)
        assert page.css_first("h1").text() == link.text()


def test_feeds_are_valid_atom_in_both_languages(site: Path) -> None:
    feeds = sorted(site.rglob("feed.xml"))
    assert site / "feed.xml" in feeds and site / HANT / "feed.xml" in feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.feed.title and parsed.entries
        for entry in parsed.entries:
            assert entry.id and entry.link and entry.updated
    hant = feedparser.parse((site / HANT / "feed.xml").read_bytes())
    assert hant.feed.title == "江蘇區域快訊"
    # The seed has no date: entries carry its recorded ingest time, never 1970.
    ingested = read_bulletin_meta(next(site.parent.glob("content/*/bulletin.yaml"))).ingested
    assert ingested is not None
    for entry in hant.entries:
        assert entry.updated_parsed[:6] == ingested.utctimetuple()[:6]
    assert all(e.link.startswith("https://example.org/zh-hant/") for e in hant.entries)


def test_sitemap_lists_every_page_with_alternates_and_robots_points_at_it(site: Path) -> None:
    from xml.etree import ElementTree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    tree = ElementTree.parse(site / "sitemap.xml")
    locs = {u.findtext("s:loc", namespaces=ns): u for u in tree.getroot()}
    pages = {
        "https://example.org/" + p.relative_to(site).as_posix().removesuffix("index.html")
        for p in site.rglob("*.html")
        if p.name != "404.html"
    }
    assert set(locs) == pages
    for url in locs.values():
        langs = {link.get("hreflang") for link in url.findall("x:link", ns)}
        assert langs == {"zh-Hans", "zh-Hant", "x-default"}
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://example.org/sitemap.xml" in robots


def test_search_page_and_header_box_and_404(site: Path) -> None:
    for prefix in ("", HANT):
        page = html(site / prefix / "search/index.html")
        form = page.css_first("main form")
        assert form.attributes["action"] == f"/{prefix}search/"
        assert form.css_first('input[name="q"]') is not None
        assert page.css_first("#search-results") is not None
        header = page.css_first("header form")
        assert header.attributes["action"] == f"/{prefix}search/"
        assert header.css_first('input[name="q"]') is not None
        missing = html(site / prefix / "404.html")
        assert missing.css_first('meta[name="robots"]').attributes["content"] == "noindex"
        assert all(h.startswith("/") for h in hrefs(missing, "a[href]") if not h.startswith("#"))


def test_labels_are_converted_in_the_mirror(site: Path) -> None:
    hans = [a.text() for a in html(site / "index.html").css(".site-nav a")]
    hant = [a.text() for a in html(site / HANT / "index.html").css(".site-nav a")]
    assert hans == ["首页", "往期", "地区", "作者", "搜索"]
    assert hant == ["首頁", "往期", "地區", "作者", "搜索"]


def test_no_request_to_another_host(site: Path) -> None:
    for path in site.rglob("*.html"):
        tree = html(path)
        for node in tree.css("link[href], script[src], img[src]"):
            url = node.attributes.get("href") or node.attributes.get("src") or ""
            rel = node.attributes.get("rel") or ""
            if rel in ("canonical", "alternate"):
                continue
            assert not urlsplit(url).netloc, (path, url)


def test_bulletin_check_passes(project: Path) -> None:
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_subpath_base_url_links_resolve(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", base_url="https://example.org/news/")
    build(project)
    site = project / "_site"
    checked = 0
    for path in site.rglob("*.html"):
        for href in hrefs(html(path), "a[href], link[rel=stylesheet]"):
            parts = urlsplit(href)
            if parts.netloc or href.startswith("#"):
                continue
            assert parts.path.startswith("/news/"), (path, href)
            target = site / parts.path.removeprefix("/news/")
            if parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), (path, href)
            checked += 1
    assert checked > 1000
    canonical = html(site / "index.html").css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == "https://example.org/news/"
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
