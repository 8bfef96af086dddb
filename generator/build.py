"""`bulletin build`: ingest new seeds, load content, plan pages, render what changed, write
only changed bytes, prune what no page produces any more.

Three levels of skipping, each checked by the tests against a clean single-process build:

* Input stamps (``cache.InputState``): every input file's stat and SHA-256. When every
  file hashes as before (only files whose stat changed are read) and the outputs are in
  place, the build ends there, before Markdown, Jinja, OpenCC or pypinyin are imported.
* Dependencies (``affected``): after an edit, only pages that are new, planned
  differently or show a changed article/bulletin/term get their view computed.
* Fingerprints: each such page's fingerprint hashes its view model (the exact data it
  shows), its template name and a base fingerprint (templates, site.yaml settings, the
  converters' protected names, the generator's own code); an unchanged fingerprint with
  its files in place is neither rendered nor written.

Rendering runs in a forked process pool (``parallel``) when many pages need it. A
``Builder`` keeps what it loaded between builds (``bulletin serve`` holds one).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import generator
from generator import cache
from generator.cache import InputState, Manifest, PageRecord
from generator.config import SiteConfig
from generator.content import write_atomic
from generator.output import (
    outputs_present,
    prune,
    sizes_present,
    staged_output,
    write_if_changed,
)

# Markdown, Jinja, OpenCC and pypinyin take most of a second to import: a build whose
# inputs did not change needs none of them, so the modules that use them are imported in
# the functions that run only when something changed (see _changed_build).
if TYPE_CHECKING:
    from generator import affected
    from generator.pages import Page
    from generator.parallel import RenderJob
    from generator.render import Renderer
    from generator.search import SearchReport, SearchTarget
    from generator.site import Article, ContentCache, Site
    from generator.variants import ConverterSpec, Language
    from generator.views import ViewContext

STATIC_PREFIX = "static/"


@dataclass
class BuildResult:
    written: list[str]  # output-relative posix paths whose bytes changed
    deleted: list[str]
    skipped: int  # pages (and static files) left as they were
    warnings: list[str]
    seconds: float
    rendered: int = 0  # pages rendered this time
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    ingested: list[str] = field(default_factory=list)  # ingest summary lines
    errors: list[str] = field(default_factory=list)  # ingest errors
    search: SearchReport | None = None  # None: built without search


@dataclass(frozen=True)
class IngestOutcome:
    summaries: list[str]  # one line per bulletin ingested by this build
    warnings: list[str]
    errors: list[str]  # seeds that could not be ingested (the rest of the site still builds)


@dataclass
class _Progress:
    manifest: Manifest = field(default_factory=Manifest)
    written: list[str] = field(default_factory=list)
    skipped: int = 0
    rendered: int = 0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(_STAGES, 0.0))


_STAGES = ("views", "render", "write")


def build_site(
    config: SiteConfig,
    *,
    search: bool = True,
    jobs: int | None = None,
    progress: bool = False,
    full_views: bool = False,
) -> BuildResult:
    """Build the whole site into config.output_dir; see the module docstring.

    ``jobs``: worker processes for rendering (default: one per core). ``full_views``: the
    reference path for tests: no stamp fast path, and every page's view is computed and
    fingerprinted instead of only those of pages an edit can affect."""
    return Builder(config).build(search=search, jobs=jobs, progress=progress, full_views=full_views)


class Builder:
    """One site's builds, keeping between them what the last one loaded: input stamps,
    parsed articles, the manifest, templates, converters. ``bulletin serve`` keeps one for
    its whole run, so an edit costs a stat of every input and the work the edit causes,
    not reloading caches; each build still saves them for the next command."""

    def __init__(self, config: SiteConfig):
        self.config = config
        self._state: InputState | None = None
        self._docs: dict | None = None  # the content cache (src_path → parsed file)
        self._manifest: Manifest | None = None
        self._renderer: Renderer | None = None
        self._specs: dict[str, ConverterSpec] | None = None
        self._converters: dict = {}  # OpenCC converters for this process's own rendering
        # What the last finished build rendered from: ``article_pages`` re-renders from it
        # (also while the next build runs, in another thread) and an edit that keeps the
        # site's shape updates it instead of loading and planning everything again.
        self._last: _LastBuild | None = None
        self._early_converters: dict = {}  # article_pages' own: it may run beside a build
        self._warmed: Renderer | None = None  # the templates ``_warm_up`` rendered last
        self._dirty: set[str] = set()  # pages article_pages wrote since a build took them
        self._dirty_lock = threading.Lock()
        # Caches a build put off writing (``save``): only the newest of each matters.
        self._disk_docs: ContentCache | None = None  # the parses as the cache files hold them
        self._unsaved_docs: tuple[str, ContentCache] | None = None  # (code stamp, parses)
        self._unsaved_manifest: Manifest | None = None
        self._unsaved_state: InputState | None = None
        self._unrecorded: set[str] = set()  # pages written that the saved manifest lacks

    def build(
        self,
        *,
        search: bool = True,
        jobs: int | None = None,
        progress: bool = False,
        full_views: bool = False,
        defer_saving: bool = False,
    ) -> BuildResult:
        """``defer_saving``: after an edit in place, leave the caches' writes (manifest,
        input state, content parses) to ``save``, so a caller that shows the result first
        (serve) does not wait for them. Until then the cache folder names the pages
        written since (``_unrecorded``): another command's build renders them again and
        compares bytes, so it never trusts a saved record those files outgrew."""
        started = time.perf_counter()
        config = self.config
        state_path = cache.input_state_path(config)
        previous = self._state or cache.load_input_state(state_path)
        scanned = InputState(scan_inputs(config, previous.files), settings_digest(config))
        scanned_in = time.perf_counter() - started
        if (
            not full_views
            and not self._dirty  # an early page may show an edit since undone
            and not self._unrecorded
            and not _unrecorded_path(config).exists()  # ...or one left by another process
            and previous.same_inputs(scanned)
            and sizes_present(config.output_dir, previous.outputs)
        ):
            self._state = dataclasses.replace(previous, files=scanned.files)
            if self._last is not None and self._last.state is previous:
                self._last = dataclasses.replace(self._last, state=self._state)
            if scanned.files != previous.files:  # touched, not changed: skip hashing next time
                self._unsaved_state = self._state
                self.save()  # with whatever an earlier build put off: the state goes last
            found = index_search(config, progress) if search else None
            return BuildResult(
                written=[],
                deleted=[],
                skipped=previous.skipped,
                warnings=list(previous.warnings),
                seconds=time.perf_counter() - started,
                timings={"check": time.perf_counter() - started, "scan": scanned_in},
                search=found,
            )
        self._state = None  # until this build has finished
        options = WriteOptions(jobs or os.cpu_count() or 1, progress, full_views)
        dirty = self._take_dirty()
        try:
            result = self._changed_build(
                previous, scanned, dirty, search=search, options=options, defer=defer_saving
            )
        except BaseException:
            with self._dirty_lock:
                self._dirty |= dirty  # still to be checked by the next build
            raise
        result.timings["scan"] = scanned_in
        result.seconds = time.perf_counter() - started
        return result

    def save(self, stop: cache.Stop | None = None) -> bool:
        """Write the caches builds put off (``defer_saving``): parses, then the manifest,
        then the input state (never newer than the manifest), then stop naming the pages
        the saved manifest now covers. ``stop`` is asked as they are written (``serve``:
        an edit is waiting); when it says so, the file being written is left as it was and
        the rest waits for the next save. True when everything is saved."""
        config = self.config
        try:
            self._save_parses(stop)
            if self._unsaved_manifest is not None:
                cache.save_manifest(cache.manifest_path(config), self._unsaved_manifest, stop)
                self._unsaved_manifest = None
            if self._unsaved_state is not None:
                path = cache.input_state_path(config)
                cache.save_input_state(path, self._unsaved_state, stop)
                self._unsaved_state = None
        except cache.SaveStopped:
            return False
        with self._dirty_lock:
            # Pages written early since the last build began are in no manifest yet (that
            # build's batch may never be built: serve stopped first); they stay named.
            kept = self._unrecorded & self._dirty
            if kept != self._unrecorded:
                self._unrecorded = kept
                _name_unrecorded(config, kept)
        return True

    def _note_unrecorded(self, keys: set[str]) -> None:
        """Before writing pages the saved manifest will not know: name them on disk."""
        with self._dirty_lock:
            if keys <= self._unrecorded:
                return
            self._unrecorded |= keys
            _name_unrecorded(self.config, self._unrecorded)

    def _saved_manifest(self) -> Manifest:
        """The manifest as the cache holds it, without the records of pages another
        process wrote since its last save (rendered again, bytes compared)."""
        manifest = cache.load_manifest(cache.manifest_path(self.config))
        try:
            unrecorded = set(json.loads(_unrecorded_path(self.config).read_bytes()))
        except (OSError, ValueError, TypeError):
            return manifest
        pages = {k: record for k, record in manifest.pages.items() if k not in unrecorded}
        return Manifest(pages, scope=manifest.scope, entities=manifest.entities)

    def prepare(self) -> None:
        """Make ready, while nothing else is asked of it, what the next edit needs: the
        last site (loaded without rendering when the last build found nothing changed),
        its dependency index, ``article_pages``' converters, and templates and converters
        warmed up (``_warm_up``). For ``bulletin serve``."""
        from generator import affected

        if self._last is None and self._state is not None:
            options = WriteOptions(os.cpu_count() or 1)
            self._changed_build(self._state, self._state, set(), search=False, options=options)
            self.save()
        last = self._last
        if last is None:
            return
        if last.index is None:
            last.index = affected.DependencyIndex.build(last.pages, last.site)
        self._make_early_converters(last.specs)
        self._warm_up(last)

    def _make_early_converters(self, specs: Mapping[str, ConverterSpec]) -> None:
        """``article_pages``' own converters, not the process's shared ones
        (``converter_for``): it runs in the early thread, also while a build converts in
        another, and a converter's memo is cleared when full, which must never happen in
        the middle of another thread's batch."""
        from generator.variants import TextConverter

        if not self._early_converters and specs:
            self._early_converters.update({p: TextConverter(s) for p, s in specs.items()})

    def _warm_up(self, last: _LastBuild) -> None:
        """Render one page of each template in memory (nothing is written) through the
        build's converters. After a build in worker processes, or one that found nothing
        changed, this process has compiled no template and converted nothing, and the
        first edit paid for it: at 1,000 bulletins its early page took 66 ms instead of
        6-9 ms, and its build 296 ms instead of 214-224 ms. Once per set of templates (a
        template edit compiles anew). ``article_pages``' converters are left to the early
        thread alone: a page's few lines of text are quick to convert the first time."""
        from generator.pages import PageKind
        from generator.render import page_view, render_page
        from generator.variants import converter_for

        if self._warmed is last.renderer:
            return
        if not self._converters and last.specs:
            self._converters.update({p: converter_for(s) for p, s in last.specs.items()})
        first_of_each: dict[str, Page] = {}
        for page in last.pages:
            if page.kind is not PageKind.SITEMAP:  # one page listing every URL: no warm-up
                first_of_each.setdefault(page.template, page)
        for page in first_of_each.values():
            view = page_view(page, last.site, last.ctx)
            render_page(page, view, last.renderer, self._converters, last.ctx)
        self._warmed = last.renderer

    def _save_parses(self, stop: cache.Stop | None = None) -> None:
        """The content cache, if a build put it off. (Not while the render workers run:
        pickled in memory, every parse then raised a cold build's peak memory by 50 MB at
        1,000 bulletins, for 0.3 s; the pickles are streamed now, not measured since.) Kept
        as unsaved until written, so a save that fails or is stopped is tried again."""
        if self._unsaved_docs is not None:
            stamp, docs = self._unsaved_docs
            folder = cache.content_cache_path(self.config)
            cache.save_content_cache(folder, stamp, docs, self._disk_docs or {}, stop)
            self._unsaved_docs = None
            self._disk_docs = docs

    def _take_dirty(self) -> set[str]:
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        return dirty

    def _changed_build(
        self,
        previous: InputState,
        scanned: InputState,
        dirty: set[str],
        *,
        search: bool,
        options: WriteOptions,
        defer: bool = False,
    ) -> BuildResult:
        """Some input changed (or the output was touched): ingest, load, render. ``dirty``:
        pages ``article_pages`` wrote, looked at again with their bytes compared.
        ``defer``: after an edit in place, leave the caches to ``save``."""
        from generator.pages import find_collisions, plan_pages
        from generator.variants import languages_of
        from generator.views import ViewContext

        config = self.config
        started = time.perf_counter()
        changed = changed_inputs(previous, scanned)
        if (
            previous.ingest_clean
            and not changed.settings
            and not any(is_ingest_input(config, path) for path in changed.paths)
        ):
            ingest = IngestOutcome([], [], [])  # no seed or bulletin.yaml changed
        else:
            ingest = ingest_pending_seeds(config, options.jobs)
            if ingest.summaries:  # ingest wrote content: stamp it as it is now
                scanned.files = scan_inputs(config, scanned.files)
                changed = changed_inputs(previous, scanned)
        loading = time.perf_counter()
        last = self._last if self._last is not None and self._last.state is previous else None
        edit = None if options.full_views else self._same_shape_edit(last, changed)
        if edit is not None:
            site, docs = edit.site, edit.docs
            content = self._save_content(docs, site.bulletin_order)
        else:
            site, docs, content = self._load_content(scanned, options.jobs)
        loaded = time.perf_counter() - loading
        languages = languages_of(config)
        assets = theme_assets(config.theme_dir)
        ctx = ViewContext(config, languages, asset_urls(config, assets))
        if edit is not None and last is not None:  # the same pages as last time
            pages, plans = last.pages, last.plans
        else:
            pages = plan_pages(site, config)
            find_collisions(pages, languages, reserved=assets)
            plans = None
        renderer = self._current_renderer()
        specs = self._converter_specs(languages)
        base = base_fingerprint(config, renderer, specs)
        old = self._manifest or self._saved_manifest()
        self._manifest = None  # until this build has finished
        if dirty:  # written early: render again and compare bytes, whatever their record says
            old = Manifest(
                {key: record for key, record in old.pages.items() if key not in dirty},
                scope=old.scope,
                entities=old.entities,
            )
        inputs = inputs_fingerprint(base, content, assets)
        done = None if options.full_views else reuse_unchanged(old, inputs, config.output_dir)
        shortcut = None
        if done is None and edit is not None and last is not None:
            shortcut = last.shortcut(edit.keys, site, old)
        if shortcut is None:
            defer = False  # a site-wide build saves as it goes
        elif defer:
            self._note_unrecorded({pages[index].key for index in shortcut.look_at})
        done = done or write_site(
            pages,
            site,
            ctx,
            renderer,
            specs,
            base,
            old,
            assets,
            options,
            self._converters,
            shortcut,
            plans,
        )
        done.manifest.inputs = inputs
        deleted = prune(config.output_dir, _stale_outputs(old, done.manifest, shortcut))
        self._manifest = self._unsaved_manifest = done.manifest
        warnings = [*ingest.warnings, *site.warnings]
        self._state = self._unsaved_state = input_state(scanned, done.manifest, warnings, ingest)
        if not defer:
            self.save()
        self._last = _LastBuild(
            site,
            pages,
            ctx,
            renderer,
            specs,
            docs,
            self._state,
            plans or [_plan_of(page, done.manifest) for page in pages],
            last.index if last is not None and last.pages is pages else None,
        )
        found = index_search(config, options.progress) if search else None
        return BuildResult(
            written=done.written,
            deleted=deleted,
            skipped=done.skipped,
            warnings=warnings,
            seconds=time.perf_counter() - started,
            rendered=done.rendered,
            timings={"ingest": loading - started, "load": loaded, **done.timings},
            search=found,
            ingested=ingest.summaries,
            errors=ingest.errors,
        )

    def _load_content(self, scanned: InputState, jobs: int = 1) -> tuple[Site, ContentCache, str]:
        """The Site model, reusing the parse of every unchanged Markdown file (known by
        its stamp's digest, so unchanged files are not even read), the parses, and a
        digest of all of content/."""
        from generator.site import load_site

        stamp = self._content_stamp()
        if self._docs is None:
            self._docs = cache.load_content_cache(cache.content_cache_path(self.config), stamp)
            self._disk_docs = self._docs
        digests = {path: stamp_[3] for path, stamp_ in scanned.files.items()}
        site, docs = load_site(self.config, self._docs, digests, jobs)
        return site, docs, self._save_content(docs, site.bulletin_order)

    def _content_stamp(self) -> str:
        return code_stamp() + ("\0html" if self.config.markdown_html else "")

    def _save_content(self, docs: ContentCache, order: Sequence[str]) -> str:
        """Keep the parses to save (with the other caches) and return the content digest."""
        self._unsaved_docs = (self._content_stamp(), docs)
        self._docs = docs
        listing = [sorted((key, doc.digest) for key, doc in docs.items()), list(order)]
        return hashlib.sha256(json.dumps(listing).encode()).hexdigest()

    def _same_shape_edit(self, last: _LastBuild | None, changed: _Changed) -> _Edit | None:
        """When the only inputs that changed since the last build are existing articles'
        Markdown, edited without moving them (``_reparse``): the last site with just those
        articles replaced, which is the site a full load would give. None otherwise."""
        if last is None or self._docs is None or changed.settings or not changed.paths:
            return None
        if changed.added or changed.removed:
            return None
        return _reparse(last, self.config, [Path(path) for path in sorted(changed.paths)])

    def article_pages(self, paths: Sequence[Path]) -> list[tuple[str, bytes]] | None:
        """Early pages for ``bulletin serve``: after edits of existing articles' Markdown,
        render each edited article's own page (every variant) from the last build's site
        with only that article re-parsed, and write it. None (nothing written) unless every
        path is such an edit that keeps the article's place in the site (slug, order,
        date, region, authors): then its page is the one the next ``build`` writes, as the
        rest of what it shows (neighbours, bulletin, terms) is unchanged. Only an early
        write: ``build`` must still follow, to bring the manifest and every other page up
        to date. Returns (output path, bytes) of each file written."""
        from generator.render import page_view, render_page

        last, config = self._last, self.config  # one snapshot: a build may replace it
        if last is None or not paths:
            return None
        edit = _reparse(last, config, paths)
        if edit is None:
            return None
        own = last.article_pages()
        self._make_early_converters(last.specs)
        files = []
        for key in edit.keys:
            page = own[key]
            view = page_view(page, edit.site, last.ctx)
            files += render_page(page, view, last.renderer, self._early_converters, last.ctx)
        keys = {own[key].key for key in edit.keys}
        with self._dirty_lock:  # before writing: a build starting now looks at them again
            self._dirty.update(keys)  # (and first: a save meanwhile keeps them named)
        self._note_unrecorded(keys)
        for rel, data in files:
            write_atomic(config.output_dir / rel, data)
        return files

    def _current_renderer(self) -> Renderer:
        """The templates, compiled again only when a template file changed."""
        from generator.render import Renderer, tree_fingerprint

        renderer = self._renderer
        templates = self.config.theme_dir / "templates"
        if (
            renderer is None
            or renderer.templates_dir != templates
            or not templates.is_dir()
            or renderer.fingerprint != tree_fingerprint(templates)
        ):
            renderer = self._renderer = Renderer(self.config.theme_dir)
        return renderer

    def _converter_specs(self, languages: Sequence[Language]) -> dict[str, ConverterSpec]:
        if self._specs is None:
            self._specs = converter_specs(self.config, languages)
            self._converters = {}
        return self._specs


