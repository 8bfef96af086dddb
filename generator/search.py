"""Full-text search: one Pagefind bundle for every language of the written site.

Pagefind's extended binary segments Chinese with a Simplified-Chinese dictionary, so it
splits Simplified text into words but Traditional text almost character by character
(a quoted phrase then finds nothing). Every language is therefore searched by the
Simplified text, and since that text is the same in every language, it is indexed once:
the bundle (``pagefind/`` at the site's root) indexes one document per article, written
into a staging folder, that holds the Simplified page's indexed element and its metadata,
plus, for each Traditional variant, the same element with the variant page's text (tag
for tag, so the browser can show the excerpt in the page's own script: search.js maps the
Simplified excerpt onto it by position, as OpenCC's Simplified→Traditional conversion
keeps lengths) and the variant page's metadata and filters, their keys prefixed with the
variant's folder ("zh-hant/title", "zh-hant/city"). A variant's own ``pagefind/`` folder
holds only ``bulletin-search.json``, which points its search page at the shared bundle and
names the variant. The browser converts the reader's query to Simplified (opencc-js)
before searching. A site without variants is indexed from its pages directly.

Indexing once halved Pagefind's work (it had built two indexes of the same text): at
1,000 bulletins a cold build with search used 125 s of CPU with a bundle per language and
81 s with one.

Only pages carrying ``data-pagefind-body`` (article pages) are indexed. Indexing is
skipped when no article page of any language changed since the last run, judged by the
size and modification time of the written files (they are replaced on every content
change), so a preview rebuild that touched no article costs a directory walk; unlike a
check of one build's written files, this also catches pages written by an earlier
``--no-search`` build. Pagefind runs as its binary over a folder (its Python API answers
one file at a time, about 0.1 s each). ``BackgroundIndexer`` runs the same update on a
worker thread, for a preview server that must not wait for Pagefind.

A Pagefind run holds its whole index in memory (about 0.4 MB an article page) and cannot
update an index in part, so a large site is indexed in shards: whole bulletin folders,
spread by a hash of the folder's name over a power of two of shards of about
``search_shard_pages`` article pages each (``pagefind/s0/``, ``s1/``…, listed in the
bundle's bulletin-search.json; one shard is the bundle itself). An update runs Pagefind
only for the shards holding a changed page and links the others into the new bundle;
search.js searches every shard and merges the results. Each shard's documents are written
while Pagefind indexes the one before.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import Enum
from html.parser import HTMLParser
from pathlib import Path
from typing import Protocol

from generator.cache import folder_shard
from generator.config import SiteConfig, Variant
from generator.content import write_atomic
from generator.errors import BulletinError

BODY_ATTR = "data-pagefind-body"
BUNDLE_DIR = "pagefind"
OPTIONS_FILE = "bulletin-search.json"  # read by search.js: how to convert the query
ARTICLE_TREE = "bulletins"  # every article page lives under <variant>/bulletins/
CACHE_DIR = ".bulletin-cache"  # the build's cache folder (gitignored)
STATE_FORMAT = 2  # bump when staged documents or the state file change shape
SITE_KEY = "_index"  # the index's folder in the search cache: no variant prefix can be it
_OLD_DEFAULT_KEY = "default"  # the Simplified index's folder when each language had one

# Pagefind's own UI bundles: the theme brings its own markup, so they are dropped.
_UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
# opencc-js "from" codes, by the variant's OpenCC config, for converting queries.
_QUERY_CONVERSION = {"s2t": "t", "s2tw": "tw", "s2twp": "twp", "s2hk": "hk"}
_METADATA_ATTRS = (
    "data-pagefind-meta",
    "data-pagefind-filter",
    "data-pagefind-sort",
    "data-pagefind-default-meta",
)
# Elements whose text Pagefind never indexes (its parser's REMOVE_SELECTORS).
_UNINDEXED_TAGS = frozenset(
    [
        "head",
        "style",
        "script",
        "noscript",
        "label",
        "form",
        "svg",
        "footer",
        "nav",
        "iframe",
        "template",
    ]
)
_VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_ATTRIBUTE_SPEC = re.compile(r"^[^:\[\]]+\[.+\]$")


class Outcome(Enum):
    INDEXED = "indexed"
    UNCHANGED = "unchanged"
    EMPTY = "empty"  # no article pages: no bundle


@dataclass(frozen=True)
class Mirror:
    """A Traditional variant, searched through the default language's bundle."""

    key: str  # the variant's URL prefix: its folder in the output, and its keys' prefix
    lang: str
    root: Path  # the variant's folder in the output
    query_from: str  # opencc-js "from" code for the reader's query
    opencc: str

    @property
    def namespace(self) -> str:
        """Prefix of the variant's metadata and filter keys in the shared documents."""
        return f"{self.key}/"

    @property
    def options_file(self) -> Path:
        return self.root / BUNDLE_DIR / OPTIONS_FILE


@dataclass(frozen=True)
class SearchTarget:
    """The default language's pages, each variant's beside them, and the one bundle."""

    key: str  # the name of its folder in the search cache (SITE_KEY)
    lang: str
    root: Path  # the site's folder in the output
    query_from: str
    mirrors: tuple[Mirror, ...] = ()

    @property
    def bundle(self) -> Path:
        return self.root / BUNDLE_DIR

    @property
    def label(self) -> str:
        """Its languages, for reports: "zh-Hans, zh-Hant"."""
        return ", ".join([self.lang, *(mirror.lang for mirror in self.mirrors)])


class IndexingListener(Protocol):
    """Told as a site's indexing starts and ends (from the indexing thread)."""

    def started(self, target: SearchTarget, pages: int) -> None: ...

    def finished(self, target: SearchTarget) -> None: ...


@dataclass
class TargetReport:
    key: str
    outcome: Outcome
    pages: int
    seconds: float
    lang: str
    bundle_bytes: int = 0
    shards: int = 1  # shards the index is in, when this update indexed it
    indexed_shards: int = 0  # of which this update indexed again


