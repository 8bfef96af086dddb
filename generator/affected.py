"""Which pages an edit can affect, decided without computing any page's view.

Every article, bulletin and term gets a digest of everything a page may show of it (an
article's body stands in by its source digest). Every page names the entities its view
reads (``page_dependencies``): an article page its article, neighbours, bulletin, terms
and the articles its "more from this region" list may show; a term page its term, the
term's parents and children and the cards it lists; and so on. After an edit, only
pages that are new, planned differently (other items or page count), or depend on an
entity whose digest changed have their view computed and fingerprinted; the rest keep
their record as it is. Anything every page shows (theme, settings, asset URLs,
languages) is the ``scope``: when it changes, every page is looked at again.

The full path (every view computed and fingerprinted) stays the reference: the tests
build both ways and compare.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from generator.feeds import FEED_ENTRIES
from generator.pages import Page, PageKind
from generator.site import Article, Site
from generator.views import MORE_FROM_REGION

_ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name != "body_html")


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def entity_digests(site: Site) -> dict[str, str]:
    """``a:<article>``, ``b:<bulletin>``, ``t:<term>`` → digest of all its fields."""
    digests = {f"a:{key}": article_digest(article) for key, article in site.articles.items()}
    digests.update({f"b:{key}": _digest(repr(b)) for key, b in site.bulletins.items()})
    digests.update({f"t:{key}": _digest(repr(t)) for key, t in site.terms.items()})
    digests["n:bulletins"] = str(len(site.bulletins))
    return digests


def article_digest(article: Article) -> str:
    return _digest(repr(tuple(getattr(article, name) for name in _ARTICLE_FIELDS)))


def plan_digest(page: Page) -> str:
    return _digest(repr(page))


def changed_entities(old: dict[str, str], new: dict[str, str]) -> set[str]:
    """Entities added, removed or changed."""
    changed = {key for key, digest in new.items() if old.get(key) != digest}
    changed.update(old.keys() - new.keys())
    return changed


def page_dependencies(page: Page, site: Site) -> Iterator[str] | None:
    """The entities ``page``'s view reads; None when it reads too many to list (the term
    indexes: every term of a taxonomy), so it is always looked at."""
    kind = page.kind
    if kind is PageKind.ARTICLE:
        return _article_page(site, page.subject)
    if kind is PageKind.BULLETIN:
        return _bulletins(site, (page.subject,))
    if kind in (PageKind.HOME, PageKind.ARCHIVE):
        return _chain(iter(("n:bulletins",)), _bulletins(site, page.items))
    if kind is PageKind.TERM:
        return _chain(_term_family(site, page.subject), _cards(site, page.items))
    if kind is PageKind.FEED:
        keys = site.terms[page.subject].articles if page.subject else site.article_order
        subject = (f"t:{page.subject}",) if page.subject else ()
        return _chain(iter(subject), _cards(site, keys[:FEED_ENTRIES]))
    if kind is PageKind.TERM_INDEX:
        return None
    return iter(())  # search, 404, sitemap, robots: their Page (items) and the scope only


@dataclass(frozen=True)
class DependencyIndex:
    """``page_dependencies`` turned around: entity → indices of the pages that read it, so
    an edit finds its dependents without asking each of the site's pages."""

    readers: dict[str, tuple[int, ...]]
    always: tuple[int, ...]  # pages whose dependencies are not listed (None)

    @classmethod
    def build(cls, pages: Sequence[Page], site: Site) -> DependencyIndex:
        readers: dict[str, list[int]] = {}
        always = []
        for index, page in enumerate(pages):
            depends = page_dependencies(page, site)
            if depends is None:
                always.append(index)
                continue
            for entity in set(depends):
                readers.setdefault(entity, []).append(index)
        return cls({key: tuple(found) for key, found in readers.items()}, tuple(always))

    def dependents(self, changed: Iterable[str]) -> set[int]:
        found = set(self.always)
        for entity in changed:
            found.update(self.readers.get(entity, ()))
        return found


def _chain(*parts: Iterator[str]) -> Iterator[str]:
    for part in parts:
        yield from part


def _article_page(site: Site, key: str) -> Iterator[str]:
    article = site.articles[key]
    yield f"a:{key}"
    yield f"b:{article.bulletin}"
    for neighbour in (article.prev, article.next):
        if neighbour:
            yield f"a:{neighbour}"
    for term in (*article.region_terms, *article.author_terms):
        yield f"t:{term}"
    # "More from this region": the newest others of the most specific region that has
    # any (the view's own walk; which region that is depends only on the terms above).
    for term in reversed(article.region_terms):
        newest = site.terms[term].articles[: MORE_FROM_REGION + 1]
        yield from (f"a:{other}" for other in newest)
        if any(other != key for other in newest):
            break


def _bulletins(site: Site, ids: tuple[str, ...]) -> Iterator[str]:
    for bulletin_id in ids:
        yield f"b:{bulletin_id}"
        yield from _cards(site, site.bulletins[bulletin_id].articles)


def _cards(site: Site, keys: tuple[str, ...]) -> Iterator[str]:
    for key in keys:
        article = site.articles[key]
        yield f"a:{key}"
        yield f"b:{article.bulletin}"  # dates and titles of undated articles, feed times
        for term in (*article.region_terms, *article.author_terms):
            yield f"t:{term}"


def _term_family(site: Site, key: str) -> Iterator[str]:
    term = site.terms[key]
    yield f"t:{key}"
    yield from (f"t:{child}" for child in term.children)
    parent = term.parent
    while parent is not None:
        yield f"t:{parent}"
        parent = site.terms[parent].parent
