"""View models of the HTML pages: plain dicts of prepared text and links, one function per
page kind, each a pure function of (page, site, context).

The templates only place these values; everything decided here is plain data, so its
JSON is also the page's fingerprint for incremental builds. Links start with the ROOT
token (the page's language root, filled per language after rendering); names carry
person/place markers so the Traditional variants convert them as proper names.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.config import SiteConfig
from generator.pages import Page, PageKind
from generator.site import Article, Site, Taxonomy, Term, page_url
from generator.slugs import slugify
from generator.variants import (
    ABS,
    LANG,
    OG_LOCALE,
    ROOT,
    Language,
    current,
    keep,
    person,
    place,
)

MORE_FROM_REGION = 5
View = dict[str, Any]


@dataclass(frozen=True)
class Html:
    """Ready-made HTML in a view (an article body): templates output it as it is, and a
    page's fingerprint takes its digest instead of hashing the whole text again."""

    text: str
    digest: str

    def __html__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ViewContext:
    config: SiteConfig
    languages: tuple[Language, ...]
    assets: Mapping[str, str]  # static file name → its versioned URL


# --- small shared pieces ---------------------------------------------------------------


def display_date(date: dt.date | None) -> str | None:
    return f"{date.year}年{date.month}月{date.day}日" if date else None


def bulletin_title(site: Site, bulletin_id: str) -> str:
    date = site.bulletins[bulletin_id].date
    return f"{display_date(date)}快讯" if date else f"快讯 {bulletin_id}"


@functools.lru_cache(maxsize=256)  # pure; pinyin lookups are slow and provinces few
def province_anchor(province: str) -> str:
    return "p-" + slugify(province, max_words=16)


def term_name(term: Term) -> str:
    return place(term.name) if term.taxonomy is Taxonomy.REGIONS else person(term.name)


def term_link(term: Term) -> View:
    return {"name": term_name(term), "url": ROOT + term.url}


def region_trail(site: Site, province: str | None, term_keys: tuple[str, ...]) -> list[View]:
    """省 › 市 › 县: the province links to its group on the regions index."""
    trail = []
    if province:
        trail.append(
            {"name": place(province), "url": f"{ROOT}regions/#{province_anchor(province)}"}
        )
    trail += [term_link(site.terms[key]) for key in term_keys]
    return trail


def card(site: Site, article: Article) -> View:
    return {
        "title": article.title,
        "url": ROOT + article.url,
        "date": display_date(article.date),
        "datetime": article.date.isoformat() if article.date else None,
        "regions": [term_link(site.terms[key]) for key in article.region_terms],
        "authors": [term_link(site.terms[key]) for key in article.author_terms],
        "excerpt": article.excerpt,
    }


def pagination(page: Page, first_url: str) -> View | None:
    if page.pages <= 1:
        return None
    shown = sorted({1, page.pages} | set(range(page.number - 2, page.number + 3)))
    items: list[View] = []
    for number in (n for n in shown if 1 <= n <= page.pages):
        if items and number - items[-1]["number"] > 1:
            items.append({"number": number - 1, "gap": True, "url": None, "current": False})
        link = ROOT + page_url(first_url, number)
        items.append(
            {"number": number, "gap": False, "url": link, "current": number == page.number}
        )
    return {
        "items": items,
        "prev": ROOT + page_url(first_url, page.number - 1) if page.number > 1 else None,
        "next": ROOT + page_url(first_url, page.number + 1) if page.number < page.pages else None,
    }


def layout(
    page: Page,
    ctx: ViewContext,
    title: str,
    section: str,
    description: str = "",
    feed: View | None = None,
) -> View:
    """What every HTML page's frame needs: head, header, language switch, footer."""
    config = ctx.config
    indexable = page.kind is not PageKind.NOT_FOUND
    page_label = f"第{page.number}页" if page.number > 1 else ""
    full = " - ".join(part for part in (title, page_label, config.title) if part)
    return {
        "site": {"title": config.title, "description": config.description},
        "root": ROOT,
        "lang": LANG,
        "og_locale": OG_LOCALE,
        "title": full,
        "description": description or config.description,
        "canonical": ABS + page.url if indexable else None,
        "alternates": _alternates(page, ctx) if indexable else [],
        "switch": [
            {
                "label": keep(language.label),
                "code": language.code,
                "href": config.base_path + language.path + page.url,
                "current": current(language.code),
            }
            for language in ctx.languages
        ],
        "section": section,
        "feed": feed or {"title": config.title, "url": ROOT + "feed.xml"},
        "search_url": ROOT + "search/",
        "css": ctx.assets["style.css"],
        "assets": dict(ctx.assets),  # every static file's versioned URL, e.g. "search.js"
        "noindex": not indexable,
    }


