"""The list of pages to write: one ``Page`` record per output, planned from the Site model.

A Page names what it shows by keys (an article's src_path, a bulletin id, a term key, the
slice of a listing) and where it goes (``url`` relative to the language root, and
``dest_path``). Nothing is rendered here; rendering is a pure function of (page, site).
Every localized page is written once per language: ``<dest_path>`` for the default
language, ``<prefix>/<dest_path>`` for each variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from generator.config import SiteConfig
from generator.errors import BulletinError
from generator.site import Bulletin, Site, Taxonomy, page_url, paginate
from generator.variants import Language


class PageKind(Enum):
    HOME = "home"
    ARCHIVE = "archive"
    BULLETIN = "bulletin"
    ARTICLE = "article"
    TERM_INDEX = "term_index"
    TERM = "term"
    SEARCH = "search"
    NOT_FOUND = "not_found"
    FEED = "feed"
    SITEMAP = "sitemap"
    ROBOTS = "robots"


_TEMPLATES = {
    PageKind.HOME: "home.html",
    PageKind.ARCHIVE: "archive.html",
    PageKind.BULLETIN: "bulletin.html",
    PageKind.ARTICLE: "article.html",
    PageKind.TERM_INDEX: "terms.html",
    PageKind.TERM: "term.html",
    PageKind.SEARCH: "search.html",
    PageKind.NOT_FOUND: "404.html",
    PageKind.FEED: "feed.xml",
    PageKind.SITEMAP: "sitemap.xml",
    PageKind.ROBOTS: "robots.txt",
}
_SINGLE = {PageKind.SITEMAP, PageKind.ROBOTS}  # one file for the whole site, not per language
HTML_KINDS = frozenset(set(PageKind) - {PageKind.FEED, PageKind.SITEMAP, PageKind.ROBOTS})


@dataclass(frozen=True)
class Page:
    kind: PageKind
    url: str  # relative to the language root: "", "bulletins/x/", "feed.xml"
    subject: str = ""  # article key, bulletin id, term key or taxonomy name
    number: int = 1  # page number within a paginated listing
    items: tuple[str, ...] = ()  # the keys this page lists (bulletin ids or article keys)
    pages: int = 1  # how many pages the listing has

    @property
    def key(self) -> str:
        return self.url or "/"

    @property
    def dest_path(self) -> str:
        return self.url + "index.html" if self.url.endswith("/") or not self.url else self.url

    @property
    def template(self) -> str:
        return _TEMPLATES[self.kind]

    @property
    def localized(self) -> bool:
        return self.kind not in _SINGLE

    def outputs(self, languages: Sequence[Language]) -> list[tuple[Language, str]]:
        """(language, output-relative path) of every file this page writes."""
        if not self.localized:
            return [(languages[0], self.dest_path)]
        return [(lang, lang.path + self.dest_path) for lang in languages]


def plan_pages(site: Site, config: SiteConfig) -> list[Page]:
    """Every page of the site, in a fixed order."""
    pages = [Page(PageKind.HOME, "", items=site.bulletin_order[: config.home_bulletins])]
    pages += _listing(PageKind.ARCHIVE, "bulletins/", "", site.bulletin_order, config)
    pages += [Page(PageKind.BULLETIN, b.url, subject=b.id) for b in _bulletins(site)]
    pages += [
        Page(PageKind.ARTICLE, site.articles[key].url, subject=key) for key in site.article_order
    ]
    for taxonomy in Taxonomy:
        pages.append(Page(PageKind.TERM_INDEX, f"{taxonomy.value}/", subject=taxonomy.value))
    for term in sorted(site.terms.values(), key=lambda t: t.key):
        pages += _listing(PageKind.TERM, term.url, term.key, term.articles, config)
        pages.append(Page(PageKind.FEED, term.url + "feed.xml", subject=term.key))
    pages.append(Page(PageKind.FEED, "feed.xml"))
    pages.append(Page(PageKind.SEARCH, "search/"))
    pages.append(Page(PageKind.NOT_FOUND, "404.html"))
    listed = tuple(
        p.url for p in pages if p.kind in HTML_KINDS and p.kind is not PageKind.NOT_FOUND
    )
    pages.append(Page(PageKind.SITEMAP, "sitemap.xml", items=listed))
    pages.append(Page(PageKind.ROBOTS, "robots.txt"))
    return pages


def _bulletins(site: Site) -> Iterator[Bulletin]:
    return (site.bulletins[bulletin_id] for bulletin_id in site.bulletin_order)


def _listing(
    kind: PageKind, first_url: str, subject: str, keys: Sequence[str], config: SiteConfig
) -> list[Page]:
    chunks = paginate(tuple(keys), config.page_size)
    return [
        Page(kind, page_url(first_url, number), subject, number, chunk, len(chunks))
        for number, chunk in enumerate(chunks, start=1)
    ]


def find_collisions(
    pages: Iterable[Page], languages: Sequence[Language], reserved: Iterable[str] = ()
) -> None:
    """Raise when two pages (or a page and a theme file) would write the same output path."""
    owners: dict[str, str] = {path: "the theme's static files" for path in reserved}
    for language in languages:
        if language.prefix and any(path.startswith(language.path) for path in owners):
            raise BulletinError(
                f"variant prefix '{language.prefix}' clashes with the theme's static files"
            )
    for page in pages:
        for _, path in page.outputs(languages):
            owner = owners.get(path)
            what = f"{page.kind.value} page {page.subject or page.url or '/'}"
            if owner is not None:
                raise BulletinError(
                    f"two pages would write {path}: {owner} and {what}; "
                    "change a slug in the front matter or a variant prefix in site.yaml"
                )
            owners[path] = what
