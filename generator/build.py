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
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import generator
from generator import cache
from generator.cache import InputState, Manifest, PageRecord
from generator.config import SiteConfig
from generator.output import outputs_present, prune, sizes_present, write_if_changed

# Markdown, Jinja, OpenCC and pypinyin take most of a second to import: a build whose
# inputs did not change needs none of them, so the modules that use them are imported in
# the functions that run only when something changed (see _changed_build).
if TYPE_CHECKING:
    from generator.pages import Page
    from generator.render import Renderer
    from generator.site import Article, Site
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
        self._last: _LastBuild | None = None  # what article_pages re-renders from

    def build(
        self,
        *,
        search: bool = True,
        jobs: int | None = None,
        progress: bool = False,
        full_views: bool = False,
    ) -> BuildResult:
        started = time.perf_counter()
        config = self.config
        state_path = cache.input_state_path(config)
        previous = self._state or cache.load_input_state(state_path)
        scanned = InputState(scan_inputs(config, previous.files), settings_digest(config))
        scanned_in = time.perf_counter() - started
        if (
            not full_views
            and previous.same_inputs(scanned)
            and sizes_present(config.output_dir, previous.outputs)
        ):
            self._state = dataclasses.replace(previous, files=scanned.files)
            if scanned.files != previous.files:  # touched, not changed: skip hashing next time
                cache.save_input_state(state_path, self._state)
            if search:
                from generator.search import update_search_index

                update_search_index(config)
            return BuildResult(
                written=[],
                deleted=[],
                skipped=previous.skipped,
                warnings=list(previous.warnings),
                seconds=time.perf_counter() - started,
                timings={"check": time.perf_counter() - started, "scan": scanned_in},
            )
        self._state = None  # until this build has finished
        self._last = None
        options = WriteOptions(jobs or os.cpu_count() or 1, progress, full_views)
        result = self._changed_build(previous, scanned, search=search, options=options)
        result.timings["scan"] = scanned_in
        result.seconds = time.perf_counter() - started
        return result

    def _changed_build(
        self, previous: InputState, scanned: InputState, *, search: bool, options: WriteOptions
    ) -> BuildResult:
        """Some input changed (or the output was touched): ingest, load, render."""
        from generator.pages import find_collisions, plan_pages
        from generator.variants import languages_of
        from generator.views import ViewContext

        config = self.config
        started = time.perf_counter()
        if previous.ingest_clean and ingest_inputs(config, previous) == ingest_inputs(
            config, scanned
        ):
            ingest = IngestOutcome([], [], [])  # no seed or bulletin.yaml changed
        else:
            ingest = ingest_pending_seeds(config)
            if ingest.summaries:  # ingest wrote content: stamp it as it is now
                scanned.files = scan_inputs(config, scanned.files)
        loading = time.perf_counter()
        site, content = self._load_content(scanned, options.jobs)
        loaded = time.perf_counter() - loading
        languages = languages_of(config)
        assets = theme_assets(config.theme_dir)
        ctx = ViewContext(config, languages, asset_urls(config, assets))
        pages = plan_pages(site, config)
        find_collisions(pages, languages, reserved=assets)
        renderer = self._current_renderer()
        specs = self._converter_specs(languages)
        base = base_fingerprint(config, renderer, specs)
        old = self._manifest or cache.load_manifest(cache.manifest_path(config))
        self._manifest = None  # until this build has finished
        inputs = inputs_fingerprint(base, content, assets)
        done = None if options.full_views else reuse_unchanged(old, inputs, config.output_dir)
        done = done or write_site(
            pages, site, ctx, renderer, specs, base, old, assets, options, self._converters
        )
        done.manifest.inputs = inputs
        deleted = prune(
            config.output_dir, old.all_outputs().keys() - done.manifest.all_outputs().keys()
        )
        cache.save_manifest(cache.manifest_path(config), done.manifest)
        self._manifest = done.manifest
        self._last = _LastBuild(site, pages, ctx, renderer, specs)
        warnings = [*ingest.warnings, *site.warnings]
        self._state = save_state(config, scanned, done.manifest, warnings, ingest)
        if search:
            from generator.search import update_search_index

            update_search_index(config)  # skips variants whose article pages did not change
        return BuildResult(
            written=done.written,
            deleted=deleted,
            skipped=done.skipped,
            warnings=warnings,
            seconds=time.perf_counter() - started,
            rendered=done.rendered,
            timings={"ingest": loading - started, "load": loaded, **done.timings},
            ingested=ingest.summaries,
            errors=ingest.errors,
        )

    def _load_content(self, scanned: InputState, jobs: int = 1) -> tuple[Site, str]:
        """The Site model, reusing the parse of every unchanged Markdown file (known by
        its stamp's digest, so unchanged files are not even read), and a digest of all
        of content/."""
        from generator.site import load_site

        config = self.config
        stamp = code_stamp() + ("\0html" if config.markdown_html else "")
        path = cache.content_cache_path(config)
        if self._docs is None:
            self._docs = cache.load_content_cache(path, stamp)
        previous = self._docs
        digests = {path: stamp_[3] for path, stamp_ in scanned.files.items()}
        site, docs = load_site(config, previous, digests, jobs)
        self._docs = None  # until saved
        cache.save_content_cache(path, stamp, docs, previous)
        self._docs = docs
        listing = [sorted((key, doc.digest) for key, doc in docs.items()), site.bulletin_order]
        return site, hashlib.sha256(json.dumps(listing).encode()).hexdigest()

    def article_pages(self, paths: Sequence[Path]) -> list[tuple[str, bytes]] | None:
        """Early pages for ``bulletin serve``: after edits of existing articles' Markdown,
        render each edited article's own page (every variant) from the last build's site
        with only that article re-parsed, and write it. None (nothing written) unless every
        path is such an edit that keeps the article's place in the site (slug, order,
        date, region, authors): then its page is the one the next ``build`` writes, as the
        rest of what it shows (neighbours, bulletin, terms) is unchanged. Only an early
        write: ``build`` must still follow, to bring the manifest and every other page up
        to date. Returns (output path, bytes) of each file written."""
        from generator.content import write_atomic
        from generator.errors import BulletinError
        from generator.markup import make_markdown
        from generator.pages import PageKind
        from generator.render import page_view, render_page
        from generator.site import _article, parse_doc
        from generator.variants import converter_for

        last, config = self._last, self.config
        if last is None or not paths:
            return None
        own = {p.subject: p for p in last.pages if p.kind is PageKind.ARTICLE}
        articles = dict(last.site.articles)
        keys = []
        for path in paths:
            if path.suffix != ".md" or not path.is_relative_to(config.content_dir):
                return None
            key = path.relative_to(config.content_dir).as_posix()
            old = articles.get(key)
            if old is None or key not in own:
                return None
            keys.append(key)
            try:
                data = path.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
                markdown = make_markdown(config.markdown_html)
                doc = parse_doc(data, path, key, digest, markdown)
            except (OSError, BulletinError):  # the full build that follows reports it
                return None
            new = _article(doc, last.site.bulletins[old.bulletin])
            new = dataclasses.replace(
                new,
                region_terms=old.region_terms,
                author_terms=old.author_terms,
                prev=old.prev,
                next=old.next,
            )
            if _placement(new) != _placement(old):
                return None
            articles[key] = new
        site = dataclasses.replace(last.site, articles=articles)
        if not self._converters and last.specs:
            self._converters.update({p: converter_for(s) for p, s in last.specs.items()})
        files = []
        for key in keys:
            page = own[key]
            view = page_view(page, site, last.ctx)
            files += render_page(page, view, last.renderer, self._converters, last.ctx)
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


