"""In a real browser: open the built seed site, click through to an article, switch
language and back, use the header search box, and check the layout at phone width."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from build_support import build, copy_project, serve_directory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    project = copy_project(tmp_path_factory.mktemp("browser"))
    build(project)
    with serve_directory(project / "_site") as url:
        yield url


def test_click_to_an_article_and_switch_language(page: object, base_url: str) -> None:
    page.goto(base_url)  # type: ignore[attr-defined]
    first = page.locator(".card-title a").first  # type: ignore[attr-defined]
    headline = first.inner_text()
    first.click()
    page.wait_for_url("**/bulletins/**")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == headline  # type: ignore[attr-defined]
    article_url = page.url  # type: ignore[attr-defined]

    page.locator(".lang-switch a[hreflang='zh-Hant']").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/zh-hant/**")  # type: ignore[attr-defined]
    assert page.url == article_url.replace(base_url, base_url + "zh-hant/")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "zh-Hant"  # type: ignore[attr-defined]
    traditional = page.locator("h1").inner_text()  # type: ignore[attr-defined]
    assert traditional != headline and len(traditional) == len(headline)
    current = page.locator(".lang-switch a[aria-current]")  # type: ignore[attr-defined]
    assert current.get_attribute("hreflang") == "zh-Hant"

    page.locator(".lang-switch a[hreflang='zh-Hans']").click()  # type: ignore[attr-defined]
    page.wait_for_url(article_url)  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == headline  # type: ignore[attr-defined]


def test_header_search_box_goes_to_the_search_page_of_the_same_language(
    page: object, base_url: str
) -> None:
    page.goto(base_url + "zh-hant/regions/")  # type: ignore[attr-defined]
    box = page.locator("header input[name='q']")  # type: ignore[attr-defined]
    box.fill("安全")
    box.press("Enter")
    page.wait_for_url("**/zh-hant/search/?q=*")  # type: ignore[attr-defined]
    assert page.locator("h1").inner_text() == "搜索"  # type: ignore[attr-defined]


def test_article_reads_comfortably_on_a_phone_and_on_a_desktop(page: object, base_url: str) -> None:
    page.goto(base_url)  # type: ignore[attr-defined]
    href = page.locator(".card-title a").first.get_attribute("href")  # type: ignore[attr-defined]
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})  # type: ignore[attr-defined]
        page.goto(base_url.rstrip("/") + href)  # type: ignore[attr-defined]
        metrics = page.evaluate(  # type: ignore[attr-defined]
            """() => {
                const body = document.querySelector('.article-body p');
                const style = getComputedStyle(body);
                return {
                    scroll: document.documentElement.scrollWidth,
                    client: document.documentElement.clientWidth,
                    line: parseFloat(style.lineHeight) / parseFloat(style.fontSize),
                    chars: body.getBoundingClientRect().width / parseFloat(style.fontSize),
                    font: getComputedStyle(document.body).fontFamily,
                };
            }"""
        )
        assert metrics["scroll"] <= metrics["client"], "no sideways scrolling"
        assert 1.6 <= metrics["line"] <= 2.0
        assert metrics["chars"] <= 40  # at most about 40 Chinese characters a line
        assert "PingFang SC" in metrics["font"]
