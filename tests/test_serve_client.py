"""The injected reload client in headless Chromium, against the server and a stand-in build.

These pin down the client's choices independently of the generator: a tab refreshes only
when its own page changed, swapping the new page in without navigating (a page with
scripts of its own reloads); a stylesheet change swaps the sheet without a reload; build
errors show as an overlay that the next good build clears; warnings show as a notice
the reader can dismiss. tests/test_serve_cli.py repeats the key ones on the real site.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_serve_http import FakeSite, make_project, start_preview

from generator.serve import Preview

pytestmark = pytest.mark.browser
TIMEOUT = 10_000  # ms; every wait below is for a condition, never a fixed sleep


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Preview, FakeSite, Path]]:
    project = make_project(tmp_path)
    preview, fake = start_preview(project)
    yield preview, fake, project
    preview.stop()


def open_marked(page: Any, url: str) -> None:
    """Open a page and leave a JavaScript variable that only survives without a reload."""
    page.goto(url)
    page.wait_for_function("window.__bulletinLiveStarted === true", timeout=TIMEOUT)
    page.evaluate("window.__marker = 1")


def settled(preview: Preview, version: int) -> None:
    """Wait until the server has built what changed after ``version`` and is idle."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        status = preview.state.status()
        if status["version"] > version and not status["building"] and not status["pending"]:
            return
        assert time.monotonic() < deadline, status
        time.sleep(0.02)


def test_only_the_changed_page_refreshes(live: tuple[Preview, FakeSite, Path], page: Any) -> None:
    preview, _, project = live
    other = page.context.new_page()
    open_marked(page, preview.url + "alpha/")
    open_marked(other, preview.url + "beta/")
    page.set_viewport_size({"width": 400, "height": 200})
    long_body = "第一段。" * 400  # taller than the window: the reader has scrolled down
    (project / "content/alpha.md").write_text(f"兴化老年助餐\n{long_body}\n", encoding="utf-8")
    page.wait_for_function(f"document.body.textContent.includes('{long_body}')", timeout=TIMEOUT)
    page.evaluate("window.scrollTo(0, 300)")
    (project / "content/alpha.md").write_text(f"兴化改了标题\n{long_body}\n", encoding="utf-8")
    page.wait_for_function(
        "document.querySelector('h1').textContent === '兴化改了标题'", timeout=TIMEOUT
    )
    assert page.title() == "兴化改了标题"
    assert page.evaluate("window.__marker") == 1  # swapped in place: no navigation
    assert page.evaluate("window.scrollY") == 300  # the reader stays where they were
    assert page.locator("link[rel=stylesheet]").count() == 1
    version = preview.state.version
    other.wait_for_function(f"window.__bulletinLiveHandled === {version}", timeout=TIMEOUT)
    assert other.evaluate("window.__marker") == 1  # beta's tab took the build in place
    # beta's page did not change, so its tab kept its state; a later edit still reaches it
    (project / "content/beta.md").write_text("盐城也改了\n第二段。\n", encoding="utf-8")
    other.wait_for_function("document.querySelector('h1').textContent === '盐城也改了'")
    assert page.evaluate("window.__marker") == 1
    other.close()


def test_a_page_with_scripts_of_its_own_reloads(
    live: tuple[Preview, FakeSite, Path], page: Any
) -> None:
    """Its scripts would not run in a swapped-in body (a search page, say)."""
    preview, _, project = live
    script = "<script>window.__ran = (window.__ran || 0) + 1</script>"
    before = preview.state.version
    (project / "content/alpha.md").write_text(f"兴化\n{script}\n", encoding="utf-8")
    settled(preview, before)  # else that build's event may reload the page being opened
    open_marked(page, preview.url + "alpha/")
    page.wait_for_function("window.__ran === 1", timeout=TIMEOUT)
    (project / "content/alpha.md").write_text(f"兴化改了\n{script}\n", encoding="utf-8")
    page.locator("h1", has_text="兴化改了").wait_for(timeout=TIMEOUT)
    page.wait_for_function("window.__ran === 1", timeout=TIMEOUT)  # ran again, anew
    assert page.evaluate("window.__marker") is None  # really reloaded


def test_stylesheet_swaps_without_reload(live: tuple[Preview, FakeSite, Path], page: Any) -> None:
    preview, _, project = live
    open_marked(page, preview.url + "alpha/")
    color = "getComputedStyle(document.querySelector('h1')).color"
    assert page.evaluate(color) == "rgb(0, 0, 0)"
    (project / "themes/default/static/style.css").write_text("h1{color:rgb(200, 0, 0)}", "utf-8")
    page.wait_for_function(f"{color} === 'rgb(200, 0, 0)'", timeout=TIMEOUT)
    assert page.evaluate("window.__marker") == 1
    assert page.locator("link[rel=stylesheet]").count() == 1  # the old sheet was dropped
    # a sheet this page does not use changes: its own <link> is left alone
    page.evaluate("document.querySelector('link[rel=stylesheet]').dataset.kept = 'yes'")
    version = preview.state.version + 1
    (project / "themes/default/static/other.css").write_text("p{color:blue}", "utf-8")
    page.wait_for_function(f"window.__bulletinLiveHandled === {version}", timeout=TIMEOUT)
    assert page.locator("link[rel=stylesheet][data-kept=yes]").count() == 1


def test_error_overlay_appears_and_clears(live: tuple[Preview, FakeSite, Path], page: Any) -> None:
    preview, _, project = live
    open_marked(page, preview.url + "alpha/")
    (project / "content/beta.md").write_text("盐城\nBROKEN\n", encoding="utf-8")
    overlay = page.locator("#bulletin-live-error")
    overlay.wait_for(state="visible", timeout=TIMEOUT)
    assert "content/beta.md:2" in overlay.inner_text()
    assert page.locator("h1").first.inner_text() == "兴化老年助餐"  # on top of the page
    other = page.context.new_page()  # a page opened while the error stands shows it too
    other.goto(preview.url + "beta/")
    other.locator("#bulletin-live-error").wait_for(state="visible", timeout=TIMEOUT)
    (project / "content/beta.md").write_text("盐城修好了\n第二段。\n", encoding="utf-8")
    overlay.wait_for(state="detached", timeout=TIMEOUT)
    assert page.evaluate("window.__marker") == 1  # alpha did not change: cleared in place
    other.locator("h1", has_text="盐城修好了").wait_for(timeout=TIMEOUT)
    assert other.locator("#bulletin-live-error").count() == 0
    other.close()


def test_warning_notice_can_be_dismissed(live: tuple[Preview, FakeSite, Path], page: Any) -> None:
    preview, fake, project = live
    open_marked(page, preview.url + "alpha/")
    fake.warnings = ("content/a/01-x.md 已手工修改，未覆盖",)
    (project / "seeds/001.txt").write_text("raw", encoding="utf-8")
    notice = page.locator("#bulletin-live-notice")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    assert "01-x.md 已手工修改" in notice.inner_text()
    notice.get_by_role("button", name="关闭 Dismiss").click()
    notice.wait_for(state="detached", timeout=TIMEOUT)
    page.reload()
    page.wait_for_function("window.__bulletinLiveStarted === true", timeout=TIMEOUT)
    assert page.locator("#bulletin-live-notice").count() == 0  # dismissed stays dismissed