@dataclass(frozen=True)
class _LastBuild:
    """What the last build rendered from, kept for ``Builder.article_pages``."""

    site: Site
    pages: Sequence[Page]
    ctx: ViewContext
    renderer: Renderer
    specs: Mapping[str, ConverterSpec]


def _placement(article: Article) -> tuple:
    """What an article page's place in the site depends on: the rest may change early."""
    early = {"title", "body_html", "body_digest", "headings", "excerpt"}
    return tuple(
        getattr(article, f.name) for f in dataclasses.fields(article) if f.name not in early
    )


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


def ingest_inputs(config: SiteConfig, state: InputState) -> list[tuple[str, str]]:
    """What decides whether ingest has work: the seeds, every bulletin.yaml, the code."""
    from generator.content import BULLETIN_META

    seeds = str(config.seeds_dir) + "/"
    code = str(Path(generator.__file__).parent) + "/"
    meta = "/" + BULLETIN_META
    return [
        (path, stamp[3])
        for path, stamp in sorted(state.files.items())
        if path.startswith((seeds, code)) or path.endswith(meta)
    ] + [("settings", state.settings)]


def save_state(
    config: SiteConfig,
    scanned: InputState,
    manifest: Manifest,
    warnings: list[str],
    ingest: IngestOutcome,
) -> InputState:
    """Remember the inputs this build saw; after ingest errors remember nothing, so the
    next build tries those seeds again and reports them again."""
    state = InputState(
        files=scanned.files if not ingest.errors else {},
        settings=scanned.settings,
        warnings=warnings,
        outputs={path: record.size for path, record in manifest.all_outputs().items()},
        skipped=len(manifest.pages),
        ingest_clean=not ingest.errors and not ingest.warnings,
    )
    cache.save_input_state(cache.input_state_path(config), state)
    return state


