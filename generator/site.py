"""The Site model: every bulletin, article, region and author, loaded once before rendering.

Articles live in one mapping keyed by their source path (``<bulletin>/<NN-slug>.md``,
relative to content/); bulletins are keyed by id, region and author terms by their URL
path. Relations (a bulletin's articles, an article's regions and authors, a term's
articles) are stored as keys, so every later stage asks the same collection.

URLs (relative to the language root; stable and ASCII):
  article   bulletins/<bulletin>/<slug from front matter>/   (a headline fix keeps it)
  region    regions/<pinyin of the city's full name>/[<pinyin of the county's full name>/]
  author    authors/<pinyin of the name>/
Two names with the same pinyin among siblings: the one that appeared first (oldest
bulletin, then print order) keeps the plain slug; each later one gets ``-`` and four hex
digits of its name's SHA-1. Adding newer content therefore never renames an existing page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import multiprocessing
import pickle
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

try:
    import fcntl
except ImportError:  # not on Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

from generator.collector import collector_paused
from generator.config import SiteConfig
from generator.content import (
    BULLETIN_META,
    ArticleSource,
    BulletinMeta,
    parse_article,
    read_bulletin_meta,
)
from generator.errors import BulletinError
from generator.markup import EXCERPT_CHARS, Heading, excerpt, make_markdown, render_body
from generator.slugs import slugify
from generator.variants import strip_marks

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Taxonomy(Enum):
    REGIONS = "regions"
    AUTHORS = "authors"


@dataclass(frozen=True)
class ArticleDoc:
    """One Markdown file parsed and its body rendered; cached by the file's bytes (so it
    keeps only what pages use: the front matter, the body's HTML, headings and excerpt)."""

    digest: str
    source: ArticleSource  # its Markdown body dropped: body_html stands for it
    body_html: str
    headings: tuple[Heading, ...]
    excerpt: str


@dataclass(frozen=True)
class Article:
    key: str  # src_path relative to content/
    bulletin: str  # bulletin id
    order: int
    title: str
    slug: str
    url: str
    date: dt.date | None  # the article's own date, else its bulletin's
    place: str | None
    region_names: tuple[str, ...]  # province, city, county as far as known
    authors: tuple[str, ...]
    body_html: str
    body_digest: str  # of the source file: stands for body_html in fingerprints
    headings: tuple[Heading, ...]
    excerpt: str
    region_terms: tuple[str, ...] = ()  # term keys, broadest first: city, then county
    author_terms: tuple[str, ...] = ()
    prev: str | None = None  # neighbours in print order within the bulletin
    next: str | None = None


@dataclass(frozen=True)
class Bulletin:
    id: str
    src_path: str  # the bulletin's folder relative to content/
    url: str
    date: dt.date | None
    articles: tuple[str, ...]  # article keys in print order
    ingested: dt.datetime | None = None  # when ingest first wrote it: feeds of undated ones


@dataclass(frozen=True)
class Term:
    key: str  # its url without the final slash: "regions/nan-jing-shi"
    taxonomy: Taxonomy
    path: tuple[str, ...]  # names from the top: ("南京市", "江宁区")
    slug: str
    url: str
    group: str  # regions: the province; authors: the slug's initial letter
    parent: str | None
    children: tuple[str, ...]  # term keys, by slug
    articles: tuple[str, ...]  # article keys, newest first

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class Site:
    articles: Mapping[str, Article]
    bulletins: Mapping[str, Bulletin]
    terms: Mapping[str, Term]
    bulletin_order: tuple[str, ...]  # newest first
    article_order: tuple[str, ...]  # newest first; print order within a bulletin
    warnings: tuple[str, ...] = ()

    def top_terms(self, taxonomy: Taxonomy) -> list[Term]:
        """A taxonomy's top-level terms, grouped then by slug."""
        tops = [t for t in self.terms.values() if t.taxonomy is taxonomy and t.parent is None]
        return sorted(tops, key=lambda term: (term.group, term.slug))


@dataclass(frozen=True)
class MetaDoc:
    """One bulletin.yaml, parsed; cached by the file's bytes like articles."""

    digest: str
    meta: BulletinMeta


ContentCache = dict[str, ArticleDoc | MetaDoc]  # src_path → the parse of the file's bytes