@dataclass
class _LastBuild:
    """What the last build rendered from, kept for ``Builder.article_pages`` and for the
    next build after an edit that keeps the site's shape."""

    site: Site
    pages: Sequence[Page]
    ctx: ViewContext
    renderer: Renderer
    specs: Mapping[str, ConverterSpec]
    docs: ContentCache  # the parses the site was assembled from
    state: InputState  # the inputs it was built from
    plans: Sequence[str]  # each page's plan digest
    index: affected.DependencyIndex | None = None  # built when first needed

    def article_pages(self) -> dict[str, Page]:
        from generator.pages import PageKind

        return {p.subject: p for p in self.pages if p.kind is PageKind.ARTICLE}

    def shortcut(self, keys: Sequence[str], site: Site, old: Manifest) -> _Shortcut | None:
        """What to look at after ``keys`` were edited in place: the pages that depend on
        an article whose digest changed (from the dependency index, not by asking every
        page), plus pages written early. The last site's bulletins and terms are the
        same objects, so only the edited articles' digests are computed again."""
        from generator import affected

        if not old.entities:
            return None
        entities = dict(old.entities)
        for key in keys:
            entities[f"a:{key}"] = affected.article_digest(site.articles[key])
        changed = affected.changed_entities(old.entities, entities)
        index = self.index
        if index is None:  # built on the first edit; kept while the pages stay the same
            index = self.index = affected.DependencyIndex.build(self.pages, self.site)
        chosen = set(index.dependents(changed))
        # Pages without a record: written early (``dirty``, their records dropped).
        chosen.update(i for i, page in enumerate(self.pages) if page.key not in old.pages)
        return _Shortcut(entities, sorted(chosen))