@dataclass
class SearchReport:
    targets: list[TargetReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def indexed(self) -> bool:
        return any(t.outcome is Outcome.INDEXED for t in self.targets)


def describe_report(report: SearchReport) -> str:
    """One line for the build's summary and the preview server's log."""
    indexed = [t for t in report.targets if t.outcome is Outcome.INDEXED]
    if indexed:
        done = ", ".join(f"{t.pages} article pages in {t.lang}{_shards_done(t)}" for t in indexed)
        return f"search index updated in {report.seconds:.2f} s: {done}"
    if any(t.outcome is Outcome.UNCHANGED for t in report.targets):
        return "search index up to date"
    return "search index: no article pages to index"


def _shards_done(report: TargetReport) -> str:
    if report.shards == 1:
        return ""
    return f" ({report.indexed_shards} of {report.shards} shards indexed)"


def search_targets(config: SiteConfig) -> list[SearchTarget]:
    """The site's one target: the default language, with each variant as a mirror."""
    mirrors = tuple(_mirror(config, variant) for variant in config.variants)
    return [SearchTarget(SITE_KEY, config.default_language, config.output_dir, "t", mirrors)]


def _mirror(config: SiteConfig, variant: Variant) -> Mirror:
    return Mirror(
        key=variant.prefix,
        lang=variant.code,
        root=config.output_dir / variant.prefix,
        query_from=_QUERY_CONVERSION.get(variant.opencc, "t"),
        opencc=variant.opencc,
    )


def update_search_index(
    config: SiteConfig,
    *,
    force: bool = False,
    background: bool = False,
    listener: IndexingListener | None = None,
    stop: threading.Event | None = None,
    wait_turn: Callable[[], object] | None = None,
) -> SearchReport:
    """Bring the site's Pagefind bundle up to date with the written article pages of
    every language.

    Nothing is indexed when no article page changed, and only the shards holding a
    changed page are indexed again. With variants, each changed article's staged document
    is written from its pages in every language (see the module's docstring), a shard's
    documents while Pagefind indexes the shard before.

    ``background``, for a preview server whose rebuilds must stay quick: Pagefind at the
    lowest CPU priority. A Pagefind run keeps more than a core busy (at 1,000 bulletins,
    8 shards: about 0.4 GB and 4 s a shard), and an edit re-indexes its shard after every
    save. ``listener`` hears indexing start and end, from the indexing thread, so a long
    build can say what it is doing.
    Setting ``stop`` ends a running Pagefind and raises ``IndexingStopped``; the bundle and
    saved state stay as they were. ``wait_turn`` is called before each staged document is
    written and may block: the preview server's rebuilds run in this process, and writing
    documents alongside one (Python, like the rebuild) made it 2-3 times slower.
    A shard's Pagefind waits for others when the memory they would need together is more
    than the system has available, and none starts when one alone would need more memory
    than the machine has (Pagefind would run for minutes and then be killed, or push other
    programs out).
    """
    started = time.perf_counter()
    cache = search_cache_dir(config)
    targets = search_targets(config)
    memory = _MemoryBudget(available_memory())
    run = _Run(pagefind_binary(), force, background, listener, stop, memory, wait_turn)
    plans = [
        _plan(target, cache / target.key, run, config.search_shard_pages) for target in targets
    ]
    work = [plan for plan in plans if plan.outcome is not Outcome.UNCHANGED]
    _check_memory(work, total_memory())
    _forget_layout_of_bundle_per_language(cache, targets)
    for plan in work:
        _index(plan, run)
    report = SearchReport([_finish(plan) for plan in plans])
    report.seconds = time.perf_counter() - started
    return report


def search_cache_dir(config: SiteConfig) -> Path:
    """Where indexing state and staged documents live: the project's cache, one folder per
    output folder (never inside the output, which is published as it is)."""
    output = str(config.output_dir.resolve()).encode("utf-8")
    return config.root / CACHE_DIR / f"search-{hashlib.sha256(output).hexdigest()[:16]}"


def pagefind_binary() -> Path:
    """The extended (CJK-segmenting) Pagefind binary shipped by ``pagefind[extended]``.

    The plain binary would index Chinese unsegmented, so it is never a fallback.
    """
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        return Path(override)
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        raise BulletinError(
            "search needs the extended Pagefind binary: pip install 'pagefind[extended]'"
            " (or build with --no-search)"
        ) from None
    return Path(get_executable())


class BackgroundIndexer:
    """Keeps a served site's index current without holding up its reloads.

    ``request(config)`` returns at once. A worker thread waits ``delay`` seconds for more
    requests (a burst of saves makes one run), then calls ``update_search_index`` in the
    background (one shard at a time, Pagefind at the lowest priority); requests that
    arrive while it runs make exactly one more run afterwards. Bundles are swapped in
    whole, so pages keep searching the previous index meanwhile. ``on_done`` gets each
    report, or the BulletinError that stopped a run; ``wait_turn``: see
    ``update_search_index``. ``close`` ends a running Pagefind (at 1,000 bulletins it may
    have a minute to go) rather than wait for it.
    """

    def __init__(
        self,
        *,
        delay: float = 0.5,
        on_done: Callable[[SearchReport | BulletinError], None] | None = None,
        update: Callable[[SiteConfig], SearchReport] | None = None,
        wait_turn: Callable[[], object] | None = None,
    ) -> None:
        self._delay = delay
        self._on_done = on_done
        self._stop = threading.Event()
        self._update = update or functools.partial(
            update_search_index, background=True, stop=self._stop, wait_turn=wait_turn
        )
        self._changed = threading.Condition()
        self._pending: SiteConfig | None = None
        self._running = False
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="search-index", daemon=True)
        self._thread.start()

    def request(self, config: SiteConfig) -> None:
        with self._changed:
            self._pending = config
            self._changed.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no run is pending or running (for tests and shutdown)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._pending is None and not self._running, timeout
            )

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._stop.set()
            self._changed.notify_all()
        self._thread.join()

    def _work(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending is not None or self._closed)
                if self._closed:
                    return
                # Debounce: start once no new request came for a whole delay.
                while self._changed.wait(self._delay) and not self._closed:
                    pass
                if self._closed:
                    return
                config, self._pending, self._running = self._pending, None, True
            result: SearchReport | BulletinError
            try:
                result = self._update(config)  # type: ignore[arg-type]
            except BulletinError as error:
                result = error
            try:
                if self._on_done is not None and not isinstance(result, IndexingStopped):
                    self._on_done(result)
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()