@dataclass
class _Loaded:
    bulletins: list[tuple[str, BulletinMeta | None]] = field(default_factory=list)
    docs: dict[str, ArticleDoc] = field(default_factory=dict)
    metas: dict[str, MetaDoc] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_site(
    config: SiteConfig,
    cache: ContentCache | None = None,
    digests: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> tuple[Site, ContentCache]:
    """Read content/ into a Site; ``cache`` holds the parses of unchanged files.

    ``digests`` (absolute path → SHA-256 of the file, from the build's input stamps) lets
    a file whose parse is cached under that digest be used without reading it again.
    ``jobs``: processes that parse changed files when there are many (a cold build).
    """
    loaded = read_content(
        config.content_dir, config.markdown_html, cache or {}, digests or {}, jobs
    )
    site = assemble_site(loaded.bulletins, loaded.docs, loaded.warnings)
    return site, {**loaded.docs, **loaded.metas}


def read_content(
    content_dir: Path,
    markdown_html: bool,
    cache: ContentCache,
    digests: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> _Loaded:
    """Each parse is keyed by the SHA-256 of the file's bytes (the Markdown mode is part
    of the cache's stamp, not of each digest). Files not stamped unchanged are parsed
    after the listing, across ``jobs`` processes (this one among them) when there are many;
    the bulletins' metadata is read while forked workers have started on them."""
    loaded = _Loaded()
    digests = digests or {}
    if not content_dir.is_dir():
        return loaded
    listed = _markdown_by_folder(content_dir, digests)
    folders = sorted(p for p in content_dir.iterdir() if p.is_dir() and _visible(p.name))
    order: list[str] = []
    pending: list[_Pending] = []
    for folder in folders:
        names = listed.get(folder.name) if listed is not None else None
        if names is None:
            names = [path.name for path in folder.glob("*.md")]
        prefix = f"{folder}/"
        for name in sorted(names):
            if not _visible(name):
                continue
            src_path = f"{folder.name}/{name}"  # relative to content/
            order.append(src_path)
            doc = cache.get(src_path)
            if isinstance(doc, ArticleDoc) and doc.digest == digests.get(prefix + name):
                loaded.docs[src_path] = doc  # stamped unchanged: not even read
            else:
                known = doc.digest if isinstance(doc, ArticleDoc) else None
                pending.append(_Pending(prefix + name, src_path, known))

    def meanwhile() -> None:
        for folder in folders:
            meta = _read_meta(folder / BULLETIN_META, content_dir, cache, loaded, digests)
            loaded.bulletins.append((folder.name, meta))
        if len(pending) >= PARALLEL_PARSE_BELOW:
            # New articles mean new terms to slug, and pypinyin's dictionary takes ~0.3 s
            # to import: while workers parse, it costs this process a few chunks only.
            importlib.import_module("pypinyin")

    parsed = _parse_pending(pending, markdown_html, jobs, meanwhile)
    for item in pending:
        doc = parsed[item.src_path]
        loaded.docs[item.src_path] = doc if doc is not None else cache[item.src_path]
    loaded.docs = {src_path: loaded.docs[src_path] for src_path in order}  # sorted, as read
    return loaded


PARALLEL_PARSE_BELOW = 200  # fewer files to parse than this: forking costs more than it saves
PARSE_CHUNK = 40  # files per take: fine enough to balance, coarse enough to be cheap


@dataclass(frozen=True)
class _Pending:
    path: str  # absolute
    src_path: str
    known: str | None  # digest of the cached parse, if any (the bytes may still match it)


# What a failed parse sends back from a worker: BulletinError's own pickling loses the
# path and line, so they travel as plain values.
_Failure = tuple[str, str | None, int | None]
_Parsed = ArticleDoc | None | _Failure  # None: the cached parse matches the bytes


def _parse_pending(
    pending: Sequence[_Pending],
    markdown_html: bool,
    jobs: int,
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, ArticleDoc | None]:
    """src_path → its fresh parse (None where the cached one matches the bytes), calling
    ``meanwhile`` once workers are busy. Raises the error of the first failing file in
    reading order, as a serial parse would."""
    with collector_paused():
        if jobs > 1 and len(pending) >= PARALLEL_PARSE_BELOW:
            results = _parse_in_pool(pending, markdown_html, jobs, meanwhile)
        else:
            meanwhile()
            markdown = make_markdown(markdown_html)
            results = [(item.src_path, _parse_one(item, markdown)) for item in pending]
    failures = dict(r for r in results if isinstance(r[1], tuple))
    for item in pending:
        failure = failures.get(item.src_path)
        if failure is not None:
            message, path, line = failure
            raise BulletinError(message, path, line)
    return dict(results)  # type: ignore[arg-type]


def _parse_one(item: _Pending, markdown: object) -> _Parsed:
    with open(item.path, "rb") as handle:
        data = handle.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest == item.known:
        return None
    try:
        return parse_doc(data, Path(item.path), item.src_path, digest, markdown)
    except BulletinError as error:
        return (error.message, str(error.path) if error.path else None, error.line)


def _parse_in_pool(
    pending: Sequence[_Pending],
    markdown_html: bool,
    jobs: int,
    meanwhile: Callable[[], None] = lambda: None,
) -> list[tuple[str, _Parsed]]:
    """``jobs - 1`` forked workers and this process take chunks of files in turn from a
    shared counter until none is left (so a core busy with something else just takes
    fewer, and so does this process for ``meanwhile``). Nothing is pickled on the way in:
    the workers inherit the list. A worker sends each chunk's parses as soon as it has
    them; a thread here takes them off the pipe as they come, and this process unpickles
    them between its own chunks: little is left to receive at the end, and no worker
    waits, not even while this process is busy with ``meanwhile``."""
    chunks = [pending[i : i + PARSE_CHUNK] for i in range(0, len(pending), PARSE_CHUNK)]
    context = multiprocessing.get_context("fork")
    counter = context.Value("l", 0)  # the next chunk to take
    workers: list[_Worker] = []
    # Inherited objects stay shared: workers are forked with the cyclic collector paused
    # (see _parse_pending), so it never walks, and thereby copies, them.
    try:
        for _ in range(min(jobs, len(chunks)) - 1):
            receiver, sender = context.Pipe(duplex=False)
            _widen_pipe(sender)
            process = context.Process(
                target=_parse_worker, args=(chunks, counter, markdown_html, sender), daemon=True
            )
            workers.append(_Worker(process, receiver))
            process.start()
            sender.close()
        for worker in workers:  # threads only once every worker is forked
            worker.start_taking()
        meanwhile()
        markdown = make_markdown(markdown_html)
        results: list[tuple[str, _Parsed]] = []
        while (index := _next_chunk(counter)) < len(chunks):
            results += [(item.src_path, _parse_one(item, markdown)) for item in chunks[index]]
            for worker in workers:
                worker.receive(results, wait=False)
        for worker in workers:
            worker.receive(results, wait=True)
            worker.process.join()
        return results
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.stop_taking()
            worker.connection.close()


def _next_chunk(counter: Any) -> int:
    with counter.get_lock():
        index = counter.value
        counter.value = index + 1
    return index


_PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged process


def _widen_pipe(connection: Any) -> None:
    """Room for several chunks' parses (64 KiB by default: a worker would wait on every
    chunk until this process, busy parsing, empties the pipe). Where the platform cannot,
    the worker just waits more."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):  # above the system's limit: as it is
            fcntl.fcntl(connection.fileno(), set_size, _PIPE_BYTES)


def _parse_worker(
    chunks: Sequence[Sequence[_Pending]], counter: Any, markdown_html: bool, sender: Any
) -> None:
    """A forked worker: parse chunks until none is left, sending each chunk's parses (or
    the unexpected exception that stopped it), then an empty message."""
    try:
        markdown = make_markdown(markdown_html)
        while (index := _next_chunk(counter)) < len(chunks):
            parsed = [(item.src_path, _parse_one(item, markdown)) for item in chunks[index]]
            sender.send_bytes(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    except KeyboardInterrupt:
        return  # Ctrl-C reached the whole process group: the parent stops the build
    except Exception as error:  # a bug, not a content error: re-raised by the parent
        sender.send_bytes(pickle.dumps(_WorkerError(repr(error), _picklable(error))))
    sender.send_bytes(b"")
    sender.close()


@dataclass(frozen=True)
class _WorkerError:
    description: str
    error: BaseException | None


def _picklable(error: BaseException) -> BaseException | None:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return None
    return error


@dataclass
class _Worker:
    """A parsing worker and the thread taking its messages off the pipe: a 1 MiB pipe
    holds under two chunks' parses, so a worker whose messages were only read between
    this process's own chunks stopped for as long as ``meanwhile`` ran (measured: one
    core idle for about 0.4 s of a cold build at 1,000 bulletins)."""

    process: Any  # multiprocessing's Process of the fork context
    connection: Any  # the receiving end of its pipe
    inbox: list[bytes] = field(default_factory=list)  # messages taken, not yet unpickled
    ended: bool = False  # the taker saw the worker's last message (or lost the pipe)
    lost: bool = False  # the pipe closed before the worker's last message
    done: bool = False  # every message, up to the last, is in the results
    taker: threading.Thread | None = None

    def start_taking(self) -> None:
        self.taker = threading.Thread(target=self._take, name="parse-results", daemon=True)
        self.taker.start()

    def stop_taking(self) -> None:
        """Once the worker has ended (its pipe then closes, which ends the thread)."""
        if self.taker is not None:
            self.taker.join()

    def _take(self) -> None:
        try:
            while message := self.connection.recv_bytes():  # the read lets go of the GIL
                self.inbox.append(message)
        except (EOFError, OSError):
            self.lost = True
        self.ended = True

    def receive(self, results: list[tuple[str, _Parsed]], wait: bool) -> None:
        """Add what the worker has sent so far (``wait``: everything, up to its end)."""
        if self.done:
            return
        if wait:
            self.stop_taking()
        ended = self.ended  # read before the inbox: nothing can arrive after the end
        count = len(self.inbox)
        for message in self.inbox[:count]:
            loaded = pickle.loads(message)
            if isinstance(loaded, _WorkerError):
                raise loaded.error or RuntimeError(loaded.description)
            results += loaded
        del self.inbox[:count]
        if ended and not self.inbox:
            if self.lost:
                raise RuntimeError("a content parsing worker stopped unexpectedly")
            self.done = True


def _markdown_by_folder(
    content_dir: Path, digests: Mapping[str, str]
) -> dict[str, list[str]] | None:
    """Folder name → its Markdown file names, from the stamps' listing (one scan of the
    tree already done) instead of a directory listing per bulletin; None without one."""
    if not digests:
        return None
    prefix = str(content_dir) + "/"
    listed: dict[str, list[str]] = {}
    for path in digests:
        if path.startswith(prefix) and path.endswith(".md"):
            parts = path[len(prefix) :].split("/")
            if len(parts) == 2:
                listed.setdefault(parts[0], []).append(parts[1])
    return listed


def _read_meta(
    path: Path,
    content_dir: Path,
    cache: ContentCache,
    loaded: _Loaded,
    digests: Mapping[str, str],
) -> BulletinMeta | None:
    src_path = f"{path.parent.name}/{path.name}"  # relative to content/
    doc = cache.get(src_path)
    if isinstance(doc, MetaDoc) and doc.digest == digests.get(str(path)):
        loaded.metas[src_path] = doc
        return doc.meta
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None  # a folder of hand-written articles needs no metadata
    digest = hashlib.sha256(data).hexdigest()
    if not isinstance(doc, MetaDoc) or doc.digest != digest:
        doc = MetaDoc(digest, read_bulletin_meta(path))
    loaded.metas[src_path] = doc
    return doc.meta


def _visible(name: str) -> bool:
    return not name.startswith((".", "_", "~")) and not name.endswith("~")


def parse_doc(data: bytes, path: Path, src_path: str, digest: str, markdown: object) -> ArticleDoc:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BulletinError(f"not UTF-8 text ({error.reason})", path) from None
    text = strip_marks(text)  # private-use marks are the renderer's, never data's
    source = parse_article(text, str(path))
    source.src_path = src_path
    if not _SLUG_RE.match(source.slug):
        raise BulletinError(
            f"slug '{source.slug}' must be lower-case ASCII letters, digits and '-' "
            f"(for example '{slugify(source.slug)}')",
            path,
            _line_of(text, "slug:"),
        )
    # An excerpt looks at most one character past its limit: text beyond is not needed.
    body = render_body(markdown, source.body, EXCERPT_CHARS + 1)  # type: ignore[arg-type]
    source.body = ""
    return ArticleDoc(digest, source, body.html, body.headings, excerpt(body.text))


def _line_of(text: str, prefix: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(prefix):
            return number
    return None


def bulletin_segment(bulletin_id: str) -> str:
    """The bulletin's URL segment: its id when URL-safe ASCII, else the id's pinyin."""
    return bulletin_id if _SEGMENT_RE.match(bulletin_id) else slugify(bulletin_id, 16)


def assemble_site(
    bulletin_metas: Iterable[tuple[str, BulletinMeta | None]],
    docs: Mapping[str, ArticleDoc],
    warnings: Iterable[str] = (),
) -> Site:
    """Order bulletins and articles, link neighbours, collect regions and authors."""
    notes = list(warnings)
    by_bulletin: dict[str, list[ArticleDoc]] = defaultdict(list)
    for src_path, doc in docs.items():
        folder = src_path.split("/", 1)[0]
        if doc.source.bulletin != folder:
            notes.append(
                f"{src_path}: front matter says bulletin '{doc.source.bulletin}', "
                f"but the file is in '{folder}'; using the folder"
            )
        by_bulletin[folder].append(doc)
    metas = dict(bulletin_metas)
    for folder in by_bulletin:
        metas.setdefault(folder, None)

    bulletins: dict[str, Bulletin] = {}
    for bulletin_id, meta in metas.items():
        ordered = sorted(
            by_bulletin.get(bulletin_id, []), key=lambda d: (d.source.order, d.source.src_path)
        )
        bulletins[bulletin_id] = Bulletin(
            id=bulletin_id,
            src_path=bulletin_id,
            url=f"bulletins/{bulletin_segment(bulletin_id)}/",
            date=meta.date if meta else None,
            articles=tuple(d.source.src_path for d in ordered),
            ingested=meta.ingested if meta else None,
        )
    bulletin_order = tuple(
        sorted(bulletins, key=lambda b: _bulletin_sort_key(bulletins[b]), reverse=True)
    )
    oldest_first = [key for b in reversed(bulletin_order) for key in bulletins[b].articles]

    article_order = tuple(key for b in bulletin_order for key in bulletins[b].articles)
    placed = {key: _placement(key, docs[key].source) for key in oldest_first}
    terms: dict[str, Term] = {}
    for taxonomy in Taxonomy:
        terms.update(collect_terms(taxonomy, [placed[key] for key in oldest_first], article_order))
    articles = _linked_articles(docs, placed, bulletins, terms)
    return Site(articles, bulletins, terms, bulletin_order, article_order, tuple(notes))


def _bulletin_sort_key(bulletin: Bulletin) -> tuple[dt.date, str]:
    return (bulletin.date or dt.date.min, bulletin.id)


class Placement(NamedTuple):
    """What decides an article's terms (an Article has these fields too)."""

    key: str
    region_names: tuple[str, ...]  # province, city, county as far as known
    authors: tuple[str, ...]  # without repeats


