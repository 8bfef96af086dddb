"""Jinja2 environment, the view model of each page kind, and rendering a page into the files
of every language.

``render_page`` is pure: (page, its view, the renderer, the converters) → output bytes per
path. It holds no state between calls, so pages can be rendered in any order or in worker
processes. Template errors become BulletinError naming the template file and line.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import jinja2

from generator import feeds, sitemap, views
from generator.errors import BulletinError
from generator.pages import Page, PageKind
from generator.site import Site
from generator.variants import TextConverter, localize
from generator.views import Html, View, ViewContext

ViewFunction = Callable[[Page, Site, ViewContext], View]
VIEWS: Mapping[PageKind, ViewFunction] = {
    PageKind.HOME: views.home_view,
    PageKind.ARCHIVE: views.archive_view,
    PageKind.BULLETIN: views.bulletin_view,
    PageKind.ARTICLE: views.article_view,
    PageKind.TERM_INDEX: views.term_index_view,
    PageKind.TERM: views.term_view,
    PageKind.SEARCH: views.search_view,
    PageKind.NOT_FOUND: views.not_found_view,
    PageKind.FEED: feeds.feed_view,
    PageKind.SITEMAP: sitemap.sitemap_view,
    PageKind.ROBOTS: sitemap.robots_view,
}


def page_view(page: Page, site: Site, ctx: ViewContext) -> View:
    return VIEWS[page.kind](page, site, ctx)


def view_fingerprint(page: Page, view: View, base: str) -> str:
    """Everything a page's bytes depend on: its view, its template, and ``base`` (theme,
    settings, converters, generator code)."""
    buffer = io.BytesIO()
    _FingerprintPickler(buffer, protocol=5).dump(view)  # views are built in a fixed order
    digest = hashlib.sha256(f"{base}\0{page.template}\0".encode())
    digest.update(buffer.getbuffer())
    return digest.hexdigest()


class _FingerprintPickler(pickle.Pickler):
    """A view as bytes to hash (pickle: a third of the time JSON took): without the memo,
    so equal views give equal bytes whichever objects they happen to share, and ready-made
    HTML as its digest instead of its text."""

    def __init__(self, file: io.BytesIO, protocol: int):
        super().__init__(file, protocol)
        self.fast = True

    def reducer_override(self, obj: object) -> object:  # called for non-builtin types only
        if type(obj) is Html:
            return str, ("html:" + obj.digest,)
        return NotImplemented


COMPONENTS = "partials/components.html"
_CARDS_KEPT = 50_000  # rendered cards kept per process (a few KB each)


class _Environment(jinja2.Environment):
    """Views are plain dicts: look keys up first (``card.title``) instead of trying an
    attribute, failing, then the key, as Jinja does by default. A third faster overall, and
    a key named like a dict method (``pagination.items``) means the key."""

    def getattr(self, obj: object, attribute: str) -> object:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class Renderer:
    """The theme's templates, loaded once; ``fingerprint`` changes when any template does."""

    def __init__(self, theme_dir: Path):
        self.templates_dir = theme_dir / "templates"
        if not self.templates_dir.is_dir():
            raise BulletinError("theme has no templates/ folder", self.templates_dir)
        self.env = _Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            autoescape=jinja2.select_autoescape(("html", "xml")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self.fingerprint = tree_fingerprint(self.templates_dir)
        self._cards: dict[tuple[int, bytes], object] = {}
        self.env.globals["article_card"] = self.article_card

    def __reduce__(self) -> tuple[object, ...]:
        return (Renderer, (self.templates_dir.parent,))

    def article_card(self, card: View, level: int = 2) -> object:
        """The ``article_card`` macro of partials/components.html, rendered once per
        distinct card: an article's card shows on its bulletin's, regions', authors' and the
        home page alike (four times on average), and cards were most of those pages' time."""
        # The card's whole content (an edited card is a new one), pickled: a quarter of
        # repr's time. Equal cards pickle alike, as ``card`` builds them all the same way.
        key = (level, pickle.dumps(card, protocol=5))
        html = self._cards.get(key)
        if html is None:
            if len(self._cards) >= _CARDS_KEPT:
                self._cards.clear()
            macros = self.env.get_template(COMPONENTS).module
            html = self._cards[key] = macros.article_card(card, level)  # type: ignore[attr-defined]
        return html

    def render(self, template_name: str, view: View) -> str:
        try:
            return self.env.get_template(template_name).render(view)
        except jinja2.TemplateSyntaxError as error:
            path = Path(error.filename) if error.filename else self.templates_dir / template_name
            raise BulletinError(f"template syntax: {error.message}", path, error.lineno) from None
        except jinja2.TemplateNotFound as error:
            raise BulletinError(f"template not found: {error.name}", self.templates_dir) from None
        except Exception as error:
            path, line = self._template_frame(error, template_name)
            kind = "undefined value" if isinstance(error, jinja2.UndefinedError) else "error"
            raise BulletinError(f"template {kind}: {error}", path, line) from None

    def _template_frame(self, error: Exception, template_name: str) -> tuple[Path, int | None]:
        """The innermost traceback frame inside a template file (Jinja maps its lines)."""
        root = str(self.templates_dir)
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.startswith(root):
                return Path(frame.filename), frame.lineno
        return self.templates_dir / template_name, None


def tree_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def render_page(
    page: Page,
    view: View,
    renderer: Renderer,
    converters: Mapping[str, TextConverter],
    ctx: ViewContext,
) -> list[tuple[str, bytes]]:
    """Render once in Simplified, then derive each language's file from that text."""
    return localize_pages([page], [renderer.render(page.template, view)], converters, ctx)[0]


def localize_pages(
    pages: Sequence[Page],
    texts: Sequence[str],
    converters: Mapping[str, TextConverter],
    ctx: ViewContext,
) -> list[list[tuple[str, bytes]]]:
    """Each page's files (output path, bytes) in every language it is written in, from its
    text rendered in Simplified; each language's pages are converted together."""
    files: list[list[tuple[str, bytes]]] = [[] for _ in pages]
    for language in ctx.languages:
        chosen = [
            (index, path)
            for index, page in enumerate(pages)
            for lang, path in page.outputs(ctx.languages)
            if lang.prefix == language.prefix
        ]
        if not chosen:
            continue
        converter = converters.get(language.prefix)
        done = localize([texts[i] for i, _ in chosen], language, converter, ctx.config)
        for (index, path), text in zip(chosen, done, strict=True):
            files[index].append((path, text.encode()))
    return files
