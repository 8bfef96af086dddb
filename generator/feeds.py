"""Atom feeds: the site's latest articles, and each region's and author's.

Every entry has a stable id (the article's absolute URL in the feed's language), an
``updated`` time and a summary. Dates are days in China Standard Time; an article whose
date is unknown is dated by when its bulletin was first ingested (recorded in
bulletin.yaml, so feeds stay byte-stable between builds), and 1970-01-01 only when even
that is missing.
"""

from __future__ import annotations

import datetime as dt

from generator.pages import Page
from generator.site import Article, Site, Taxonomy
from generator.variants import ABS, LANG
from generator.views import View, ViewContext, term_name

FEED_ENTRIES = 20
UNKNOWN_DATE = "1970-01-01T00:00:00Z"


def atom_time(date: dt.date | None, fallback: dt.datetime | None = None) -> str:
    if date:
        return f"{date.isoformat()}T00:00:00+08:00"
    if fallback:
        return fallback.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return UNKNOWN_DATE


def _updated(site: Site, article: Article) -> str:
    return atom_time(article.date, site.bulletins[article.bulletin].ingested)


def feed_view(page: Page, site: Site, ctx: ViewContext) -> View:
    config = ctx.config
    if page.subject:
        term = site.terms[page.subject]
        keys = term.articles
        title = f"{term_name(term)} - {config.title}"
        html_url = term.url
        kind = "地区" if term.taxonomy is Taxonomy.REGIONS else "作者"
        subtitle = f"{config.title}：{kind} {term_name(term)}"
    else:
        keys = site.article_order
        title, html_url, subtitle = config.title, "", config.description
    entries = [_entry(site, site.articles[key]) for key in keys[:FEED_ENTRIES]]
    return {
        "lang": LANG,
        "title": title,
        "subtitle": subtitle,
        "id": ABS + page.url,
        "self_url": ABS + page.url,
        "alternate": ABS + html_url,
        # ISO strings of one format and zone sort as times; entries may mix days (+08:00)
        # with ingest times (Z), so compare as datetimes.
        "updated": max((e["updated"] for e in entries), key=_as_time, default=UNKNOWN_DATE),
        "author": config.title,
        "entries": entries,
    }


def _entry(site: Site, article: Article) -> View:
    return {
        "title": article.title,
        "url": ABS + article.url,
        "updated": _updated(site, article),
        "authors": [
            {"name": term_name(site.terms[key]), "uri": ABS + site.terms[key].url}
            for key in article.author_terms
        ],
        "categories": [
            {"term": site.terms[key].key, "label": term_name(site.terms[key])}
            for key in article.region_terms
        ],
        "summary": article.excerpt,
    }


def _as_time(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