def _placement(key: str, source: ArticleSource) -> Placement:
    region = source.region
    names = tuple(n for n in (region.province, region.city, region.county) if n) if region else ()
    return Placement(key, names, tuple(dict.fromkeys(source.authors)))


def _article(
    doc: ArticleDoc,
    bulletin: Bulletin,
    placed: Placement | None = None,
    region_terms: tuple[str, ...] = (),
    author_terms: tuple[str, ...] = (),
    prev_key: str | None = None,
    next_key: str | None = None,
) -> Article:
    """The article of a parsed file in its bulletin (its terms and neighbours as given)."""
    source = doc.source
    placed = placed or _placement(source.src_path, source)
    return Article(
        key=source.src_path,
        bulletin=bulletin.id,
        order=source.order,
        title=source.title,
        slug=source.slug,
        url=f"{bulletin.url}{source.slug}/",
        date=source.date or bulletin.date,
        place=source.place,
        region_names=placed.region_names,
        authors=placed.authors,
        body_html=doc.body_html,
        body_digest=doc.digest,
        headings=doc.headings,
        excerpt=doc.excerpt,
        region_terms=region_terms,
        author_terms=author_terms,
        prev=prev_key,
        next=next_key,
    )


def term_paths(taxonomy: Taxonomy, article: Article | Placement) -> list[tuple[str, ...]]:
    """The terms of ``taxonomy`` an article belongs to, each as its path of names."""
    if taxonomy is Taxonomy.AUTHORS:
        return [(name,) for name in article.authors]
    below_province = article.region_names[1:]
    return [below_province[: depth + 1] for depth in range(len(below_province))]


