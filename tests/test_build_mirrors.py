"""Several Traditional mirrors at once, each with its own OpenCC config, prefix, quotes and
overrides: the real CLI builds the seed's site and every mirror is complete, converted
its own way, and linked from every page's language switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from build_support import article_path, articles, build, copy_project, html, run_cli

from generator.content import ArticleSource

MIRRORS = """variants:
  - code: zh-Hant
    prefix: zh-hant
    opencc: s2t
  - code: zh-TW
    prefix: zh-tw
    opencc: s2twp
    corner_quotes: true
    overrides:
      数字赋能: 數位賦能
  - code: zh-HK
    prefix: zh-hk
    opencc: s2hk
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_project(tmp_path_factory.mktemp("mirrors"))
    config = folder / "site.yaml"
    text = config.read_text("utf-8")
    config.write_text(text[: text.index("variants:")] + MIRRORS, "utf-8")
    build(folder)
    return folder


def by_text(project: Path, needle: str) -> ArticleSource:
    return next(a for a in articles(project) if needle in a.body)


def test_every_mirror_has_every_page_and_the_site_checks_clean(project: Path) -> None:
    site = project / "_site"
    simplified = {
        p.relative_to(site)
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in {"zh-hant", "zh-tw", "zh-hk"}
    }
    for prefix in ("zh-hant", "zh-tw", "zh-hk"):
        mirrored = {p.relative_to(site / prefix) for p in (site / prefix).rglob("*.html")}
        assert mirrored == simplified, prefix
    checked = run_cli(project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_mirror_converts_its_own_way(project: Path) -> None:
    article = by_text(project, "信息化")
    pages = {
        prefix: html(project / "_site" / article_path(article, prefix) / "index.html")
        for prefix in ("", "zh-hant/", "zh-tw/", "zh-hk/")
    }
    bodies = {prefix: page.css_first("main").text() for prefix, page in pages.items()}
    assert "信息化" in bodies[""]
    assert "信息化" in bodies["zh-hant/"]  # s2t keeps the mainland word
    assert "資訊化" in bodies["zh-tw/"]  # s2twp uses Taiwan's word
    assert "“" in bodies["zh-hant/"] and "「" not in bodies["zh-hant/"]
    assert "「" in bodies["zh-tw/"] and "“" not in bodies["zh-tw/"]  # corner quotes asked
    assert {page.css_first("html").attributes["lang"] for page in pages.values()} == {
        "zh-Hans",
        "zh-Hant",
        "zh-TW",
        "zh-HK",
    }


def test_a_mirrors_own_override_applies_only_there(project: Path) -> None:
    article = next(a for a in articles(project) if "数字赋能" in a.title)
    titles = {
        prefix: html(project / "_site" / article_path(article, prefix) / "index.html")
        .css_first("h1")
        .text()
        for prefix in ("zh-hant/", "zh-tw/")
    }
    assert "數位賦能" in titles["zh-tw/"]
    assert "數字賦能" in titles["zh-hant/"]


def test_the_language_switch_links_every_counterpart(project: Path) -> None:
    article = articles(project)[0]
    page = html(project / "_site" / article_path(article, "zh-hk/") / "index.html")
    switch = {a.attributes["hreflang"]: a.attributes["href"] for a in page.css(".lang-switch a")}
    assert switch == {
        "zh-Hans": "/" + article_path(article),
        "zh-Hant": "/" + article_path(article, "zh-hant/"),
        "zh-TW": "/" + article_path(article, "zh-tw/"),
        "zh-HK": "/" + article_path(article, "zh-hk/"),
    }
    alternates = {
        link.attributes["hreflang"] for link in page.css('link[rel="alternate"][hreflang]')
    }
    assert {"zh-Hans", "zh-Hant", "zh-TW", "zh-HK", "x-default"} <= alternates
