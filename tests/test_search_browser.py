"""Search in a real browser: the seed site built with the real CLI (search on), served on
127.0.0.1, queries typed into the header search box and the search page, results read
from the page as a reader sees them.

Expected articles are found from the content by the facts the queries are about (the
article whose county is 江北新区, the one whose headline contains 复议), never by listing
headlines. One extra, later bulletin is added so that date sorting has something to do.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import opencc
import pytest
from build_support import (
    article_path,
    articles,
    copy_project,
    html,
    run_cli,
    serve_directory,
)

from generator.content import (
    BULLETIN_META,
    ArticleSource,
    Region,
    dump_article,
    dump_bulletin_meta,
    read_bulletin_meta,
)

pytestmark = pytest.mark.browser

S2T = opencc.OpenCC("s2t")
EXTRA_BULLETIN = "zz-search-extra"


@dataclass
class Site:
    project: Path
    url: str  # http://127.0.0.1:port/
    articles: list[ArticleSource]

    def article(self, predicate: object) -> ArticleSource:
        found = [a for a in self.articles if predicate(a)]  # type: ignore[operator]
        assert len(found) == 1, [a.title for a in found]
        return found[0]

    def page_url(self, article: ArticleSource, prefix: str = "") -> str:
        return "/" + article_path(article, prefix)

    def traditional_title(self, article: ArticleSource) -> str:
        page = self.project / "_site" / article_path(article, "zh-hant/") / "index.html"
        return html(page).css_first("h1").text(strip=True)


def bulletin_dates(project: Path) -> list[dt.date | None]:
    return [a.date for a in articles(project)]


def article_date(project: Path, article: ArticleSource) -> dt.date | None:
    """An article's own date, else its bulletin's (as the site shows it)."""
    if article.date is not None:
        return article.date
    meta = project / "content" / article.bulletin / BULLETIN_META
    return read_bulletin_meta(meta).date if meta.is_file() else None


def add_later_bulletin(project: Path, after: dt.date) -> None:
    """A bulletin dated after every other, mentioning 银发 once in a long text."""
    filler = "社区志愿者定期走访独居老人，帮助修理家电、打扫庭院，并组织健康讲座和文艺演出。"
    article = ArticleSource(
        title="海陵：社区志愿服务常态开展",
        body="\n\n".join([filler * 3, "其中也有不少银发志愿者参与。", filler * 3]),
        bulletin=EXTRA_BULLETIN,
        order=1,
        slug="hai-ling-zhi-yuan-fu-wu",
        place="海陵",
        region=Region("江苏省", "泰州市", "海陵区"),
        authors=["测试作者"],
        date=after + dt.timedelta(days=30),
    )
    folder = project / "content" / EXTRA_BULLETIN
    folder.mkdir(parents=True)
    (folder / "01-hai-ling-zhi-yuan-fu-wu.md").write_text(dump_article(article), "utf-8")


@pytest.fixture(scope="module", params=["one bundle", "shards"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, seed_path: Path
) -> Iterator[Site]:
    """The seed site, and the same with one bulletin a shard (a large site's index is in
    shards of ~1,000 pages): every search behaves the same over the shards."""
    project = copy_project(tmp_path_factory.mktemp("search"))
    sharded = request.param == "shards"
    if sharded:
        with (project / "site.yaml").open("a", encoding="utf-8") as settings:
            settings.write("search_shard_pages: 1\n")
    if not (project / "content" / seed_path.stem).is_dir():
        ingested = run_cli(project, "ingest", f"seeds/{seed_path.name}")
        assert ingested.returncode == 0, ingested.stderr
    # The seed's text carries no date; an editor gives the bulletin one, as for any dateless
    # bulletin, so results have a date to show.
    meta_path = project / "content" / seed_path.stem / BULLETIN_META
    meta = read_bulletin_meta(meta_path)
    if meta.date is None:
        meta.date = dt.date(2022, 11, 15)
        meta_path.write_text(dump_bulletin_meta(meta), "utf-8")
    add_later_bulletin(project, max(filter(None, [meta.date, *bulletin_dates(project)])))
    built = run_cli(project, "build")
    assert built.returncode == 0, built.stderr
    bundle = project / "_site" / "pagefind"  # every language's
    options = json.loads((bundle / "bulletin-search.json").read_text(encoding="utf-8"))
    shards = options.get("shards", ["./"])
    assert len(shards) == (2 if sharded else 1)  # one for each bulletin folder
    assert all((bundle / shard / "pagefind.js").is_file() for shard in shards)
    with serve_directory(project / "_site") as url:
        yield Site(project, url, articles(project))


# ------------------------------------------------------------------ driving the page


def wait_for_search(page: object, before: str | None = None) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        """(before) => {
            const root = document.querySelector('[data-search]');
            return root && root.dataset.searched && root.dataset.searched !== before;
        }""",
        arg=before,
    )


def from_header(page: object, site: Site, query: str, prefix: str = "") -> None:
    """Type into the search box in the header of an article page and press Enter."""
    start = site.articles[0]
    page.goto(site.url.rstrip("/") + site.page_url(start, prefix))  # type: ignore[attr-defined]
    box = page.locator("header #site-search")  # type: ignore[attr-defined]
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(f"**/{prefix}search/?q=*")  # type: ignore[attr-defined]
    wait_for_search(page)


def again(page: object, query: str) -> None:
    """A new query on the search page itself."""
    before = page.locator("[data-search]").get_attribute("data-searched")  # type: ignore[attr-defined]
    box = page.locator("#search-q")  # type: ignore[attr-defined]
    box.fill(query)
    box.press("Enter")
    wait_for_search(page, before)


def choose(page: object, name: str, value: str) -> None:
    before = page.locator("[data-search]").get_attribute("data-searched")  # type: ignore[attr-defined]
    page.select_option(f"select[name={name}]", value)  # type: ignore[attr-defined]
    wait_for_search(page, before)


@dataclass
class Shown:
    title: str
    path: str
    region: str
    date: str
    datetime: str
    marks: list[str]
    excerpt: str


def results(page: object) -> list[Shown]:
    data = page.eval_on_selector_all(  # type: ignore[attr-defined]
        ".search-result",
        """items => items.map(item => {
            const text = (sel) => item.querySelector(sel)?.textContent ?? "";
            return {
                title: text(".search-result-title"),
                path: new URL(item.querySelector("a").href).pathname,
                region: text(".search-result-region"),
                date: text(".search-result-date"),
                datetime: item.querySelector("time")?.getAttribute("datetime") ?? "",
                marks: [...item.querySelectorAll("mark")].map(m => m.textContent),
                excerpt: text(".search-result-excerpt"),
            };
        })""",
    )
    return [Shown(**item) for item in data]


def status(page: object) -> str:
    return page.locator("[data-search-status]").inner_text()  # type: ignore[attr-defined]


def no_results_shown(page: object) -> bool:
    root = page.locator("[data-search]")  # type: ignore[attr-defined]
    return "search-none" in (root.get_attribute("class") or "") and not results(page)


def county_is(county: str) -> object:
    return lambda a: a.region is not None and a.region.county == county


def title_has(word: str) -> object:
    return lambda a: word in a.title


# ------------------------------------------------------------------ the reader's queries


def test_simplified_query_lists_the_article_first_with_its_facts(page: object, site: Site) -> None:
    expected = site.article(county_is("江北新区"))
    from_header(page, site, "安全审计")
    shown = results(page)
    assert not any(r.path.startswith("/zh-hant/") for r in shown)  # its own language only
    first = shown[0]
    assert first.title == expected.title
    assert first.path == site.page_url(expected)
    assert expected.region is not None
    assert first.region == f"{expected.region.city} · {expected.region.county}"
    date = article_date(site.project, expected)
    assert date is not None
    assert first.datetime == date.isoformat()
    assert first.date == f"{date.year}年{date.month}月{date.day}日"
    assert {"安全", "审计"} & set(first.marks)
    assert all(mark in first.excerpt for mark in first.marks)


def test_traditional_query_finds_the_traditional_page(page: object, site: Site) -> None:
    expected = site.article(county_is("江北新区"))
    from_header(page, site, "審計", prefix="zh-hant/")
    shown = results(page)
    assert all(r.path.startswith("/zh-hant/") for r in shown)  # its own language only
    first = shown[0]
    assert first.path == site.page_url(expected, "zh-hant/")
    assert first.title == site.traditional_title(expected)
    assert "審計" in first.marks
    assert expected.region is not None and expected.region.county is not None
    assert S2T.convert(expected.region.county) in first.region


@pytest.mark.parametrize(
    ("prefix", "query"), [("", "安全審計"), ("zh-hant/", "安全审计")], ids=["hans", "hant"]
)
def test_a_query_in_the_other_script_finds_the_same_article(
    page: object, site: Site, prefix: str, query: str
) -> None:
    expected = site.article(county_is("江北新区"))
    from_header(page, site, query, prefix=prefix)
    assert results(page)[0].path == site.page_url(expected, prefix)


@pytest.mark.parametrize("word", ["复议", "银发"])
def test_two_character_words_find_their_article_on_both_sites(
    page: object, site: Site, word: str
) -> None:
    expected = site.article(lambda a: word in a.title)
    from_header(page, site, word)
    first = results(page)[0]
    assert first.path == site.page_url(expected)
    assert word in first.marks
    traditional = S2T.convert(word)
    from_header(page, site, traditional, prefix="zh-hant/")
    first = results(page)[0]
    assert first.path == site.page_url(expected, "zh-hant/")
    assert traditional in first.marks


def test_a_single_character_matches_the_words_it_starts(page: object, site: Site) -> None:
    from_header(page, site, "审")
    shown = results(page)
    assert shown
    assert all(any(mark.startswith("审") for mark in item.marks) for item in shown)


@pytest.mark.parametrize(
    ("prefix", "words"), [("", ("安全", "审计")), ("zh-hant/", ("安全", "審計"))]
)
def test_phrases_match_words_side_by_side_only(
    page: object, site: Site, prefix: str, words: tuple[str, str]
) -> None:
    expected = site.article(county_is("江北新区"))
    from_header(page, site, f'"{words[0]}{words[1]}"', prefix=prefix)
    assert [r.path for r in results(page)] == [site.page_url(expected, prefix)]
    again(page, f'"{words[1]}{words[0]}"')  # both words are in the article, never this way round
    assert no_results_shown(page)
    again(page, f"{words[1]} {words[0]}")  # unquoted, order does not matter
    assert results(page)[0].path == site.page_url(expected, prefix)


def test_filters_narrow_the_results(page: object, site: Site) -> None:
    from_header(page, site, "发展")
    everything = results(page)
    counties = {r.region.split(" · ")[-1] for r in everything}
    assert len(counties) > 1
    county = sorted(counties)[0]
    choose(page, "county", county)
    narrowed = results(page)
    assert 0 < len(narrowed) < len(everything)
    assert all(r.region.endswith(county) for r in narrowed)
    assert parse_qs(urlsplit(page.url).query)["county"] == [county]  # type: ignore[attr-defined]

    choose(page, "county", "")
    cities = {r.region.split(" · ")[0] for r in everything}
    assert len(cities) > 1
    city = sorted(cities)[0]
    choose(page, "city", city)
    in_city = results(page)
    assert 0 < len(in_city) < len(everything)
    assert all(r.region.startswith(city) for r in in_city)

    choose(page, "city", "")
    author = site.article(county_is("江北新区")).authors[0]
    choose(page, "author", author)
    by_author = {r.path for r in results(page)}
    written = {site.page_url(a) for a in site.articles if author in a.authors}
    assert by_author and by_author <= written


def filter_labels(page: object, name: str) -> list[str]:
    """The choices a filter offers (its "all" choice left out), without their counts."""
    labels = page.eval_on_selector_all(  # type: ignore[attr-defined]
        f"select[name={name}] option", "options => options.map(o => [o.value, o.textContent])"
    )
    return [value for value, _ in labels if value]


def test_the_traditional_site_filters_by_its_own_names(page: object, site: Site) -> None:
    """Every language searches one index: the Traditional page offers its own names (the
    record's Traditional filters), and choosing one narrows to the Traditional pages."""
    from_header(page, site, "發展", prefix="zh-hant/")
    everything = results(page)
    assert everything and all(r.path.startswith("/zh-hant/") for r in everything)
    cities = filter_labels(page, "city")
    assert cities and all(city == S2T.convert(city) for city in cities)
    counties = {r.region.split(" · ")[-1] for r in everything}
    assert len(counties) > 1 and counties <= set(filter_labels(page, "county"))
    county = sorted(counties)[0]
    choose(page, "county", county)
    narrowed = results(page)
    assert 0 < len(narrowed) < len(everything)
    assert all(r.region.endswith(county) and r.path.startswith("/zh-hant/") for r in narrowed)

    choose(page, "county", "")
    author = site.article(county_is("江北新区")).authors[0]
    choose(page, "author", S2T.convert(author))
    by_author = {r.path for r in results(page)}
    written = {site.page_url(a, "zh-hant/") for a in site.articles if author in a.authors}
    assert by_author and by_author <= written


def test_the_traditional_site_sorts_by_date_too(page: object, site: Site) -> None:
    from_header(page, site, "銀髮", prefix="zh-hant/")
    choose(page, "sort", "date")
    shown = results(page)
    extra = site.article(lambda a: a.bulletin == EXTRA_BULLETIN)
    assert len(shown) >= 2 and shown[0].path == site.page_url(extra, "zh-hant/")
    dates = [r.datetime for r in shown]
    assert dates == sorted(dates, reverse=True)


def test_sorting_by_date_puts_the_newest_first(page: object, site: Site) -> None:
    from_header(page, site, "银发")
    by_relevance = [r.path for r in results(page)]
    extra = site.article(lambda a: a.bulletin == EXTRA_BULLETIN)
    assert len(by_relevance) >= 2 and by_relevance[0] != site.page_url(extra)
    choose(page, "sort", "date")
    shown = results(page)
    assert shown[0].path == site.page_url(extra)
    dates = [r.datetime for r in shown]
    assert dates == sorted(dates, reverse=True)


def test_words_only_in_navigation_or_footer_find_nothing(page: object, site: Site) -> None:
    start = html(site.project / "_site" / article_path(site.articles[0]) / "index.html")
    labels = [n.text(strip=True) for n in start.css(".site-nav a, .site-footer a")]
    indexed = "".join(a.title + a.body for a in site.articles)
    only_outside = [label for label in labels if label and label not in indexed]
    assert only_outside, labels
    from_header(page, site, only_outside[0])
    assert no_results_shown(page)
    for label in only_outside[1:3]:
        again(page, label)
        assert no_results_shown(page)


def test_nonsense_alone_shows_the_no_results_state(page: object, site: Site) -> None:
    from_header(page, site, "qwzxv")
    assert no_results_shown(page)
    assert "qwzxv" in status(page)
    assert page.locator("[data-search-unmatched]").is_hidden()  # type: ignore[attr-defined]


def test_nonsense_beside_a_real_word_shows_what_matched_and_names_the_rest(
    page: object, site: Site
) -> None:
    expected = site.article(title_has("复议"))
    from_header(page, site, "qwzxv 复议")
    assert results(page)[0].path == site.page_url(expected)
    note = page.locator("[data-search-unmatched]")  # type: ignore[attr-defined]
    assert note.is_visible()
    assert "qwzxv" in note.inner_text() and "复议" not in note.inner_text()


def test_keyboard_only_search_and_result_links(page: object, site: Site) -> None:
    page.goto(site.url + "search/")  # type: ignore[attr-defined]
    page.wait_for_selector("[data-search][data-ready]")  # type: ignore[attr-defined]
    label = page.locator("label[for=search-q]")  # type: ignore[attr-defined]
    assert label.inner_text()
    before = page.locator("[data-search]").get_attribute("data-searched")  # type: ignore[attr-defined]
    page.focus("#search-q")  # type: ignore[attr-defined]
    page.keyboard.type("银发")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    wait_for_search(page, before)
    assert page.locator(".search-results li a").count() >= 2  # type: ignore[attr-defined]
    page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
    focused = page.evaluate("document.activeElement.getAttribute('href')")  # type: ignore[attr-defined]
    assert focused == results(page)[0].path
    page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
    focused = page.evaluate("document.activeElement.getAttribute('href')")  # type: ignore[attr-defined]
    assert focused == results(page)[1].path
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"**{focused}")  # type: ignore[attr-defined]


def test_the_search_page_runs_the_query_in_its_address(page: object, site: Site) -> None:
    expected = site.article(title_has("银发"))
    page.goto(site.url + "zh-hant/search/?q=" + S2T.convert("银发"))  # type: ignore[attr-defined]
    wait_for_search(page)
    assert page.input_value("#search-q") == S2T.convert("银发")  # type: ignore[attr-defined]
    assert site.page_url(expected, "zh-hant/") in [r.path for r in results(page)]


def test_nothing_loads_from_another_host(page: object, site: Site) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))  # type: ignore[attr-defined]
    from_header(page, site, "安全審計 qwzxv", prefix="zh-hant/")
    assert results(page)
    assert hosts == {urlsplit(site.url).netloc}