def ingest_pending_seeds(config: SiteConfig) -> IngestOutcome:
    """Ingest raw bulletins in seeds/ that are new or changed (never over hand edits)."""
    from generator.ingest.report import summary_line
    from generator.ingest.run import ingest_pending

    report = ingest_pending(config)
    return IngestOutcome(
        summaries=[summary_line(result.parsed) for result in report.ingested],
        warnings=[
            *report.warnings,
            *(f"{r.id}: {w}" for r in report.ingested for w in r.parsed.warnings),
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


def base_fingerprint(
    config: SiteConfig, renderer: Renderer, specs: Mapping[str, ConverterSpec]
) -> str:
    settings = {
        key: value
        for key, value in dataclasses.asdict(config).items()
        if key not in ("root", "output_dir", "content_dir", "seeds_dir", "theme_dir")
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
) -> _Progress:
    output_dir = ctx.config.output_dir
    done = write_pages(
        pages, site, ctx, renderer, specs, base, old, output_dir, options, converters
    )
    write_assets(assets, output_dir, old, done)
    return done


@dataclass(frozen=True)
class WriteOptions:
    jobs: int = 1  # worker processes for rendering
    progress: bool = False  # report progress on stderr
    full_views: bool = False  # compute every page's view (the reference for `affected`)


def write_pages(
    pages: Sequence[Page],
    site: Site,
    ctx: ViewContext,
    renderer: Renderer,
    specs: Mapping[str, ConverterSpec],
    base: str,
    old: Manifest,
    output_dir: Path,
    options: WriteOptions = WriteOptions(),
    converters: dict | None = None,
) -> _Progress:
    """Render and write every page whose fingerprint changed or whose files went missing;
    pages that depend on nothing that changed keep their record without a view computed."""
    from generator import affected
    from generator.parallel import ChunkResult, RenderJob, render_pages

    done = _Progress()
    done.manifest.scope = scope_digest(base, ctx)
    done.manifest.entities = affected.entity_digests(site)
    plans = [affected.plan_digest(page) for page in pages]
    look_at = pages_to_look_at(
        pages, plans, site, old, done.manifest, output_dir, options.full_views
    )
    for index in set(range(len(pages))) - set(look_at):
        done.manifest.pages[pages[index].key] = old.pages[pages[index].key]
        done.skipped += 1
    job = RenderJob(pages, plans, site, ctx, renderer, specs, base, old, output_dir)
    report = ProgressReport(len(look_at), options.progress)
    collected = ChunkResult()

    def on_chunk(result: ChunkResult, count: int) -> None:
        collected.add(result)
        report.update(count, len(collected.written))

    try:
        render_pages(job, look_at, options.jobs, on_chunk, converters)
    except BaseException:
        # Keep what is known to be on disk, so the next build does not redo it.
        partial = Manifest({**old.pages, **collected.records})
        cache.save_manifest(cache.manifest_path(ctx.config), partial)
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
    everything: bool,
) -> list[int]:
    """Indices of pages whose view must be computed: new or re-planned pages, pages whose
    files went missing, pages that depend on a changed entity, every page when the scope
    changed (or ``everything``)."""
    from generator import affected

    if everything or old.scope != new.scope or not old.entities:
        return list(range(len(pages)))
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


class ProgressReport:
    """A bar on a terminal (carriage-return updates), a line every ~10% otherwise; silent
    unless asked for and the build is long enough to need it."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.enabled = enabled and total >= 200
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
    assets: Mapping[str, Path], output_dir: Path, old: Manifest, done: _Progress
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
        output, changed = write_if_changed(output_dir, rel, data, known)
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
    return 1 if result.errors else 0


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() + "/"
    except ValueError:
        return str(path)