# ---------------------------------------------------------------- change detection


@dataclass
class _State:
    """What the last indexing run saw: each page's file signature and whether it is indexed."""

    stamp: str
    pages: dict[str, list[int]]  # relative path → [*signature, is_article]

    @classmethod
    def load(cls, path: Path, stamp: str) -> _State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(stamp, {})
        if not isinstance(data, dict) or data.get("stamp") != stamp:
            return cls(stamp, {})
        return cls(stamp, dict(data.get("pages", {})))

    def save(self, path: Path) -> None:
        data = {"stamp": self.stamp, "pages": self.pages}
        write_atomic(path, json.dumps(data, sort_keys=True).encode("utf-8"))

    def article_count(self) -> int:
        return len(self.articles())

    def articles(self) -> set[str]:
        return {rel for rel, entry in self.pages.items() if entry[-1]}


def _stamp(target: SearchTarget, binary: Path) -> str:
    """What an index depends on besides the pages. The binary by its size and time, not
    its package's version: importing importlib.metadata alone took 30 ms, and this runs
    on every build."""
    try:
        info = os.stat(binary)
        version = f"{binary}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        version = "unknown"
    mirrors = "|".join(f"{m.key}:{m.lang}:{m.opencc}" for m in target.mirrors)
    return f"{STATE_FORMAT}|{version}|{target.lang}|{mirrors}"


