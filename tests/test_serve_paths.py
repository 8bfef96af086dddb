"""The preview server's pure parts: request paths → files (refusing escapes), output
paths → URLs, what a build tells the tabs, MIME types, client injection."""

from __future__ import annotations

import os
from http import HTTPStatus
from pathlib import Path, PurePath

import pytest

from generator.errors import BulletinError
from generator.serve import (
    PAGE_LIST_LIMIT,
    BuildFailure,
    BuildReport,
    _is_loopback,
    content_type,
    inject_before_body_end,
    make_event,
    not_found_pages,
    output_url,
    resolve_request,
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An output folder with pages, a Chinese file name, and symlinks in and out."""
    out = tmp_path / "_site"
    (out / "bulletins" / "000_x" / "02-xing-hua").mkdir(parents=True)
    (out / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (out / "bulletins" / "000_x" / "02-xing-hua" / "index.html").write_text("a", "utf-8")
    (out / "中文.html").write_text("<p>中文</p>", encoding="utf-8")
    (out / "static").mkdir()
    (out / "static" / "style.css").write_text("body{}", encoding="utf-8")
    (out / "empty").mkdir()
    (out / ".index.html.abc.tmp").write_text("half", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    (out / "leak.txt").symlink_to(secret)
    (out / "leakdir").symlink_to(tmp_path)
    (out / "alias.css").symlink_to(out / "static" / "style.css")
    return out


def ok(target: object, file: Path) -> bool:
    return target.status is HTTPStatus.OK and target.file == file.resolve()  # type: ignore[attr-defined]


def test_files_and_directory_indexes(site: Path) -> None:
    assert ok(resolve_request("/", "/", site), site / "index.html")
    assert ok(resolve_request("/index.html", "/", site), site / "index.html")
    article = site / "bulletins/000_x/02-xing-hua/index.html"
    assert ok(resolve_request("/bulletins/000_x/02-xing-hua/", "/", site), article)
    assert ok(resolve_request("/static/style.css?v=3#top", "/", site), site / "static/style.css")
    assert ok(resolve_request("/alias.css", "/", site), site / "static/style.css")


def test_percent_encoded_chinese_path(site: Path) -> None:
    assert ok(resolve_request("/%E4%B8%AD%E6%96%87.html", "/", site), site / "中文.html")
    assert ok(resolve_request("/%e4%b8%ad%e6%96%87.html", "/", site), site / "中文.html")
    invalid_utf8 = resolve_request("/%E4%B8.html", "/", site)
    assert invalid_utf8.status is HTTPStatus.BAD_REQUEST


def test_directory_without_slash_redirects_keeping_query(site: Path) -> None:
    target = resolve_request("/bulletins/000_x/02-xing-hua?a=1", "/", site)
    assert target.status is HTTPStatus.MOVED_PERMANENTLY
    assert target.location == "/bulletins/000_x/02-xing-hua/?a=1"


@pytest.mark.parametrize(
    "raw",
    [
        "/../secret.txt",
        "/static/../../secret.txt",
        "/static/../index.html",  # even when it would land inside: no dot segments at all
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/static%2fstyle.css",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/static\\style.css",
        "/index.html%00.css",
        "/./index.html",
        "/static//style.css",
        "/leak.txt",  # symlink to a file outside
        "/leakdir/secret.txt",  # symlinked folder outside
        "/leakdir/",
    ],
)
def test_escapes_are_refused(site: Path, raw: str) -> None:
    assert resolve_request(raw, "/", site).status is HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("raw", ["http://example.org/index.html", "*", "index.html", ""])
def test_non_origin_form_targets_are_bad_requests(site: Path, raw: str) -> None:
    assert resolve_request(raw, "/", site).status is HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    "raw",
    [
        "/missing.html",
        "/bulletins/000_x/missing/",
        "/empty/",  # a folder without index.html
        "/index.html/",  # a file asked for as a folder
        "/.index.html.abc.tmp",  # an atomic write's temp file
        "/%252e%252e/secret.txt",  # double encoding is a literal name, not a traversal
    ],
)
def test_missing_or_hidden_is_not_found(site: Path, raw: str) -> None:
    assert resolve_request(raw, "/", site).status is HTTPStatus.NOT_FOUND


def test_base_path_serves_the_site_under_its_subpath(site: Path) -> None:
    assert ok(resolve_request("/news/", "/news/", site), site / "index.html")
    assert ok(resolve_request("/news/static/style.css", "/news/", site), site / "static/style.css")
    root = resolve_request("/", "/news/", site)
    assert (root.status, root.location) == (HTTPStatus.MOVED_PERMANENTLY, "/news/")
    bare = resolve_request("/news?x=1", "/news/", site)
    assert (bare.status, bare.location) == (HTTPStatus.MOVED_PERMANENTLY, "/news/?x=1")
    assert resolve_request("/index.html", "/news/", site).status is HTTPStatus.NOT_FOUND
    assert resolve_request("/news/../news/", "/news/", site).status is HTTPStatus.FORBIDDEN


def test_symlinked_output_folder_itself_is_fine(site: Path, tmp_path: Path) -> None:
    link = tmp_path / "public"
    os.symlink(site, link)
    assert ok(resolve_request("/static/style.css", "/", link), site / "static/style.css")


@pytest.mark.parametrize(
    ("relative", "base", "url"),
    [
        ("index.html", "/", "/"),
        ("bulletins/000_x/02-yan-cheng/index.html", "/", "/bulletins/000_x/02-yan-cheng/"),
        ("zh-hant/index.html", "/", "/zh-hant/"),
        ("static/style.css", "/", "/static/style.css"),
        ("feed.xml", "/", "/feed.xml"),
        ("404.html", "/", "/404.html"),
        ("bulletins/page/2/index.html", "/news/", "/news/bulletins/page/2/"),
        ("index.html", "/news/", "/news/"),
        ("中文.html", "/", "/%E4%B8%AD%E6%96%87.html"),
        ("notindex.html", "/", "/notindex.html"),
    ],
)
def test_output_url(relative: str, base: str, url: str) -> None:
    assert output_url(relative, base) == url


def test_event_splits_pages_from_stylesheets() -> None:
    report = BuildReport(
        written=("index.html", "static/style.css", "bulletins/a/01-b/index.html"),
        deleted=("regions/old/index.html",),
        warnings=("refused to overwrite content/a/01-b.md",),
    )
    event = make_event(3, report, None, "/news/")
    assert event.version == 3
    assert event.styles == ("/news/static/style.css",)
    assert event.pages == ("/news/", "/news/bulletins/a/01-b/", "/news/regions/old/")
    assert event.warnings == report.warnings
    assert event.failure is None and not event.reload_all
    assert event.to_json()["error"] is None


def test_huge_rebuild_reloads_every_tab_instead_of_listing() -> None:
    written = tuple(f"p/{n}/index.html" for n in range(PAGE_LIST_LIMIT + 1))
    event = make_event(1, BuildReport(written=(*written, "s.css")), None, "/")
    assert event.reload_all and event.pages == () and event.styles == ("/s.css",)


def test_failed_build_event_carries_the_error(tmp_path: Path) -> None:
    error = BulletinError("invalid front matter: bad", tmp_path / "content/a/01-b.md", 3)
    failure = BuildFailure.from_exception(error, tmp_path)
    assert failure.text == "content/a/01-b.md:3: invalid front matter: bad"
    assert (failure.path, failure.line) == ("content/a/01-b.md", 3)
    event = make_event(4, None, failure, "/")
    assert event.to_json()["error"]["text"] == failure.text
    assert event.pages == () and event.styles == ()
    unexpected = BuildFailure.from_exception(ValueError("boom"), tmp_path)
    assert unexpected.text == "internal error: ValueError: boom" and unexpected.path is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/atom+xml; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("search.json", "application/json"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("wasm.unknown.pagefind", "application/octet-stream"),
        ("pagefind.wasm", "application/wasm"),
        ("en_abc.pf_meta", "application/octet-stream"),
        ("x.pf_fragment", "application/octet-stream"),
        ("x.pf_index", "application/octet-stream"),
        ("x.pf_filter", "application/octet-stream"),
        ("logo.SVG", "image/svg+xml"),
        ("noextension", "application/octet-stream"),
    ],
)
def test_content_type(name: str, kind: str) -> None:
    assert content_type(PurePath(name)) == kind


def test_injection_goes_before_the_last_body_end() -> None:
    snippet = b"<script>x</script>"
    html = b"<html><body><pre>&lt;/body&gt; </body> in text</pre></BODY></html>"
    injected = inject_before_body_end(html, snippet)
    assert injected.endswith(b"</pre><script>x</script></BODY></html>")
    assert inject_before_body_end(b"<p>fragment", snippet) == b"<p>fragment<script>x</script>"


def test_not_found_prefers_the_mirrors_own_404(tmp_path: Path) -> None:
    root = tmp_path
    assert not_found_pages("/zh-hant/missing/", "/", root) == [
        root / "zh-hant/404.html",
        root / "404.html",
    ]
    assert not_found_pages("/news/zh-hant/x?y", "/news/", root)[0] == root / "zh-hant/404.html"
    for raw in ("/missing.html", "/../x/", "/%2e%2e/x", "/.hidden/x", "/中文/x", "/Upper/x"):
        assert not_found_pages(raw, "/", root) == [root / "404.html"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False)],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback


def test_stylesheet_only_save_swaps_instead_of_reloading_restyled_pages() -> None:
    # every page links the sheet with a content-hash query, so all of them are rewritten
    report = BuildReport(
        written=("index.html", "zh-hant/index.html", "static/style.css", "static/app.js")
    )
    event = make_event(2, report, None, "/", restyle_only=True)
    assert event.styles == ("/static/style.css",)
    assert event.pages == ("/static/app.js",)
    assert make_event(2, report, None, "/").pages == ("/", "/static/app.js", "/zh-hant/")


def test_partial_failure_keeps_the_changed_pages(tmp_path: Path) -> None:
    failure = BuildFailure.from_messages(
        (f"{tmp_path}/seeds/bad.txt: not UTF-8 or GB18030", "seeds/b.txt: empty"), tmp_path
    )
    assert failure.text == "seeds/bad.txt: not UTF-8 or GB18030\nseeds/b.txt: empty"
    event = make_event(5, BuildReport(written=("index.html",)), failure, "/")
    assert event.failure == failure and event.pages == ("/",)