def _alternates(page: Page, ctx: ViewContext) -> list[View]:
    base = ctx.config.base_url
    links = [
        {"hreflang": language.code, "href": base + language.path + page.url}
        for language in ctx.languages
    ]
    return [*links, {"hreflang": "x-default", "href": base + page.url}]


# --- one function per page kind --------------------------------------------------------


def home_view(page: Page, site: Site, ctx: ViewContext) -> View:
    bulletins = [
        {
            "title": bulletin_title(site, bulletin_id),
            "url": ROOT + site.bulletins[bulletin_id].url,
            "cards": [
                card(site, site.articles[key]) for key in site.bulletins[bulletin_id].articles
            ],
        }
        for bulletin_id in page.items
    ]
    return {
        **layout(page, ctx, "", "home"),
        "bulletins": bulletins,
        "more_url": ROOT + "bulletins/" if len(site.bulletins) > len(page.items) else None,
    }


def archive_view(page: Page, site: Site, ctx: ViewContext) -> View:
    groups: list[View] = []
    for bulletin_id in page.items:
        bulletin = site.bulletins[bulletin_id]
        date = bulletin.date
        heading = f"{date.year}年{date.month}月" if date else "日期不详"
        anchor = f"d{date.year}-{date.month:02d}" if date else "undated"
        if not groups or groups[-1]["id"] != anchor:
            groups.append({"heading": heading, "id": anchor, "bulletins": []})
        groups[-1]["bulletins"].append(
            {
                "title": bulletin_title(site, bulletin_id),
                "url": ROOT + bulletin.url,
                "date": display_date(date),
                "datetime": date.isoformat() if date else None,
                "count": len(bulletin.articles),
                "articles": [
                    {"title": site.articles[key].title, "url": ROOT + site.articles[key].url}
                    for key in bulletin.articles
                ],
            }
        )
    return {
        **layout(page, ctx, "往期快讯", "bulletins"),
        "groups": groups,
        "pagination": pagination(page, "bulletins/"),
    }


def bulletin_view(page: Page, site: Site, ctx: ViewContext) -> View:
    bulletin = site.bulletins[page.subject]
    title = bulletin_title(site, bulletin.id)
    return {
        **layout(page, ctx, title, "bulletins"),
        "bulletin": {
            "title": title,
            "date": display_date(bulletin.date),
            "datetime": bulletin.date.isoformat() if bulletin.date else None,
            "count": len(bulletin.articles),
        },
        "cards": [card(site, site.articles[key]) for key in bulletin.articles],
    }


def article_view(page: Page, site: Site, ctx: ViewContext) -> View:
    article = site.articles[page.subject]
    province = article.region_names[0] if article.region_names else None
    authors = [term_link(site.terms[key]) for key in article.author_terms]
    view = {
        **layout(page, ctx, article.title, "bulletins", article.excerpt),
        "article": {
            "title": article.title,
            "date": display_date(article.date),
            "datetime": article.date.isoformat() if article.date else None,
            "bulletin": {
                "title": bulletin_title(site, article.bulletin),
                "url": ROOT + site.bulletins[article.bulletin].url,
            },
            "breadcrumb": region_trail(site, province, article.region_terms),
            "authors": authors,
            "headings": [{"anchor": h.anchor, "text": h.text} for h in article.headings],
            "body": Html(article.body_html, article.body_digest),
            "prev": _neighbour(site, article.prev),
            "next": _neighbour(site, article.next),
            "more": _more_from_region(site, article),
            "more_url": ROOT + site.terms[article.region_terms[-1]].url
            if article.region_terms
            else None,
        },
        "og": {
            "type": "article",
            "title": article.title,
            "url": ABS + article.url,
            "published": article.date.isoformat() if article.date else None,
            "section": place(article.region_names[-1]) if article.region_names else None,
        },
        "jsonld": json_ld(_news_article(site, article, ctx)),
    }
    return view