def _page_files(root: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """HTML files under root/bulletins/: (path relative to root, directory entry).

    Plain strings and scandir, not pathlib: a site of 1,000 bulletins has 7,000 of them,
    and this walk runs on every preview rebuild.
    """
    base = len(str(root)) + 1
    stack = [os.path.join(str(root), ARTICLE_TREE)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name.endswith(".html"):
                yield entry.path[base:].replace(os.sep, "/"), entry


def _signature(path: str) -> list[int]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return [0, -1]
    return [info.st_mtime_ns, info.st_size]


def _is_article(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return BODY_ATTR in handle.read()
    except FileNotFoundError:
        return False


@dataclass
class _Changes:
    state: _State
    changed: list[str]  # article pages new or rewritten (their documents need rewriting)
    removed: list[str]  # pages that were articles and are no longer


def _scan(target: SearchTarget, old: _State) -> _Changes:
    """Each page's signature is its files' in every language: an article is indexed again
    when any of them changed."""
    new = _State(old.stamp, {})
    changed: list[str] = []
    mirrors = [str(mirror.root) for mirror in target.mirrors]
    for rel, entry in _page_files(target.root):
        info = entry.stat()
        signature = [info.st_mtime_ns, info.st_size]
        for mirror in mirrors:
            signature += _signature(os.path.join(mirror, rel))
        previous = old.pages.get(rel)
        if previous is not None and previous[:-1] == signature:
            new.pages[rel] = previous
            continue
        is_article = _is_article(entry.path)
        new.pages[rel] = [*signature, int(is_article)]
        if is_article:
            changed.append(rel)
    removed = [
        rel for rel, entry in old.pages.items() if entry[-1] and not new.pages.get(rel, [0])[-1]
    ]
    return _Changes(new, changed, removed)


# ---------------------------------------------------------------- indexing


@dataclass
class _Plan:
    target: SearchTarget
    outcome: Outcome
    changes: _Changes
    state_path: Path
    staging: Path
    started: float
    save_state: bool  # what the scan saw differs from the saved state
    shards: dict[int, _Shard] = field(default_factory=dict)  # by number, when indexing;
    # empty shards left out
    count: int = 1  # shards the article pages are spread over (some may be empty)
    dirty: set[int] = field(default_factory=set)  # shards to index again


@dataclass
class _Shard:
    """One Pagefind run's share of the article pages: whole bulletin folders."""

    folders: list[str] = field(default_factory=list)  # bulletin folders under bulletins/
    pages: int = 0  # article pages in them


def shard_count(pages: int, per_shard: int) -> int:
    """How many shards ``pages`` article pages are spread over: one up to ``per_shard``,
    else the next power of two that keeps shards to about ``per_shard`` each (so the count
    changes rarely: each change indexes every shard again)."""
    count = 1
    while count * per_shard < pages:
        count *= 2
    return count


def _bulletin_folder(rel: str) -> str:
    """bulletins/<folder>/<article>/index.html → <folder>."""
    return rel.split("/", 2)[1]


def _plan(target: SearchTarget, cache: Path, run: _Run, per_shard: int) -> _Plan:
    """Decide whether the site needs indexing, and which of its shards."""
    started = time.perf_counter()
    state_path = cache / "state.json"
    old = _State.load(state_path, _stamp(target, run.binary))
    staging = cache / "staging"
    if not target.mirrors or not old.pages:  # unused, or nothing known of it: start clean
        shutil.rmtree(staging, ignore_errors=True)
    changes = _scan(target, old)
    articles = [rel for rel, entry in changes.state.pages.items() if entry[-1]]
    count = shard_count(len(articles), per_shard)
    built = _bundle_shards(target.bundle)
    held = built[1] if built is not None and built[0] == count and not run.force else set()
    shards: dict[int, _Shard] = {}
    dirty: set[int] = set()
    if not articles:
        outcome = Outcome.EMPTY
    elif not held or changes.changed or changes.removed:  # else nothing to do: no grouping
        shards = _group(articles, count)
        # A shard is indexed again when a page in it changed or left it, or the bundle
        # lacks it.
        touched = {folder_shard(_bulletin_folder(rel), count) for rel in changes.changed}
        touched |= {folder_shard(_bulletin_folder(rel), count) for rel in changes.removed}
        dirty = {number for number in shards if number in touched or number not in held}
        changed = dirty or set(shards) != held
        outcome = Outcome.INDEXED if changed else Outcome.UNCHANGED
    else:
        outcome = Outcome.UNCHANGED
    save = outcome is not Outcome.UNCHANGED or changes.state.pages != old.pages
    return _Plan(target, outcome, changes, state_path, staging, started, save, shards, count, dirty)


def _group(articles: list[str], count: int) -> dict[int, _Shard]:
    """Article pages by shard, each shard's bulletin folders in order."""
    shards: dict[int, _Shard] = {}
    for rel in sorted(articles):
        folder = _bulletin_folder(rel)
        shard = shards.setdefault(folder_shard(folder, count), _Shard())
        if not shard.folders or shard.folders[-1] != folder:
            shard.folders.append(folder)
        shard.pages += 1
    return shards


def _bundle_shards(bundle: Path) -> tuple[int, set[int]] | None:
    """What a bundle holds: its shard count and the shards in it (None: no
    whole bundle). A bundle of one shard is a Pagefind bundle itself."""
    try:
        options = json.loads((bundle / OPTIONS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(options, dict):
        return None
    names = options.get("shards", ["./"])
    count = options.get("shard_count", 1)
    if not isinstance(names, list) or not isinstance(count, int):
        return None
    numbers: set[int] = set()
    for name in names:
        number = 0 if name == "./" else _shard_number(name)
        if number is None or not (bundle / name / "pagefind-entry.json").is_file():
            return None
        numbers.add(number)
    return count, numbers


def _shard_number(name: object) -> int | None:
    if isinstance(name, str) and re.fullmatch(r"s\d+/", name):
        return int(name[1:-1])
    return None


@dataclass(frozen=True)
class _Run:
    """How one ``update_search_index`` runs Pagefind; see there."""

    binary: Path
    force: bool
    background: bool
    listener: IndexingListener | None
    stop: threading.Event | None
    memory: _MemoryBudget
    wait_turn: Callable[[], object] | None = None
    failed: threading.Event = field(default_factory=threading.Event)  # a shard failed:
    # shards not started yet are not started


# Pagefind's peak memory per article page indexed, with a tenth to spare: the extended
# binary, segmenting Chinese, peaked at 2.48 GB (Simplified pages) and 2.72 GB (their
# Traditional mirrors) for 6,015 pages, one language of 1,000 bulletins; 0.52 GB for 1,200;
# 4.54 GB for 12,030; 0.29-0.38 GB for shards of 751-987 (Pagefind 1.5.2). It grows with
# the pages: one index of 10,000 bulletins' 60,000 pages would need about 23-25 GB. Shared
# documents, which carry one variant's text and metadata too, took 0.31-0.42 GB for the
# 8 shards of 1,000 bulletins, about 5 % more than before; each further variant adds its
# own text to every document (not measured).
PAGEFIND_BYTES_PER_PAGE = 500_000


def _check_memory(work: list[_Plan], total: int | None) -> None:
    """Refuse, before any Pagefind starts, a shard whose index alone would need more
    memory than the machine has (``total``; None: unknown, never refused). Shards keep
    this from happening unless ``search_shard_pages`` is set very high."""
    for plan in work:
        if plan.outcome is not Outcome.INDEXED or total is None:
            continue
        pages = max(plan.shards[number].pages for number in plan.dirty) if plan.dirty else 0
        need = pages * PAGEFIND_BYTES_PER_PAGE
        if need > total:
            raise BulletinError(
                f"search: indexing {pages:,} article pages in one Pagefind run"
                f" needs about {need / 1e9:.1f} GB of memory, more than this machine's"
                f" {total / 1e9:.1f} GB (Pagefind holds a run's whole index in memory); lower"
                " search_shard_pages in site.yaml, or build with --no-search",
                plan.target.root,
            )


class _MemoryBudget:
    """Lets Pagefind runs overlap only while their estimated memory together fits in what
    was available when the update started (``None``: unknown, no limit). One run may
    always start: a site too large even for that fails with Pagefind's own error."""

    def __init__(self, available: int | None):
        self._available = available
        self._used = 0
        self._changed = threading.Condition()

    @contextmanager
    def held(self, amount: int) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._used == 0 or self._fits(amount))
            self._used += amount
        try:
            yield
        finally:
            with self._changed:
                self._used -= amount
                self._changed.notify_all()

    def _fits(self, amount: int) -> bool:
        return self._available is None or self._used + amount <= self._available


def available_memory() -> int | None:
    """What the system can give without swapping (MemAvailable; Linux only, else None)."""
    return _meminfo("MemAvailable")


def total_memory() -> int | None:
    """The machine's memory (MemTotal; Linux only, else None)."""
    return _meminfo("MemTotal")


def _meminfo(name: str) -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith(f"{name}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class IndexingStopped(BulletinError):
    """The update was asked to stop (``update_search_index``'s ``stop``)."""


def _index(plan: _Plan, run: _Run) -> None:
    """Bring the staged documents up to date and run Pagefind if it needs to."""
    if run.stop is not None and run.stop.is_set():
        raise IndexingStopped("search indexing stopped")
    target = plan.target
    if plan.outcome is not Outcome.INDEXED:  # a changed or removed page dirties its shard
        return
    documents = _Documents(target, plan.staging, run.wait_turn) if target.mirrors else None
    if documents is not None:
        documents.keep_only(plan.changes.state.articles())
    pages = sum(plan.shards[number].pages for number in plan.dirty)
    if run.listener is not None:
        run.listener.started(target, pages)
    try:
        _build_bundle(plan, run, documents)
    finally:
        if run.listener is not None:
            run.listener.finished(target)


def _finish(plan: _Plan) -> TargetReport:
    target = plan.target
    if plan.outcome is Outcome.EMPTY:
        shutil.rmtree(target.bundle, ignore_errors=True)
    _point_mirrors(target, None if plan.outcome is Outcome.EMPTY else target.bundle)
    _unpoint_removed_variants(target)
    if plan.save_state:
        plan.changes.state.save(plan.state_path)
    size = _tree_bytes(target.bundle) if plan.outcome is Outcome.INDEXED else 0
    pages = plan.changes.state.article_count()
    seconds = time.perf_counter() - plan.started
    indexed = len(plan.dirty) if plan.outcome is Outcome.INDEXED else 0
    shards = len(plan.shards) or 1
    return TargetReport(
        target.key, plan.outcome, pages, seconds, target.label, size, shards, indexed
    )


def _point_mirrors(target: SearchTarget, bundle: Path | None) -> None:
    """Each variant's pagefind/ folder: only its options, naming the shared ``bundle``
    (None: no bundle, no folder). Whatever else is there (a bundle of its own, from before
    the languages shared one) goes."""
    for mirror in target.mirrors:
        folder = mirror.options_file.parent
        if bundle is None:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        options = {
            "bundle": Path(os.path.relpath(bundle, folder)).as_posix() + "/",
            "variant": mirror.key,
            "lang": mirror.lang,
            "query_from": mirror.query_from,
        }
        data = json.dumps(options, ensure_ascii=False).encode("utf-8")
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.name != OPTIONS_FILE:
                    _remove(entry)
        try:
            current = mirror.options_file.read_bytes()
        except OSError:
            current = None
        if current != data:
            write_atomic(mirror.options_file, data)


def _unpoint_removed_variants(target: SearchTarget) -> None:
    """A variant taken out of site.yaml loses its pages to the build's pruning, but the
    search files in its folder are this module's: its pointer (or, from before the shared
    index, its own bundle) goes, and its folder with it once empty."""
    current = {mirror.key for mirror in target.mirrors}
    for options_file in target.root.glob(f"*/{BUNDLE_DIR}/{OPTIONS_FILE}"):
        folder = options_file.parent.parent
        if folder.name in current:
            continue
        try:
            options = json.loads(options_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(options, dict) and ("bundle" in options or options.get("mirror")):
            shutil.rmtree(options_file.parent, ignore_errors=True)
            with suppress(OSError):
                folder.rmdir()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _forget_layout_of_bundle_per_language(cache: Path, targets: list[SearchTarget]) -> None:
    """Before languages shared a bundle, each language kept its state (and each variant
    thousands of documents) in a cache folder of its own, and each variant's bundle was
    built beside it in the output: no run reads them any more."""
    keys = {_OLD_DEFAULT_KEY} | {mirror.key for t in targets for mirror in t.mirrors}
    for key in keys:
        if (cache / key / "state.json").exists():
            shutil.rmtree(cache / key, ignore_errors=True)
    for target in targets:
        for mirror in target.mirrors:
            for leftover in (".pagefind-new", ".pagefind-old"):
                shutil.rmtree(mirror.root / leftover, ignore_errors=True)


def _build_bundle(plan: _Plan, run: _Run, documents: _Documents | None) -> None:
    """Index the dirty shards into a fresh folder, beside hard links to the shards that
    did not change, then swap it in, so a reader never sees half a bundle (and files of
    pages that no longer exist do not linger). One shard is a plain Pagefind bundle; more
    are folders s0/, s1/… that search.js searches together. ``documents``: the staged
    documents, each shard's written just before its turn, while Pagefind (a process of
    its own) indexes the shard before."""
    target = plan.target
    fresh = target.root / ".pagefind-new"
    stale = target.root / ".pagefind-old"
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    options: dict[str, object] = {"lang": target.lang, "query_from": target.query_from}
    changed = _changed_by_shard(plan)
    # A Pagefind run keeps two cores busy for only a third of its time: runs overlap
    # (while memory allows, see _MemoryBudget), except in the background.
    overlap = 1 if run.background else max(2, os.cpu_count() or 1)
    indexer = ThreadPoolExecutor(max_workers=overlap, thread_name_prefix="pagefind")
    runs: list[Future[None]] = []
    try:
        if plan.count == 1:
            if documents is not None:
                documents.write(plan.changes.changed)
            runs.append(indexer.submit(_run_pagefind, plan, 0, fresh, run))
        else:
            fresh.mkdir()
            for number in sorted(plan.shards):
                folder = fresh / f"s{number}"
                if number not in plan.dirty:
                    shutil.copytree(target.bundle / f"s{number}", folder, copy_function=os.link)
                    continue
                if run.failed.is_set():
                    break  # the error is raised below
                if documents is not None:
                    documents.write(changed.get(number, []))
                runs.append(indexer.submit(_run_pagefind, plan, number, folder, run))
            options["shards"] = [f"s{number}/" for number in sorted(plan.shards)]
            options["shard_count"] = plan.count
        _raise_first_failure(runs)
    except BaseException:
        run.failed.set()  # shards waiting for memory do not start
        indexer.shutdown(cancel_futures=True)  # waits for a running Pagefind
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    indexer.shutdown()
    write_atomic(fresh / OPTIONS_FILE, json.dumps(options).encode("utf-8"))
    if target.bundle.exists():
        target.bundle.rename(stale)
    fresh.rename(target.bundle)
    shutil.rmtree(stale, ignore_errors=True)


class _Skipped(Exception):
    """A shard not indexed because another failed first (or the update was stopped)."""


def _raise_first_failure(runs: list[Future[None]]) -> None:
    """Wait for every shard, then raise the first failure in shard order that is not a
    shard skipped for it (shards wait for memory in no set order, so the one that failed
    may come after one it made skip)."""
    failures = [started.exception() for started in runs]
    real = [error for error in failures if error is not None and not isinstance(error, _Skipped)]
    if real:
        raise real[0]
    if any(failures):
        raise IndexingStopped("search indexing stopped")


def _changed_by_shard(plan: _Plan) -> dict[int, list[str]]:
    changed: dict[int, list[str]] = {}
    for rel in plan.changes.changed:
        changed.setdefault(folder_shard(_bulletin_folder(rel), plan.count), []).append(rel)
    return changed


def _run_pagefind(plan: _Plan, number: int, output: Path, run: _Run) -> None:
    """Index one shard into ``output``; in the background, at the lowest CPU priority
    where the system has ``nice``. Waits its turn for memory (see ``_MemoryBudget``)."""
    target = plan.target
    site = plan.staging if target.mirrors else target.root
    if plan.count == 1:  # staging holds article documents only; the site, every page
        glob = "**/*.html" if target.mirrors else f"{ARTICLE_TREE}/**/*.html"
    else:  # its bulletins' folders: the bulletin page in each is not an article, not indexed
        folders = ",".join(_glob_literal(folder) for folder in plan.shards[number].folders)
        glob = f"{ARTICLE_TREE}/{{{folders}}}/**/*.html"
    command = [
        str(run.binary),
        "--site",
        str(site),
        "--glob",
        glob,
        "--output-path",
        str(output.resolve()),
        "--quiet",
    ]
    nice = shutil.which("nice") if run.background else None
    if nice is not None:
        command = [nice, "-n", "19", *command]
    with run.memory.held(plan.shards[number].pages * PAGEFIND_BYTES_PER_PAGE):
        # Checked and set while holding memory: a shard waiting for it starts only after.
        if run.failed.is_set() or (run.stop is not None and run.stop.is_set()):
            raise _Skipped
        try:
            code, said = _wait_for(command, run.stop)
            if code != 0 or not (output / "pagefind-entry.json").exists():
                raise BulletinError(f"Pagefind failed: {_failure(code, said)}", site)
        except BaseException:
            run.failed.set()
            raise
    for name in _UNUSED_BUNDLE_FILES:
        (output / name).unlink(missing_ok=True)


def _glob_literal(name: str) -> str:
    """A folder name as a literal inside a Pagefind glob alternative (its glob crate takes
    a backslash before a special character)."""
    return re.sub(r"([\\{}\[\]*?,!])", r"\\\1", name)


def _failure(code: int, said: str) -> str:
    if code == -signal.SIGKILL:  # what the kernel's out-of-memory killer sends
        return (
            "killed (out of memory? it needs about 0.5 GB per 1,000 article pages;"
            " --no-search builds without it)"
        )
    if code < 0:
        return f"killed by signal {-code}"
    lines = said.strip().splitlines()
    return lines[-1] if lines else f"exit status {code}"


def _wait_for(command: list[str], stop: threading.Event | None) -> tuple[int, str]:
    """Run ``command`` to its end, or kill it once ``stop`` is set: its exit code and what
    it printed (its errors if any)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while True:
        try:
            out, err = process.communicate(timeout=None if stop is None else 0.2)
        except subprocess.TimeoutExpired:
            assert stop is not None
            if stop.is_set():
                process.kill()
                process.communicate()
                raise IndexingStopped("search indexing stopped") from None
            continue
        return process.returncode, err or out


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class _Documents:
    """The staging folder of documents Pagefind indexes when the site has variants: one
    per article, at the article page's path (see ``shared_document``)."""

    def __init__(
        self, target: SearchTarget, staging: Path, wait_turn: Callable[[], object] | None = None
    ):
        self.target = target
        self.staging = staging
        self.wait_turn = wait_turn  # see update_search_index

    def keep_only(self, articles: set[str]) -> None:
        """Remove every staged document but those of ``articles``: also one written for a
        page that went away before its state was saved (an update that failed or was
        stopped), which the saved state never listed, so no scan reports it removed."""
        for rel, entry in list(_page_files(self.staging)):
            if rel not in articles:
                os.unlink(entry.path)

    def write(self, rels: list[str]) -> None:
        converters = [_length_keeping_converter(m.opencc) for m in self.target.mirrors]
        for rel in rels:
            if self.wait_turn is not None:
                self.wait_turn()
            source = _read_page(self.target.root / rel)
            if source is None:  # gone since the scan: the next scan drops it
                continue
            mirrors = [
                (mirror, _read_page(mirror.root / rel), convert)
                for mirror, convert in zip(self.target.mirrors, converters, strict=True)
            ]
            out = self.staging / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(shared_document(source, mirrors), encoding="utf-8")


def _read_page(path: Path) -> PageParts | None:
    try:
        return parse_page(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


@functools.lru_cache(maxsize=8)
def _length_keeping_converter(opencc_config: str) -> Callable[[str], str]:
    """Simplified→Traditional text of the same length, for a node whose rendered
    Traditional text cannot be paired with its Simplified text. Built once per process
    and configuration, as the build's converters are (``variants.converter_for``)."""
    import opencc  # imported here: only sites with variants need it

    converters = [opencc.OpenCC(opencc_config), opencc.OpenCC("s2t")]

    def convert(text: str) -> str:
        for converter in converters:
            converted = converter.convert(text)
            if len(converted) == len(text):
                return converted
        return text

    return convert


# ---------------------------------------------------------------- HTML


@dataclass(frozen=True)
class StartTag:
    tag: str
    attrs: tuple[tuple[str, str | None], ...]
    void: bool = False


@dataclass(frozen=True)
class EndTag:
    tag: str


Token = StartTag | EndTag | str  # a str is text, already unescaped


@dataclass(frozen=True)
class TaggedElement:
    """An element carrying Pagefind metadata, filters or sort keys, with its text."""

    tag: str
    attrs: tuple[tuple[str, str | None], ...]
    text: str


@dataclass
class PageParts:
    lang: str | None = None
    body: list[Token] = field(default_factory=list)  # the data-pagefind-body element
    tagged: list[TaggedElement] = field(default_factory=list)
    first_h1: str = ""
    title: str = ""


class _PageParser(HTMLParser):
    """Pulls out of one page what a staged document needs (stdlib only, one pass)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        # Open elements: tag, index into parts.tagged (or None), text collected inside.
        self._stack: list[tuple[str, int | None, list[str]]] = []
        self._body_depth: int | None = None  # stack depth of the open body element
        self._body_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "html" and self.parts.lang is None:
            self.parts.lang = dict(attrs).get("lang")
        void = tag in _VOID_TAGS
        opens_body = self._body_depth is None and not self._body_done and BODY_ATTR in names
        if opens_body:
            self._body_depth = len(self._stack) + 1
        if self._body_depth is not None:
            self.parts.body.append(StartTag(tag, tuple(attrs), void))
        tagged = None
        if any(name in names for name in _METADATA_ATTRS):
            tagged = len(self.parts.tagged)
            self.parts.tagged.append(TaggedElement(tag, tuple(attrs), ""))
        if void:
            if opens_body:
                self._close_body()
            return
        self._stack.append((tag, tagged, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(open_tag == tag for open_tag, _, _ in self._stack):
            return  # a stray end tag closes nothing
        while self._stack:
            open_tag, tagged, text = self._stack.pop()
            self._finish(open_tag, tagged, "".join(text))
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._body_depth is not None:
            self.parts.body.append(data)
        if self._stack and self._stack[-1][0] in ("script", "style"):
            return
        for _, _, text in self._stack:
            text.append(data)

    def _finish(self, tag: str, tagged: int | None, text: str) -> None:
        if tagged is not None:
            element = self.parts.tagged[tagged]
            self.parts.tagged[tagged] = TaggedElement(element.tag, element.attrs, text)
        if self._body_depth is not None:
            self.parts.body.append(EndTag(tag))
            if len(self._stack) < self._body_depth:
                self._close_body()
        if tag == "h1" and not self.parts.first_h1:
            self.parts.first_h1 = _squeeze(text)
        if tag == "title" and not self.parts.title:
            self.parts.title = _squeeze(text)

    def _close_body(self) -> None:
        self._body_depth = None
        self._body_done = True


_BODY_START = re.compile(r"<([a-zA-Z][\w-]*)\b[^>]*\s" + BODY_ATTR + r"\b[^>]*>")
_TAGGED_ANYWHERE = re.compile("|".join(_METADATA_ATTRS))
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang=[\"']?([^\"'\s>]+)", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.I | re.S)


def parse_page(text: str) -> PageParts:
    """A page's indexed element and metadata. Only the indexed element is parsed when no
    metadata lies outside it (three times faster on an article page)."""
    span = _body_span(text)
    if (
        span is None
        or _TAGGED_ANYWHERE.search(text, 0, span[0])
        or _TAGGED_ANYWHERE.search(text, span[1])
    ):
        return _parse(text)
    parts = _parse(text[span[0] : span[1]])
    lang = _HTML_LANG.search(text, 0, span[0])
    parts.lang = lang.group(1) if lang else None
    title = _TITLE.search(text, 0, span[0])
    parts.title = _squeeze(html.unescape(title.group(1))) if title else ""
    return parts


def _body_span(text: str) -> tuple[int, int] | None:
    """Where the first data-pagefind-body element starts and ends, by counting its tag."""
    start = _BODY_START.search(text)
    if start is None:
        return None
    tags = re.compile(rf"<(/?){re.escape(start.group(1))}\b[^>]*>", re.I)
    depth = 0
    for tag in tags.finditer(text, start.start()):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start.start(), tag.end()
    return start.start(), len(text)


def _parse(text: str) -> PageParts:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.parts


def _squeeze(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- staged documents


def shared_document(
    source: PageParts,
    mirrors: list[tuple[Mirror, PageParts | None, Callable[[str], str]]],
) -> str:
    """The staged document that indexes an article for every language: the Simplified
    page's indexed element and metadata, then for each variant (its page, or None when it
    has none, and a length-keeping converter for text that cannot be paired):

    * a ``<key>/text`` meta: the same element, tag for tag, with the variant page's text,
      so positions in one match positions in the other;
    * the variant page's metadata and filters, their keys prefixed with ``<key>/`` (its
      sort keys are the Simplified page's).
    """
    source_body = _indexable(source.body)
    parts = [
        "<!doctype html>",
        f'<html lang="{html.escape(source.lang or "zh-Hans")}"><head><meta charset="utf-8">',
        "</head><body>",
        f"<div {BODY_ATTR}>{_serialize(source_body)}</div>",
    ]
    parts += _metadata(source.tagged, _title(source), "")
    blocks = _plain_blocks(source_body)
    for mirror, variant, convert in mirrors:
        variant_body = _indexable(variant.body) if variant is not None else []
        if variant is not None and variant_body:
            texts = _paired_texts(source_body, variant_body, convert)
            tagged, title = variant.tagged, _title(variant)
        else:
            texts = [convert(text) for text in _texts(source_body)]
            tagged, title = [], convert(_title(source))
        namespace = mirror.namespace
        parts.append(f'<div data-pagefind-meta="{html.escape(namespace)}text">')
        parts.append(_serialize(_with_texts(blocks, texts)))
        parts.append("</div>")
        parts += _metadata(tagged, title, namespace)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _title(page: PageParts) -> str:
    return page.first_h1 or page.title


def _metadata(tagged: list[TaggedElement], title: str, namespace: str) -> list[str]:
    """A page's tagged elements, their keys under ``namespace`` (sort keys only without
    one), and a title meta when the page sets none."""
    elements = [_namespaced(element, namespace) for element in tagged]
    serialized = [_serialize_tagged(element) for element in elements if element is not None]
    if "title" not in _meta_keys(tagged):
        key = html.escape(f"{namespace}title")
        serialized.append(f'<span data-pagefind-meta="{key}">{html.escape(title)}</span>')
    return serialized


def _namespaced(element: TaggedElement, namespace: str) -> TaggedElement | None:
    """``element`` with its metadata and filter keys prefixed by ``namespace`` and its sort
    keys dropped (None: nothing left to say); unchanged for the empty namespace."""
    if not namespace:
        return element
    attrs: list[tuple[str, str | None]] = []
    kept = False
    for name, value in element.attrs:
        if name == "data-pagefind-sort":
            continue
        if name in _METADATA_ATTRS and value:
            specs = list(_specs(((name, value),), (name,)))
            value = ", ".join(namespace + spec for spec in specs)
            kept = True
        attrs.append((name, value))
    return TaggedElement(element.tag, tuple(attrs), element.text) if kept else None


def _indexable(tokens: list[Token]) -> list[Token]:
    """The tokens whose text Pagefind would index, with every attribute that could add
    metadata, anchors or weights removed (``shared_document`` adds each page's own)."""
    kept: list[Token] = []
    skip_depth = 0
    for token in tokens:
        if isinstance(token, StartTag):
            attrs = dict(token.attrs)
            hidden = token.tag in _UNINDEXED_TAGS or "data-pagefind-ignore" in attrs
            if skip_depth or hidden:
                skip_depth += 0 if token.void else 1
                continue
            clean = tuple(
                (name, value)
                for name, value in token.attrs
                if not name.startswith("data-pagefind-") and name != "id"
            )
            kept.append(StartTag(token.tag, clean, token.void))
        elif isinstance(token, EndTag):
            if skip_depth:
                skip_depth -= 1
                continue
            kept.append(token)
        elif not skip_depth:
            kept.append(token)
    return kept


def _texts(tokens: list[Token]) -> list[str]:
    return [token for token in tokens if isinstance(token, str)]


def _shape(tokens: list[Token]) -> list[str]:
    return [
        t.tag if isinstance(t, StartTag) else "/" + t.tag for t in tokens if not isinstance(t, str)
    ]


def _paired_texts(
    source: list[Token], variant: list[Token], convert: Callable[[str], str]
) -> list[str]:
    """Traditional text for each Simplified text node, always of the same length."""
    source_texts = _texts(source)
    variant_texts = _texts(variant)
    if _shape(source) != _shape(variant) or len(source_texts) != len(variant_texts):
        return [convert(text) for text in source_texts]
    return [
        theirs if len(theirs) == len(ours) else convert(ours)
        for ours, theirs in zip(source_texts, variant_texts, strict=True)
    ]


def _plain_blocks(tokens: list[Token]) -> list[Token]:
    """Headings as paragraphs: Pagefind marks headings' weight inside meta text."""
    swapped: list[Token] = []
    for token in tokens:
        if isinstance(token, StartTag) and token.tag in _HEADING_TAGS:
            swapped.append(StartTag("p", token.attrs, token.void))
        elif isinstance(token, EndTag) and token.tag in _HEADING_TAGS:
            swapped.append(EndTag("p"))
        else:
            swapped.append(token)
    return swapped


def _with_texts(tokens: list[Token], texts: list[str]) -> list[Token]:
    replacement = iter(texts)
    return [next(replacement) if isinstance(token, str) else token for token in tokens]


def _serialize(tokens: list[Token]) -> str:
    out: list[str] = []
    for token in tokens:
        if isinstance(token, StartTag):
            out.append(f"<{token.tag}{_attributes(token.attrs)}>")
        elif isinstance(token, EndTag):
            out.append(f"</{token.tag}>")
        else:
            out.append(html.escape(token, quote=False))
    return "".join(out)


def _attributes(attrs: tuple[tuple[str, str | None], ...]) -> str:
    return "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value)}"' for name, value in attrs
    )


def _serialize_tagged(element: TaggedElement) -> str:
    attrs = tuple(
        (name, value)
        for name, value in element.attrs
        if name not in (BODY_ATTR, "data-pagefind-ignore", "data-pagefind-weight", "id")
    )
    if element.tag in _VOID_TAGS:
        return f"<{element.tag}{_attributes(attrs)}>"
    text = html.escape(element.text, quote=False) if _needs_text(element.attrs) else ""
    return f"<{element.tag}{_attributes(attrs)}>{text}</{element.tag}>"


def _specs(attrs: tuple[tuple[str, str | None], ...], names: tuple[str, ...]) -> Iterator[str]:
    """Each key spec of Pagefind attributes ("title", "date[datetime]", "city:南京市")."""
    for name, value in attrs:
        if name in names and value:
            head, colon, literal = value.partition(":")
            chunks = [chunk.strip() for chunk in head.split(",")]
            if colon:
                chunks[-1] = f"{chunks[-1]}:{literal}"
            yield from chunks


def _needs_text(attrs: tuple[tuple[str, str | None], ...]) -> bool:
    return any(
        ":" not in spec and not _ATTRIBUTE_SPEC.match(spec)
        for spec in _specs(attrs, _METADATA_ATTRS)
    )


def _meta_keys(elements: list[TaggedElement]) -> set[str]:
    keys: set[str] = set()
    for element in elements:
        for spec in _specs(element.attrs, ("data-pagefind-meta", "data-pagefind-default-meta")):
            keys.add(re.split(r"[:\[]", spec, maxsplit=1)[0].strip())
    return keys