@dataclass(frozen=True)
class _Shortcut:
    entities: dict[str, str]  # the new entity digests
    look_at: list[int]  # indices of pages whose view may have changed


@dataclass(frozen=True)
class _Edit:
    """Articles edited in place: their keys, and the site and parses with them replaced."""

    keys: tuple[str, ...]
    site: Site
    docs: ContentCache


def _reparse(last: _LastBuild, config: SiteConfig, paths: Sequence[Path]) -> _Edit | None:
    """Parse each edited Markdown file again. None unless every path is an article of the
    last site whose place in it stays (slug, order, date, region, authors, the bulletin
    its front matter names): then replacing those articles in the last site (whose terms,
    bulletins, order and neighbours stay as they are) gives the site a full load would."""
    from generator.errors import BulletinError
    from generator.markup import make_markdown
    from generator.site import _article, parse_doc

    articles = dict(last.site.articles)
    docs = dict(last.docs)
    keys = []
    markdown = None
    for path in paths:
        if path.suffix != ".md" or not path.is_relative_to(config.content_dir):
            return None
        key = path.relative_to(config.content_dir).as_posix()
        old, old_doc = articles.get(key), docs.get(key)
        if old is None or old_doc is None:
            return None
        try:
            data = path.read_bytes()
            markdown = markdown or make_markdown(config.markdown_html)
            doc = parse_doc(data, path, key, hashlib.sha256(data).hexdigest(), markdown)
        except (OSError, BulletinError):  # a full build reports it
            return None
        if doc.source.bulletin != old_doc.source.bulletin:  # a warning comes or goes
            return None
        new = dataclasses.replace(
            _article(doc, last.site.bulletins[old.bulletin]),
            region_terms=old.region_terms,
            author_terms=old.author_terms,
            prev=old.prev,
            next=old.next,
        )
        if _placement(new) != _placement(old):
            return None
        articles[key] = new
        docs[key] = doc
        keys.append(key)
    site = dataclasses.replace(last.site, articles=articles)
    return _Edit(tuple(keys), site, docs)