def _neighbour(site: Site, key: str | None) -> View | None:
    if key is None:
        return None
    return {"title": site.articles[key].title, "url": ROOT + site.articles[key].url}


def _more_from_region(site: Site, article: Article) -> list[View]:
    """Other articles of the article's county (or, with none there, its city), newest first."""
    for key in reversed(article.region_terms):
        # the newest few only: filtering the whole listing made this quadratic in the
        # region's size (600 articles per county at 10,000 bulletins)
        newest = site.terms[key].articles[: MORE_FROM_REGION + 1]
        others = [k for k in newest if k != article.key][:MORE_FROM_REGION]
        if others:
            return [
                {
                    "title": site.articles[k].title,
                    "url": ROOT + site.articles[k].url,
                    "date": display_date(site.articles[k].date),
                    "datetime": site.articles[k].date.isoformat()
                    if site.articles[k].date
                    else None,
                }
                for k in others
            ]
    return []


def _news_article(site: Site, article: Article, ctx: ViewContext) -> View:
    data: View = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.excerpt,
        "inLanguage": LANG,
        "url": ABS + article.url,
        "mainEntityOfPage": ABS + article.url,
        "isPartOf": {"@type": "CreativeWork", "name": bulletin_title(site, article.bulletin)},
        "publisher": {"@type": "Organization", "name": ctx.config.title, "url": ABS},
        "author": [
            {"@type": "Person", "name": person(site.terms[k].name), "url": ABS + site.terms[k].url}
            for k in article.author_terms
        ],
    }
    if article.date:
        data["datePublished"] = article.date.isoformat()
    if article.region_names:
        data["contentLocation"] = {
            "@type": "Place",
            "name": "".join(place(name) for name in article.region_names),
        }
    return data


def json_ld(data: View) -> str:
    """JSON for a <script> element: nothing in it can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def term_index_view(page: Page, site: Site, ctx: ViewContext) -> View:
    taxonomy = Taxonomy(page.subject)
    groups: list[View] = []
    for term in site.top_terms(taxonomy):
        if not groups or groups[-1]["key"] != term.group:
            is_region = taxonomy is Taxonomy.REGIONS
            groups.append(
                {
                    "key": term.group,
                    "heading": place(term.group) if is_region else term.group,
                    "id": province_anchor(term.group) if is_region else f"i-{term.group}",
                    "items": [],
                }
            )
        groups[-1]["items"].append(_term_entry(site, term))
    title = "地区" if taxonomy is Taxonomy.REGIONS else "作者"
    return {
        **layout(page, ctx, title, taxonomy.value),
        "taxonomy": taxonomy.value,
        "heading": title,
        "groups": groups,
        "count": sum(1 for t in site.terms.values() if t.taxonomy is taxonomy),
    }


def _term_entry(site: Site, term: Term) -> View:
    return {
        **term_link(term),
        "count": len(term.articles),
        "children": [
            {**term_link(site.terms[key]), "count": len(site.terms[key].articles)}
            for key in term.children
        ],
    }


def term_view(page: Page, site: Site, ctx: ViewContext) -> View:
    term = site.terms[page.subject]
    is_region = term.taxonomy is Taxonomy.REGIONS
    trail: list[View]
    if is_region:
        ancestors = []
        parent = term.parent
        while parent is not None:
            ancestors.insert(0, parent)
            parent = site.terms[parent].parent
        trail = region_trail(site, term.group, (*ancestors, term.key))
    else:
        trail = [{"name": "作者", "url": ROOT + "authors/"}, term_link(term)]
    feed = {"title": term_name(term), "url": ROOT + term.url + "feed.xml"}
    return {
        **layout(page, ctx, term_name(term), term.taxonomy.value, feed=feed),
        "term": {
            **_term_entry(site, term),
            "kind": term.taxonomy.value,
            "trail": trail,
            "feed_url": feed["url"],
        },
        "cards": [card(site, site.articles[key]) for key in page.items],
        "pagination": pagination(page, term.url),
    }


def search_view(page: Page, site: Site, ctx: ViewContext) -> View:
    return layout(page, ctx, "搜索", "search")


def not_found_view(page: Page, site: Site, ctx: ViewContext) -> View:
    return layout(page, ctx, "页面未找到", "")
