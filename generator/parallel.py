"""Computing views, rendering and writing pages, in this process or across a process pool.

The parent decides which pages to look at (see ``affected``) and hands out chunks of page
indices. Workers are forked, so they inherit the Site, the plan and the old manifest
without pickling them (``gc.freeze`` first, so the collector does not touch, and thereby
copy, the inherited objects); each builds its own converters (OpenCC) once and compiles
templates once, and sends back only small records. The result does not depend on the
number of workers: every page's bytes are a pure function of (page, site, context).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.affected import plan_digest
from generator.cache import Manifest, PageRecord
from generator.output import outputs_present, write_if_changed
from generator.pages import Page, PageKind
from generator.render import Renderer, localize_pages, page_view, view_fingerprint
from generator.site import Site
from generator.variants import ConverterSpec, TextConverter, converter_for
from generator.views import ViewContext

STAGES = ("views", "render", "write")
SERIAL_BELOW = 300  # fewer pages than this to look at: a pool costs more than it saves
CHUNKS_PER_WORKER = 16  # chunks of this share of a worker's pages, until the last ones;
# each chunk's round trip costs well under a millisecond
TAPER = 4  # near the end, a chunk is 1/TAPER of each worker's share of what is left
MIN_CHUNK = 20


@dataclass(frozen=True)
class RenderJob:
    """Everything a worker needs; inherited through fork, never pickled."""

    pages: Sequence[Page]
    plans: Sequence[str] | None  # each page's plan digest, stored in its record (None:
    # digested as each page is rendered)
    site: Site
    ctx: ViewContext
    renderer: Renderer
    specs: Mapping[str, ConverterSpec]
    base: str
    old: Manifest
    output_dir: Path
    fresh: bool = False  # output_dir is a staging folder: write files in place


@dataclass
class ChunkResult:
    records: dict[str, PageRecord] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    rendered: int = 0
    skipped: int = 0
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def add(self, other: ChunkResult) -> None:
        self.records.update(other.records)
        self.written += other.written
        self.rendered += other.rendered
        self.skipped += other.skipped
        for stage, seconds in other.timings.items():
            self.timings[stage] += seconds


def render_pages(
    job: RenderJob,
    indices: Sequence[int],
    jobs: int,
    on_chunk: Callable[[ChunkResult, int], None],
    converters: dict[str, TextConverter] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Look at ``job.pages[i]`` for each index; ``on_chunk(result, pages_done)`` after each
    chunk, in this process (so partial progress is kept even when a later chunk fails).
    ``converters``: this process's converters, kept by the caller between builds.
    ``meanwhile``: this process's own work, done while the workers render (or first)."""
    if jobs <= 1 or len(indices) < SERIAL_BELOW:
        if meanwhile is not None:
            meanwhile()
        converters = {} if converters is None else converters
        done = 0
        for chunk in _chunks(indices, 200):
            done += len(chunk)
            on_chunk(render_chunk(job, chunk, converters), done)
        return
    context = multiprocessing.get_context("fork")
    # Inherited objects stay shared: the collector never writes to them. (No collection
    # first: it took 0.14 s at 1,000 bulletins, 1.4 s at 10,000, to free a little garbage.)
    gc.freeze()
    try:
        with context.Pool(jobs, initializer=_start_worker, initargs=(job,)) as pool:
            done = 0
            ordered = _largest_first(job.pages, indices)
            results = pool.imap_unordered(_run_chunk, _tapering_chunks(ordered, jobs))
            if meanwhile is not None:
                meanwhile()  # results queue up meanwhile
            for result, count in results:
                done += count
                on_chunk(result, done)
    finally:
        gc.unfreeze()


def _largest_first(pages: Sequence[Page], indices: Sequence[int]) -> list[int]:
    """The sitemap lists every page: started last, it kept one worker busy alone at the end."""
    large = [i for i in indices if pages[i].kind is PageKind.SITEMAP]
    return large + [i for i in indices if pages[i].kind is not PageKind.SITEMAP]