def _record_entities(manifest: Manifest, site: Site) -> None:
    from generator import affected

    manifest.entities = affected.entity_digests(site)


def _plan_of(page: Page, manifest: Manifest) -> str:
    """The page's plan digest, as its record (written this build) holds it."""
    from generator import affected

    record = manifest.pages.get(page.key)
    return record.plan if record is not None and record.plan else affected.plan_digest(page)


def _placement(article: Article) -> tuple:
    """What an article page's place in the site depends on: the rest may change early."""
    early = {"title", "body_html", "body_digest", "headings", "excerpt"}
    return tuple(
        getattr(article, f.name) for f in dataclasses.fields(article) if f.name not in early
    )


def _name_unrecorded(config: SiteConfig, keys: set[str]) -> None:
    """The file naming pages the saved manifest lacks; none when it lacks none."""
    if keys:
        write_atomic(
            _unrecorded_path(config), json.dumps(sorted(keys), ensure_ascii=False).encode()
        )
    else:
        _unrecorded_path(config).unlink(missing_ok=True)


def _unrecorded_path(config: SiteConfig) -> Path:
    """Names the pages written since the manifest was last saved (while it is not)."""
    manifest = cache.manifest_path(config)
    return manifest.with_name(manifest.stem + "-unrecorded.json")


