"""check_site on small hand-made sites: a correct site has no problem, and each defect
produces exactly the one problem that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.check import Problem, ProblemKind, check_site, scan_html
from generator.config import SiteConfig, parse_config

HANT = "zh-hant/"


def make_config(root: Path, base_url: str = "https://example.org/") -> SiteConfig:
    raw = {
        "title": "测试",
        "base_url": base_url,
        "province": "江苏省",
        "variants": [{"code": "zh-Hant", "prefix": "zh-hant", "opencc": "s2t"}],
    }
    return parse_config(raw, root / "site.yaml")


def page_html(lang: str, body: str, base: str, switch: str = "", head: str = "") -> str:
    """A page as the theme writes it: stylesheet, language switch in the header, body."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>页</title>\n"
        f'<link rel="stylesheet" href="{base}assets/style.css">\n{head}'
        f"</head>\n<body>\n<header>{switch}</header>\n{body}\n</body>\n</html>\n"
    )


# Page bodies by site path; {b} is the base path of the page's language, {a} the site's.
PAGES = {
    "index.html": (
        '<main id="main"><a href="{b}bulletins/a/">公报</a> '
        '<a href="{b}bulletins/a/one/#sub-1">小标题</a> '
        '<a href="{b}bulletins/a/one/?from=home">带查询</a> '
        '<a href="https://other.example.com/">外站</a> <a href="mailto:x@example.org">信</a> '
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""> '
        '<a href="#main">正文</a> <a href="#top">顶部</a></main>'
    ),
    "bulletins/a/index.html": (
        '<main><a href="one/">第一篇</a> <a href="../../">首页</a> '
        '<a href="{b}feed.xml">订阅</a></main>'
    ),
    "bulletins/a/one/index.html": (
        '<main><h2 id="sub-1">小标题</h2><a href="../">公报</a> '
        '<img src="{a}assets/pic%20one.png" srcset="{a}assets/pic%20one.png 1x, '
        '{a}assets/pic%20one.png 2x" alt=""></main>'
    ),
    "404.html": '<main><a href="{b}">首页</a></main>',
}


