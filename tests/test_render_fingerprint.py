"""A page's fingerprint: equal views give equal fingerprints, any shown change differs."""

from __future__ import annotations

import copy

from generator.pages import Page, PageKind
from generator.render import view_fingerprint
from generator.views import Html

PAGE = Page(PageKind.ARTICLE, "bulletins/b/a/", subject="b/01-a.md")


def view(title: str = "兴化：开展安全检查", body: str = "<p>正文</p>") -> dict:
    shared = "江苏省"
    return {
        "title": title,
        "og": {"title": title},  # the same object twice, as views often hold
        "crumbs": [{"name": shared, "url": "/regions/"}, {"name": shared + "泰州市"}],
        "body": Html(body, f"digest-of-{body}"),
        "count": 3,
        "tags": ("a", "b"),
    }


def test_equal_views_from_different_objects_fingerprint_alike() -> None:
    first = view()
    second = copy.deepcopy(first)
    second["title"] = "".join(list(first["title"]))  # an equal string, another object
    second["crumbs"][0]["name"] = "江苏" + "省"
    assert second["title"] is not first["title"]
    assert view_fingerprint(PAGE, first, "base") == view_fingerprint(PAGE, second, "base")


def test_what_a_page_shows_changes_its_fingerprint() -> None:
    base = view_fingerprint(PAGE, view(), "base")
    assert view_fingerprint(PAGE, view(title="兴化：开展安全大检查"), "base") != base
    assert view_fingerprint(PAGE, view(body="<p>新正文</p>"), "base") != base
    assert view_fingerprint(PAGE, view(), "other theme") != base
    other = Page(PageKind.BULLETIN, "bulletins/b/", subject="b")
    assert view_fingerprint(other, view(), "base") != base  # another template


def test_ready_made_html_counts_by_its_digest() -> None:
    same_digest = view()
    same_digest["body"] = Html("<p>不同文字</p>", view()["body"].digest)
    assert view_fingerprint(PAGE, same_digest, "b") == view_fingerprint(PAGE, view(), "b")