def scan_inputs(config: SiteConfig, previous: Mapping[str, cache.FileStamp]) -> dict:
    """Stamps of every file a build reads: content, seeds, theme, and the generator's code."""
    roots = (
        config.content_dir,
        config.seeds_dir,
        config.theme_dir,
        Path(generator.__file__).parent,
    )
    return cache.scan_files(roots, dict(previous), skip=(config.output_dir,))


def settings_digest(config: SiteConfig) -> str:
    settings = json.dumps(dataclasses.asdict(config), sort_keys=True, default=str)
    return hashlib.sha256(f"{generator.__version__}\0{settings}".encode()).hexdigest()


@dataclass(frozen=True)
class _Changed:
    """Input files whose digest differs between two scans, and whether settings did."""

    paths: frozenset[str]  # added, removed or changed (absolute)
    added: frozenset[str]
    removed: frozenset[str]
    settings: bool


def changed_inputs(previous: InputState, scanned: InputState) -> _Changed:
    none = (0, 0, 0, "")
    old, new = previous.files, scanned.files
    paths = frozenset(
        path for path in old.keys() | new.keys() if old.get(path, none)[3] != new.get(path, none)[3]
    )
    return _Changed(
        paths,
        frozenset(new.keys() - old.keys()),
        frozenset(old.keys() - new.keys()),
        previous.settings != scanned.settings,
    )