def _tapering_chunks(indices: Sequence[int], jobs: int) -> Iterator[list[int]]:
    """Chunks of ``indices`` (in order) that shrink towards the end: when the last one
    is handed out, the other workers have a little left, not up to a chunk of their own
    (the tail of a cold build, where one worker ran alone, took 0.2-0.4 s of 7.5 s)."""
    largest = max(MIN_CHUNK, len(indices) // (jobs * CHUNKS_PER_WORKER))
    start = 0
    while start < len(indices):
        left = len(indices) - start
        size = max(MIN_CHUNK, min(largest, -(-left // (jobs * TAPER))))
        yield list(indices[start : start + size])
        start += size


def _chunks(indices: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(indices), size):
        yield list(indices[start : start + size])


# A worker process's own state: the inherited job and its converters, set once when the
# worker starts (module globals only inside workers; the parent never sets them).
_worker_job: RenderJob | None = None
_worker_converters: dict[str, TextConverter] = {}


def _start_worker(job: RenderJob) -> None:
    """Workers write their own pages, at the same time: taking turns (one lock for all
    writes) measured 6 % slower in wall time, 8 rounds alternating at 1,000 bulletins,
    once the harness stopped deleting the last output just before a cold build (that
    deletion, not the writing at once, had made the kernel's file creation slow). At
    10,000 bulletins six alternating pairs were inconclusive (medians 96.7 s without the
    lock, 92.9 s with it, each faster in some pairs): measure both sizes to change this.

    Ctrl-C reaches the whole process group: the parent stops the build and the pool
    ends its workers with SIGTERM, which they take quietly (serve's handler turns it into
    KeyboardInterrupt, and each worker printed a traceback)."""
    global _worker_job
    _worker_job = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_chunk(indices: list[int]) -> tuple[ChunkResult, int]:
    assert _worker_job is not None
    return render_chunk(_worker_job, indices, _worker_converters), len(indices)


def render_chunk(
    job: RenderJob, indices: Sequence[int], converters: dict[str, TextConverter]
) -> ChunkResult:
    """Compute each page's view and fingerprint; render and write it unless its record
    says the same bytes are already in place. Pages are rendered a batch at a time, then
    converted together, then written: each stage's code and data stay in the processor's
    cache (measured a fifth faster than page by page)."""
    result = ChunkResult()
    for start in range(0, len(indices), BATCH):
        _render_batch(job, indices[start : start + BATCH], converters, result)
    return result


BATCH = 100  # pages rendered before converting them together: bounds the memory held


@dataclass
class _Rendered:
    index: int
    fingerprint: str
    record: PageRecord | None
    text: str


def _render_batch(
    job: RenderJob,
    indices: Sequence[int],
    converters: dict[str, TextConverter],
    result: ChunkResult,
) -> None:
    clock = time.perf_counter
    timings = result.timings
    rendered: list[_Rendered] = []
    for index in indices:
        page = job.pages[index]
        started = clock()
        view = page_view(page, job.site, job.ctx)
        fingerprint = view_fingerprint(page, view, job.base)
        record = job.old.pages.get(page.key)
        viewed = clock()
        timings["views"] += viewed - started
        if (
            record is not None
            and record.fingerprint == fingerprint
            and outputs_present(job.output_dir, record.outputs)
        ):
            result.records[page.key] = PageRecord(fingerprint, record.outputs, _plan(job, index))
            result.skipped += 1
            continue
        text = job.renderer.render(page.template, view)
        rendered.append(_Rendered(index, fingerprint, record, text))
        timings["render"] += clock() - viewed
    if not rendered:
        return
    if not converters and job.specs:
        converters.update({p: converter_for(spec) for p, spec in job.specs.items()})
    started = clock()
    pages = [job.pages[item.index] for item in rendered]
    files = localize_pages(pages, [item.text for item in rendered], converters, job.ctx)
    converted = clock()
    timings["render"] += converted - started
    started = clock()
    for item, page, page_files in zip(rendered, pages, files, strict=True):
        outputs = {}
        for rel, data in page_files:
            known = item.record.outputs.get(rel) if item.record else None
            outputs[rel], changed = write_if_changed(job.output_dir, rel, data, known, job.fresh)
            if changed:
                result.written.append(rel)
        record = PageRecord(item.fingerprint, outputs, _plan(job, item.index))
        result.records[page.key] = record
        result.rendered += 1
    timings["write"] += clock() - started


def _plan(job: RenderJob, index: int) -> str:
    return job.plans[index] if job.plans is not None else plan_digest(job.pages[index])