def _term_group(taxonomy: Taxonomy, article: Article | Placement, slug: str) -> str:
    if taxonomy is Taxonomy.REGIONS:
        return article.region_names[0]
    initial = slug[:1].upper()
    return initial if initial.isalpha() else "#"


def collect_terms(
    taxonomy: Taxonomy, oldest_first: Sequence[Article | Placement], listing_order: Sequence[str]
) -> dict[str, Term]:
    """Every term of one taxonomy (regions or authors). ``oldest_first`` decides who keeps a
    shared slug; each term lists its articles in ``listing_order`` (newest first)."""
    rank = {key: index for index, key in enumerate(listing_order)}
    first_seen: dict[tuple[str, ...], int] = {}
    group_of: dict[tuple[str, ...], Article | Placement] = {}
    members: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for index, article in enumerate(oldest_first):
        for path in term_paths(taxonomy, article):
            first_seen.setdefault(path, index)
            group_of.setdefault(path, article)
            members[path].append(article.key)

    keys: dict[tuple[str, ...], str] = {(): taxonomy.value}
    slugs: dict[tuple[str, ...], str] = {}
    for depth in sorted({len(path) for path in first_seen}):
        level = [path for path in first_seen if len(path) == depth]
        slugs.update(_sibling_slugs(level, first_seen))
        for path in level:
            keys[path] = f"{keys[path[:-1]]}/{slugs[path]}"

    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for path in first_seen:
        if len(path) > 1:
            children[path[:-1]].append(path)
    terms: dict[str, Term] = {}
    for path, key in keys.items():
        if not path:
            continue
        slug = slugs[path]
        kids = sorted(children[path], key=lambda p: slugs[p])
        terms[key] = Term(
            key=key,
            taxonomy=taxonomy,
            path=path,
            slug=slug,
            url=key + "/",
            group=_term_group(taxonomy, group_of[path], slug),
            parent=keys[path[:-1]] if len(path) > 1 else None,
            children=tuple(keys[p] for p in kids),
            articles=tuple(sorted(members[path], key=rank.__getitem__)),
        )
    return terms