def is_ingest_input(config: SiteConfig, path: str) -> bool:
    """Whether a change of ``path`` can give ingest work: a seed, a bulletin.yaml, the code."""
    from generator.content import BULLETIN_META

    seeds = str(config.seeds_dir) + "/"
    code = str(Path(generator.__file__).parent) + "/"
    return path.startswith((seeds, code)) or path.endswith("/" + BULLETIN_META)


def _stale_outputs(old: Manifest, new: Manifest, shortcut: _Shortcut | None) -> set[str]:
    """Files the old manifest lists and the new one does not; after an edit in place only
    the pages looked at can have changed their files."""
    if shortcut is None:
        return old.all_outputs().keys() - new.all_outputs().keys()
    stale: set[str] = set()
    for key, record in old.pages.items():
        fresh = new.pages.get(key)
        if fresh is None:
            stale.update(record.outputs)
        elif fresh is not record:
            stale.update(record.outputs.keys() - fresh.outputs.keys())
    return stale


def input_state(
    scanned: InputState, manifest: Manifest, warnings: list[str], ingest: IngestOutcome
) -> InputState:
    """The inputs this build saw; after ingest errors none, so the next build tries those
    seeds again and reports them again."""
    state = InputState(
        files=scanned.files if not ingest.errors else {},
        settings=scanned.settings,
        warnings=warnings,
        outputs={path: record.size for path, record in manifest.all_outputs().items()},
        skipped=len(manifest.pages),
        ingest_clean=not ingest.errors and not ingest.warnings,
    )
    return state


def ingest_pending_seeds(config: SiteConfig, jobs: int | None = None) -> IngestOutcome:
    """Ingest raw bulletins in seeds/ that are new or changed (never over hand edits),
    with as many processes as the build renders with."""
    from generator.ingest.run import ingest_pending

    report = ingest_pending(config, jobs=jobs)
    return IngestOutcome(
        summaries=[result.summary for result in report.ingested],
        warnings=[
            *report.warnings,
            *(f"{r.id}: {w}" for r in report.ingested for w in r.warnings),
        ],
        errors=list(report.errors),
    )


# The modules whose code decides what the output bytes are (not ingest, serve or check).
_OUTPUT_MODULES = (
    "affected",
    "build",
    "cache",
    "config",
    "content",
    "feeds",
    "markup",
    "output",
    "pages",
    "parallel",
    "render",
    "site",
    "sitemap",
    "slugs",
    "variants",
    "views",
)


