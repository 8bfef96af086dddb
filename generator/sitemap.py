"""sitemap.xml (every page in every language, each with its hreflang alternates) and
robots.txt pointing at it. Both are single files for the whole site."""

from __future__ import annotations

from generator.pages import Page
from generator.site import Site
from generator.views import View, ViewContext


def sitemap_view(page: Page, site: Site, ctx: ViewContext) -> View:
    base = ctx.config.base_url
    urls = []
    for url in page.items:
        alternates = [
            {"hreflang": language.code, "href": base + language.path + url}
            for language in ctx.languages
        ]
        alternates.append({"hreflang": "x-default", "href": base + url})
        for language in ctx.languages:
            urls.append({"loc": base + language.path + url, "alternates": alternates})
    return {"urls": urls, "multilingual": len(ctx.languages) > 1}


def robots_view(page: Page, site: Site, ctx: ViewContext) -> View:
    return {"sitemap": ctx.config.base_url + "sitemap.xml"}