def write(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rewrite(site: Path, rel: str, old: str, new: str) -> None:
    """Edit one file of the site, failing loudly when the text to replace is not there."""
    text = (site / rel).read_text("utf-8")
    assert old in text, f"{old!r} not in {rel}"
    (site / rel).write_text(text.replace(old, new, 1), "utf-8")


def url_of(rel: str) -> str:
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def write_page(site: Path, base: str, rel: str, body: str, languages: bool = True) -> None:
    """Write a page and (by default) its Traditional counterpart, linked both ways."""
    url = url_of(rel)
    if not languages:
        write(site, rel, page_html("zh-Hans", body.format(b=base, a=base), base))
        return
    switch_hans = f'<a href="{base}{HANT}{url}" hreflang="zh-Hant" lang="zh-Hant">繁體</a>'
    alternates = (
        f'<link rel="alternate" hreflang="zh-Hans" href="{base}{url}">\n'
        f'<link rel="alternate" hreflang="zh-Hant" href="{base}{HANT}{url}">\n'
    )
    hans_body = body.format(b=base, a=base)
    write(site, rel, page_html("zh-Hans", hans_body, base, switch_hans, alternates))
    switch_hant = f'<a href="{base}{url}" hreflang="zh-Hans" lang="zh-Hans">简体</a>'
    hant_body = body.format(b=base + HANT, a=base)
    write(site, HANT + rel, page_html("zh-Hant", hant_body, base, switch_hant, alternates))


def write_site(site: Path, base_url: str = "https://example.org/") -> None:
    """A small, correct two-language site served under ``base_url``."""
    base = "/" + base_url.split("://", 1)[1].split("/", 1)[1]
    for rel, body in PAGES.items():
        write_page(site, base, rel, body)
    write(
        site,
        "assets/style.css",
        "/* fonts ship with the theme */\n"
        '@font-face { font-family: x; src: url("fonts/x.woff2") format("woff2"); }\n'
        "body { background: url(data:image/png;base64,AAAA); }\n",
    )
    write(site, "assets/fonts/x.woff2", "font")
    write(site, "assets/pic one.png", "png")
    entries = "".join(
        f"<entry><title>t</title><id>{base_url}{url_of(rel)}</id>"
        f'<link rel="alternate" href="{base_url}{url_of(rel)}"/>'
        "<updated>2024-01-01T00:00:00Z</updated></entry>"
        for rel in ("bulletins/a/index.html", "bulletins/a/one/index.html")
    )
    for prefix in ("", HANT):
        write(
            site,
            prefix + "feed.xml",
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            f"<id>{base_url}{prefix}feed.xml</id><updated>2024-01-01T00:00:00Z</updated>"
            f'<link rel="self" href="{base_url}{prefix}feed.xml"/>'
            f'<link rel="alternate" href="{base_url}{prefix}"/>{entries}</feed>\n',
        )
    urls = "".join(
        f"<url><loc>{base_url}{prefix}{url_of(rel)}</loc>"
        f'<xhtml:link rel="alternate" hreflang="zh-Hant" href="{base_url}{HANT}{url_of(rel)}"/>'
        "</url>"
        for rel in PAGES
        if rel != "404.html"
        for prefix in ("", HANT)
    )
    write(
        site,
        "sitemap.xml",
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:xhtml="http://www.w3.org/1999/xhtml">{urls}</urlset>\n',
    )
    write(site, "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write_site(tmp_path / "site")
    return tmp_path / "site"


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    return make_config(tmp_path)


def test_correct_site_has_no_problem(site: Path, config: SiteConfig) -> None:
    assert check_site(site, config) == []


def test_correct_site_under_a_subpath_has_no_problem(tmp_path: Path) -> None:
    write_site(tmp_path / "site", "https://example.org/news/")
    assert check_site(tmp_path / "site", make_config(tmp_path, "https://example.org/news/")) == []


def test_root_absolute_link_on_a_subpath_site_is_outside_the_base(tmp_path: Path) -> None:
    write_site(tmp_path / "site", "https://example.org/news/")
    rewrite(tmp_path / "site", "bulletins/a/index.html", 'href="../../"', 'href="/"')
    problems = check_site(tmp_path / "site", make_config(tmp_path, "https://example.org/news/"))
    assert problems == [
        Problem(
            "bulletins/a/index.html",
            ProblemKind.OUTSIDE_BASE,
            "/ is outside the base path /news/",
            12,
        )
    ]


def test_the_same_site_checked_against_another_base_path_fails(site: Path, tmp_path: Path) -> None:
    problems = check_site(site, make_config(tmp_path, "https://example.org/news/"))
    assert problems
    assert {p.kind for p in problems} >= {ProblemKind.OUTSIDE_BASE, ProblemKind.SITEMAP_ENTRY}


def test_broken_link(site: Path, config: SiteConfig) -> None:
    rewrite(site, "bulletins/a/index.html", 'href="one/"', 'href="two/"')
    assert check_site(site, config) == [
        Problem(
            "bulletins/a/index.html",
            ProblemKind.BROKEN_LINK,
            "two/ → no file for /bulletins/a/two/",
            12,
        )
    ]


def test_broken_link_in_the_variant_names_the_variant_page(site: Path, config: SiteConfig) -> None:
    rewrite(site, HANT + "index.html", "bulletins/a/", "bulletins/b/")
    problems = check_site(site, config)
    assert [(p.path, p.kind) for p in problems] == [(HANT + "index.html", ProblemKind.BROKEN_LINK)]
    assert "/zh-hant/bulletins/b/" in problems[0].message


def test_missing_anchor(site: Path, config: SiteConfig) -> None:
    rewrite(site, "bulletins/a/index.html", 'href="one/"', 'href="one/#sub-2"')
    assert check_site(site, config) == [
        Problem(
            "bulletins/a/index.html",
            ProblemKind.MISSING_ANCHOR,
            "one/#sub-2 → no id 'sub-2' in bulletins/a/one/index.html",
            12,
        )
    ]


def test_same_page_anchor_must_exist_too(site: Path, config: SiteConfig) -> None:
    rewrite(site, "index.html", 'href="#main"', 'href="#nowhere"')
    problems = check_site(site, config)
    assert [(p.path, p.kind) for p in problems] == [("index.html", ProblemKind.MISSING_ANCHOR)]


def test_percent_encoded_anchor_matches_a_chinese_id(site: Path, config: SiteConfig) -> None:
    anchor = '<main><h3 id="小标题">小标题</h3><a href="#%E5%B0%8F%E6%A0%87%E9%A2%98">跳</a>'
    rewrite(site, "bulletins/a/index.html", "<main>", anchor)
    assert check_site(site, config) == []


def test_page_without_counterpart(site: Path, config: SiteConfig) -> None:
    write_page(site, "/", "bulletins/b/index.html", "<main>只有简体</main>", languages=False)
    assert check_site(site, config) == [
        Problem(
            "bulletins/b/index.html",
            ProblemKind.MISSING_COUNTERPART,
            "no zh-Hant counterpart: zh-hant/bulletins/b/index.html is missing",
        )
    ]


def test_variant_page_without_default_page(site: Path, config: SiteConfig) -> None:
    write(site, HANT + "bulletins/b/index.html", page_html("zh-Hant", "<main>僅繁體</main>", "/"))
    assert check_site(site, config) == [
        Problem(
            HANT + "bulletins/b/index.html",
            ProblemKind.MISSING_COUNTERPART,
            "no zh-Hans counterpart: bulletins/b/index.html is missing",
        )
    ]


def test_page_that_does_not_link_its_counterpart(site: Path, config: SiteConfig) -> None:
    body = '<main><h2 id="sub-1">小标题</h2><a href="../">公报</a></main>'
    write(site, "bulletins/a/one/index.html", page_html("zh-Hans", body, "/"))
    assert check_site(site, config) == [
        Problem(
            "bulletins/a/one/index.html",
            ProblemKind.MISSING_LANGUAGE_LINK,
            "does not link to its zh-Hant counterpart zh-hant/bulletins/a/one/index.html",
        )
    ]


def test_page_declaring_the_wrong_language(site: Path, config: SiteConfig) -> None:
    rewrite(site, HANT + "bulletins/a/index.html", 'lang="zh-Hant"', 'lang="en"')
    problems = check_site(site, config)
    assert {p.kind for p in problems} == {ProblemKind.WRONG_LANGUAGE}
    assert [(p.path, p.line) for p in problems] == [
        ("bulletins/a/index.html", 8),  # <link rel=alternate hreflang=zh-Hant>
        ("bulletins/a/index.html", 11),  # the language switch
        (HANT + "bulletins/a/index.html", 2),  # <html lang=en>
        (HANT + "bulletins/a/index.html", 8),  # its own alternate for zh-Hant
    ]
    assert problems[2].message == "<html lang=en> but this is the zh-Hant site"


def test_hreflang_pointing_at_the_wrong_language(site: Path, config: SiteConfig) -> None:
    rewrite(site, "bulletins/a/index.html", 'hreflang="zh-Hant" lang="zh-Hant"', 'hreflang="en"')
    problems = check_site(site, config)
    assert [(p.path, p.kind) for p in problems] == [
        ("bulletins/a/index.html", ProblemKind.WRONG_LANGUAGE)
    ]
    assert "hreflang=en" in problems[0].message


def test_feed_listing_a_missing_page(site: Path, config: SiteConfig) -> None:
    old = 'href="https://example.org/bulletins/a/one/"'
    rewrite(site, "feed.xml", old, old.replace("one", "gone"))
    assert check_site(site, config) == [
        Problem(
            "feed.xml",
            ProblemKind.FEED_ENTRY,
            "https://example.org/bulletins/a/gone/ → no file for /bulletins/a/gone/",
        )
    ]


def test_feed_naming_a_missing_author_page(site: Path, config: SiteConfig) -> None:
    author = (
        "<author><name>张三</name><uri>https://example.org/authors/zhang-san/</uri></author>"
        "<contributor><name>李四</name><uri>https://li.example.net/</uri></contributor>"
        "<updated>"
    )
    rewrite(site, "feed.xml", "<updated>", author)
    assert check_site(site, config) == [
        Problem(
            "feed.xml",
            ProblemKind.FEED_ENTRY,
            "https://example.org/authors/zhang-san/ → no file for /authors/zhang-san/",
        )
    ]


def test_feed_listing_another_host(site: Path, config: SiteConfig) -> None:
    rewrite(
        site, HANT + "feed.xml", 'href="https://example.org/bulletins', 'href="http://localhost/b'
    )
    problems = check_site(site, config)
    assert [(p.path, p.kind) for p in problems] == [(HANT + "feed.xml", ProblemKind.FEED_ENTRY)]
    assert "not under the site's base_url" in problems[0].message


def test_sitemap_listing_a_missing_page(site: Path, config: SiteConfig) -> None:
    extra = "<url><loc>https://example.org/authors/</loc></url></urlset>"
    rewrite(site, "sitemap.xml", "</urlset>", extra)
    assert check_site(site, config) == [
        Problem(
            "sitemap.xml",
            ProblemKind.SITEMAP_ENTRY,
            "https://example.org/authors/ → no file for /authors/",
        )
    ]


def test_sitemap_entry_that_is_not_a_full_url(site: Path, config: SiteConfig) -> None:
    rewrite(site, "sitemap.xml", 'href="https://example.org/zh-hant/"', 'href="/zh-hant/"')
    assert check_site(site, config) == [
        Problem("sitemap.xml", ProblemKind.SITEMAP_ENTRY, "/zh-hant/ is not a full URL")
    ]


def test_robots_pointing_at_a_missing_sitemap(site: Path, config: SiteConfig) -> None:
    (site / "sitemap.xml").unlink()
    assert check_site(site, config) == [
        Problem(
            "robots.txt",
            ProblemKind.SITEMAP_ENTRY,
            "https://example.org/sitemap.xml → no file for /sitemap.xml",
            3,
        )
    ]


def test_malformed_feed(site: Path, config: SiteConfig) -> None:
    write(site, "feed.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</feed>')
    problems = check_site(site, config)
    assert [(p.path, p.kind, p.line) for p in problems] == [("feed.xml", ProblemKind.BAD_XML, 1)]


def test_external_script(site: Path, config: SiteConfig) -> None:
    head = '<script src="https://cdn.example.net/lib.js"></script>\n'
    write(
        site, "404.html", page_html("zh-Hans", '<a href="/zh-hant/404.html">繁</a>', "/", head=head)
    )
    assert check_site(site, config) == [
        Problem(
            "404.html",
            ProblemKind.EXTERNAL_RESOURCE,
            "<script> loads https://cdn.example.net/lib.js from another host"
            " (the site must work offline)",
            7,
        )
    ]


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="stylesheet" href="//fonts.example.net/css?family=Noto">',
        '<link rel="preconnect" href="https://fonts.example.net">',
        '<style>@import "https://fonts.example.net/noto.css";</style>',
        "<style>body { background: url('http://img.example.net/bg.png') }</style>",
    ],
)
def test_other_resources_from_another_host(site: Path, config: SiteConfig, head: str) -> None:
    write(
        site, "404.html", page_html("zh-Hans", '<a href="/zh-hant/404.html">繁</a>', "/", head=head)
    )
    problems = check_site(site, config)
    assert [(p.path, p.kind) for p in problems] == [("404.html", ProblemKind.EXTERNAL_RESOURCE)]


def test_web_font_from_another_host_in_a_stylesheet(site: Path, config: SiteConfig) -> None:
    css = "@font-face { font-family: n; src: url(https://fonts.example.net/n.woff2); }\n"
    write(site, "assets/style.css", css)
    assert check_site(site, config) == [
        Problem(
            "assets/style.css",
            ProblemKind.EXTERNAL_RESOURCE,
            "stylesheet loads https://fonts.example.net/n.woff2 from another host"
            " (the site must work offline)",
        )
    ]


def test_missing_font_file(site: Path, config: SiteConfig) -> None:
    (site / "assets/fonts/x.woff2").unlink()
    assert check_site(site, config) == [
        Problem(
            "assets/style.css",
            ProblemKind.BROKEN_LINK,
            "fonts/x.woff2 → no file for /assets/fonts/x.woff2",
        )
    ]


def test_missing_image_in_srcset(site: Path, config: SiteConfig) -> None:
    rewrite(site, "bulletins/a/one/index.html", "pic%20one.png 2x", "pic-2x.png 2x")
    assert check_site(site, config) == [
        Problem(
            "bulletins/a/one/index.html",
            ProblemKind.BROKEN_LINK,
            "/assets/pic-2x.png → no file for /assets/pic-2x.png",
            12,
        )
    ]


def test_relative_link_in_the_404_page(site: Path, config: SiteConfig) -> None:
    write(site, "404.html", page_html("zh-Hans", '<a href="zh-hant/404.html">繁</a>', "/"))
    assert check_site(site, config) == [
        Problem(
            "404.html",
            ProblemKind.RELATIVE_IN_404,
            "relative URL zh-hant/404.html breaks when the 404 page is served for a missing URL",
            10,
        )
    ]


def test_duplicate_id(site: Path, config: SiteConfig) -> None:
    rewrite(site, HANT + "bulletins/a/one/index.html", "<main>", '<main><p id="sub-1">再</p>')
    assert check_site(site, config) == [
        Problem(
            HANT + "bulletins/a/one/index.html",
            ProblemKind.DUPLICATE_ID,
            "id 'sub-1' is used twice",
            12,
        )
    ]


def test_single_language_site_needs_no_counterparts(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, "index.html", page_html("zh-Hans", '<a href="a/">一</a>', "/"))
    write(site, "a/index.html", page_html("zh-Hans", '<a href="/">首页</a>', "/"))
    write(site, "assets/style.css", "body { color: black }")
    config = parse_config(
        {"title": "t", "base_url": "https://example.org", "province": "江苏省"},
        tmp_path / "site.yaml",
    )
    assert check_site(site, config) == []


def test_scan_html_collects_ids_links_and_language() -> None:
    scan = scan_html(
        '<html lang="zh-Hant"><body><a name="old">x</a><p id="p&amp;1">'
        '<img srcset="a.png 1x, b%20c.png 2x"><form action="/s/"></form>'
        '<div style="background:url(bg.png)"></div></body></html>'
    )
    assert scan.lang == "zh-Hant"
    assert scan.ids == {"old", "p&1"}
    assert [(ref.tag, ref.value, ref.resource) for ref in scan.refs] == [
        ("img", "a.png", True),
        ("img", "b%20c.png", True),
        ("form", "/s/", False),
        ("div", "bg.png", True),
    ]