def code_stamp() -> str:
    """The generator's version and rendering code: parses and pages from other code are stale."""
    digest = hashlib.sha256(generator.__version__.encode())
    package = Path(generator.__file__).parent
    for name in _OUTPUT_MODULES:
        digest.update(name.encode() + b"\0" + (package / f"{name}.py").read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(base: str, content: str, assets: Mapping[str, Path]) -> str:
    """Everything any output depends on; equal to last time means nothing to do."""
    digest = hashlib.sha256(f"{base}\0{content}".encode())
    for rel, path in assets.items():
        digest.update(rel.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def reuse_unchanged(old: Manifest, inputs: str, output_dir: Path) -> _Progress | None:
    """The last build as it stands, when no input changed and its files are all in place:
    then not even the pages' views need computing."""
    if not old.inputs or old.inputs != inputs:
        return None
    if not outputs_present(output_dir, old.all_outputs()):
        return None
    return _Progress(manifest=old, skipped=len(old.pages))


def theme_assets(theme_dir: Path) -> dict[str, Path]:
    """Output path → source file of every static file of the theme."""
    static = theme_dir / "static"
    if not static.is_dir():
        return {}
    return {
        STATIC_PREFIX + path.relative_to(static).as_posix(): path
        for path in sorted(static.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def asset_urls(config: SiteConfig, assets: Mapping[str, Path]) -> dict[str, str]:
    """Static file name → URL with a content hash, so browsers never keep a stale copy."""
    urls = {}
    for rel, path in assets.items():
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        urls[rel[len(STATIC_PREFIX) :]] = f"{config.base_path}{rel}?v={version}"
    return urls


def converter_specs(config: SiteConfig, languages: Sequence[Language]) -> dict[str, ConverterSpec]:
    """One converter spec per variant prefix; proper names come from the gazetteer."""
    from generator.ingest.places import Gazetteer
    from generator.variants import converter_spec

    variants = [language.variant for language in languages if language.variant]
    if not variants:
        return {}
    places = sorted(Gazetteer.load(config.province).all_names())
    return {v.prefix: converter_spec(v, config, places) for v in variants}


# Settings no page shows: paths, and how the search index is cut into shards.
_NOT_ON_PAGES = (
    "root",
    "output_dir",
    "content_dir",
    "seeds_dir",
    "theme_dir",
    "search_shard_pages",
)


def base_fingerprint(
    config: SiteConfig, renderer: Renderer, specs: Mapping[str, ConverterSpec]
) -> str:
    settings = {
        key: value for key, value in dataclasses.asdict(config).items() if key not in _NOT_ON_PAGES
    }
    parts = [
        code_stamp(),
        renderer.fingerprint,
        json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str),
        *(f"{prefix}={spec.fingerprint}" for prefix, spec in sorted(specs.items())),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def write_site(
    pages: Sequence[Page],
    site: Site,
    ctx: ViewContext,
    renderer: Renderer,
    specs: Mapping[str, ConverterSpec],
    base: str,
    old: Manifest,
    assets: Mapping[str, Path],
    options: WriteOptions,
    converters: dict | None = None,
    shortcut: _Shortcut | None = None,
    plans: Sequence[str] | None = None,
) -> _Progress:
    from generator.parallel import RenderJob

    with staged_output(ctx.config.output_dir) as (output_dir, fresh):
        job = RenderJob(pages, plans, site, ctx, renderer, specs, base, old, output_dir, fresh)
        done = write_pages(job, options, converters, shortcut)
        write_assets(assets, output_dir, old, done, fresh)
    return done


@dataclass(frozen=True)
class WriteOptions:
    jobs: int = 1  # worker processes for rendering
    progress: bool = False  # report progress on stderr
    full_views: bool = False  # compute every page's view (the reference for `affected`)


def write_pages(
    job: RenderJob,
    options: WriteOptions = WriteOptions(),
    converters: dict | None = None,
    shortcut: _Shortcut | None = None,
) -> _Progress:
    """Render and write every page whose fingerprint changed or whose files went missing;
    pages that depend on nothing that changed keep their record without a view computed.
    ``shortcut``: an edit that kept the site's shape says which pages to look at."""
    from generator import affected
    from generator.parallel import ChunkResult, render_pages

    pages, site, old = job.pages, job.site, job.old
    done = _Progress()
    done.manifest.scope = scope_digest(job.base, job.ctx)
    meanwhile = None  # this process's work while workers render
    if shortcut is not None and old.scope == done.manifest.scope:
        done.manifest.entities = shortcut.entities
        look_at = shortcut.look_at
    elif options.full_views or old.scope != done.manifest.scope or not old.entities:
        # Every page is looked at: its plan and the entities' digests are only recorded,
        # so the workers digest the plans and this process the entities while they render.
        look_at = list(range(len(pages)))
        meanwhile = functools.partial(_record_entities, done.manifest, site)
    else:
        plans = job.plans or [affected.plan_digest(page) for page in pages]
        job = dataclasses.replace(job, plans=plans)
        done.manifest.entities = affected.entity_digests(site)
        look_at = pages_to_look_at(pages, plans, site, old, done.manifest, job.output_dir)
    chosen = set(look_at)
    for index, page in enumerate(pages):
        if index not in chosen:
            done.manifest.pages[page.key] = old.pages[page.key]
    done.skipped += len(pages) - len(chosen)
    report = ProgressReport(len(look_at), options.progress)
    collected = ChunkResult()

    def on_chunk(result: ChunkResult, count: int) -> None:
        collected.add(result)
        report.update(count, len(collected.written))

    try:
        render_pages(job, look_at, options.jobs, on_chunk, converters, meanwhile)
    except BaseException:
        # Keep what is known to be on disk, so the next build does not redo it.
        partial = Manifest({**old.pages, **collected.records})
        cache.save_manifest(cache.manifest_path(job.ctx.config), partial)
        raise
    finally:
        report.close()
    done.manifest.pages.update(collected.records)
    done.written += sorted(collected.written)
    done.skipped += collected.skipped
    done.rendered = collected.rendered
    done.timings.update(collected.timings)
    return done


def scope_digest(base: str, ctx: ViewContext) -> str:
    """What every page shows besides its own data: theme, settings, assets, languages."""
    scope = [base, sorted(ctx.assets.items()), [repr(lang) for lang in ctx.languages]]
    return hashlib.sha256(json.dumps(scope).encode()).hexdigest()


def pages_to_look_at(
    pages: Sequence[Page],
    plans: Sequence[str],
    site: Site,
    old: Manifest,
    new: Manifest,
    output_dir: Path,
) -> list[int]:
    """Indices of pages whose view must be computed when the last build had the same
    scope: new or re-planned pages, pages whose files went missing, pages that depend on a
    changed entity."""
    from generator import affected

    changed = affected.changed_entities(old.entities, new.entities)
    chosen = []
    for index, page in enumerate(pages):
        record = old.pages.get(page.key)
        if (
            record is None
            or record.plan != plans[index]
            or not outputs_present(output_dir, record.outputs)
        ):
            chosen.append(index)
            continue
        depends = affected.page_dependencies(page, site)
        if depends is None or not changed.isdisjoint(depends):
            chosen.append(index)
    return chosen


PROGRESS_FROM = 200  # pages: fewer take about a second, too short to report on the way


def index_search(config: SiteConfig, progress: bool) -> SearchReport:
    """Bring the search index up to date (skipped when no article page changed). Pagefind
    takes longer than rendering (about 40 s at 1,000 bulletins), so a build reporting
    progress says when it starts and how long it has been running."""
    from generator.search import update_search_index

    if not progress:
        return update_search_index(config)
    with SearchProgress() as listener:
        return update_search_index(config, listener=listener)


SEARCH_BEAT = 10.0  # seconds between "still indexing" lines when not on a terminal


class SearchProgress:
    """What a long build says while Pagefind runs, which gives no progress of its own:
    each index's start (named by its languages), then the indexes still running and the
    time so far (on a terminal one line kept current every second, otherwise a line every
    ``SEARCH_BEAT`` seconds). Silent for sites under ``PROGRESS_FROM`` article pages."""

    def __init__(self, stream: TextIO | None = None, beat: float | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.beat = beat if beat is not None else (1.0 if self.tty else SEARCH_BEAT)
        self._lock = threading.Lock()  # the indexing thread and the beat write lines
        self._running: list[str] = []
        self._since = 0.0
        self._stop = threading.Event()
        self._beating: threading.Thread | None = None
        self._open_line = False  # a terminal line without its newline yet

    def __enter__(self) -> SearchProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._beating is not None:
            self._beating.join()
        with self._lock:
            self._end_line()

    def started(self, target: SearchTarget, pages: int) -> None:
        if pages < PROGRESS_FROM:
            return
        with self._lock:
            if self._open_line:  # the start replaces the live line, which comes back below
                self.stream.write("\r\x1b[K")
                self._open_line = False
            self.stream.write(f"  search: indexing {pages} article pages ({target.label})\n")
            self.stream.flush()
            self._running.append(target.label)
            if self._beating is None:
                self._since = time.perf_counter()
                self._beating = threading.Thread(target=self._beat, daemon=True)
                self._beating.start()

    def finished(self, target: SearchTarget) -> None:
        with self._lock:
            if target.label in self._running:
                self._running.remove(target.label)

    def _beat(self) -> None:
        while not self._stop.wait(self.beat):
            with self._lock:
                if not self._running:
                    continue
                seconds = time.perf_counter() - self._since
                line = f"  search: still indexing {', '.join(self._running)}, {seconds:.0f} s"
                if self.tty:
                    self.stream.write(f"\r{line}\x1b[K")
                    self._open_line = True
                else:
                    self.stream.write(line + "\n")
                self.stream.flush()

    def _end_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False


class ProgressReport:
    """A bar on a terminal (carriage-return updates), a line every ~10% otherwise; silent
    unless asked for and the build is long enough to need it."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.enabled = enabled and total >= PROGRESS_FROM
        self.tty = self.enabled and self.stream.isatty()
        self.started = time.perf_counter()
        self.next_line = total // 10

    def update(self, done: int, written: int) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        if self.tty:
            filled = 30 * done // self.total
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r  [{bar}] {done}/{self.total} pages, {elapsed:.0f} s")
            self.stream.flush()
        elif done >= self.next_line or done == self.total:
            self.stream.write(
                f"  {done}/{self.total} pages, {written} files written, {elapsed:.0f} s\n"
            )
            self.next_line = done + max(1, self.total // 10)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def write_assets(
    assets: Mapping[str, Path],
    output_dir: Path,
    old: Manifest,
    done: _Progress,
    fresh: bool = False,
) -> None:
    """Copy the theme's static files (one copy shared by every language)."""
    for rel, path in assets.items():
        key = f"asset:{rel}"
        data = path.read_bytes()
        fingerprint = hashlib.sha256(data).hexdigest()
        record = old.pages.get(key)
        if (
            record
            and record.fingerprint == fingerprint
            and outputs_present(output_dir, record.outputs)
        ):
            done.manifest.pages[key] = record
            done.skipped += 1
            continue
        known = record.outputs.get(rel) if record else None
        output, changed = write_if_changed(output_dir, rel, data, known, fresh)
        done.manifest.pages[key] = PageRecord(fingerprint, {rel: output})
        if changed:
            done.written.append(rel)


def run_build_command(args: argparse.Namespace, config: SiteConfig) -> int:
    search = config.search and not getattr(args, "no_search", False)
    result = build_site(config, search=search, jobs=getattr(args, "jobs", None), progress=True)
    for line in result.ingested:
        print(f"ingested {line}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in result.errors:
        print(f"bulletin: error: {error}", file=sys.stderr)
    print(
        f"built {_shown(config.output_dir)}: {len(result.written)} files written, "
        f"{result.skipped} unchanged, {len(result.deleted)} deleted "
        f"in {result.seconds:.2f} s ({result.rendered} pages rendered)"
    )
    if result.search is not None:
        from generator.search import describe_report

        print(describe_report(result.search))
    return 1 if result.errors else 0


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() + "/"
    except ValueError:
        return str(path)