def _sibling_slugs(
    paths: list[tuple[str, ...]], first_seen: Mapping[tuple[str, ...], int]
) -> dict[tuple[str, ...], str]:
    """Slugs for terms at one depth; the first-seen name keeps a slug shared by siblings."""
    claimed: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}
    result: dict[tuple[str, ...], str] = {}
    for path in sorted(paths, key=lambda p: (first_seen[p], p)):
        base = slugify(path[-1], max_words=16)
        slot = (path[:-1], base)
        if slot in claimed:
            base = f"{base}-{hashlib.sha1(path[-1].encode('utf-8')).hexdigest()[:4]}"
        claimed[slot] = path
        result[path] = base
    return result


def _linked_articles(
    docs: Mapping[str, ArticleDoc],
    placed: Mapping[str, Placement],
    bulletins: Mapping[str, Bulletin],
    terms: Mapping[str, Term],
) -> dict[str, Article]:
    """Every article with its neighbours and term keys, by bulletin, in print order."""
    region_keys: dict[tuple[str, ...], str] = {}
    author_keys: dict[str, str] = {}
    for term in terms.values():
        if term.taxonomy is Taxonomy.REGIONS:
            region_keys[term.path] = term.key
        else:
            author_keys[term.path[0]] = term.key
    linked: dict[str, Article] = {}
    for bulletin in bulletins.values():
        keys = bulletin.articles
        for index, key in enumerate(keys):
            place = placed[key]
            linked[key] = _article(
                docs[key],
                bulletin,
                place,
                region_terms=tuple(region_keys[p] for p in term_paths(Taxonomy.REGIONS, place)),
                author_terms=tuple(author_keys[name] for name in place.authors),
                prev_key=keys[index - 1] if index > 0 else None,
                next_key=keys[index + 1] if index + 1 < len(keys) else None,
            )
    return linked


def paginate(items: tuple[str, ...] | list[str], size: int) -> list[tuple[str, ...]]:
    """Split a listing into pages of ``size``; an empty listing is one empty page."""
    items = tuple(items)
    return [items[start : start + size] for start in range(0, len(items), size)] or [()]


def page_url(first_url: str, number: int) -> str:
    """The URL of page ``number`` of a listing whose first page is ``first_url``."""
    return first_url if number == 1 else f"{first_url}page/{number}/"
