"""Ingest orchestration: raw files → parsed bulletins → content/, one report for all.

``ingest_pending`` is what ``bulletin build`` and ``bulletin serve`` call: it ingests
every seed that is new or changed, and never overwrites hand-edited Markdown (that
becomes a warning naming the files instead). Many pending seeds (an archive imported at
once) are parsed and written across the machine's cores, each seed by one process:
seeds are independent, each writing only its own content folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.content import BULLETIN_META, recorded_source_digest, sha256_bytes
from generator.errors import BulletinError
from generator.ingest.model import ParsedBulletin
from generator.ingest.places import Gazetteer
from generator.ingest.report import summary_line
from generator.ingest.write import WriteResult, hand_edits, write_bulletin

SEED_PATTERN = "*.txt"


@dataclass(frozen=True)
class IngestResult:
    """One bulletin ingested: what the report shows of its parse, and what was written.
    Not the parse itself: an archive's parses held until the report (10,000 bulletins:
    most of a 720 MB peak) would all travel back from the workers, for one line each."""

    source: Path
    id: str
    summary: str  # articles, rejoined breaks, dropped repeats, warnings
    warnings: list[str]  # the parser's
    write: WriteResult


@dataclass
class IngestReport:
    ingested: list[IngestResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ids whose seed is unchanged
    warnings: list[str] = field(default_factory=list)  # seeds left alone, with why
    errors: list[str] = field(default_factory=list)  # files that could not be read or parsed

    def add(self, other: IngestReport) -> None:
        self.ingested += other.ingested
        self.skipped += other.skipped
        self.warnings += other.warnings
        self.errors += other.errors


def parse_file(
    path: Path, config: SiteConfig, *, fallback_date: dt.date | None = None
) -> ParsedBulletin:
    """Read and parse one raw bulletin (nothing is written)."""
    from generator.ingest.parse import parse_bytes  # see _is_unchanged

    return parse_bytes(
        _read(path),
        path,
        Gazetteer.load(config.province),
        config.province,
        fallback_date=fallback_date,
    )


def ingest_file(
    path: Path,
    config: SiteConfig,
    *,
    force: bool = False,
    fallback_date: dt.date | None = None,
) -> IngestResult:
    """Parse ``path`` and write content/<stem>/; refuses over hand edits unless ``force``."""
    from generator.ingest.parse import parse_bytes  # see _is_unchanged

    data = _read(path)
    parsed = parse_bytes(
        data, path, Gazetteer.load(config.province), config.province, fallback_date=fallback_date
    )
    write = write_bulletin(
        parsed,
        content_dir=config.content_dir,
        source_name=path.name,
        source_sha256=sha256_bytes(data),
        force=force,
    )
    return IngestResult(path, parsed.id, summary_line(parsed), list(parsed.warnings), write)


def seed_files(config: SiteConfig) -> list[Path]:
    if not config.seeds_dir.is_dir():
        return []
    return sorted(p for p in config.seeds_dir.glob(SEED_PATTERN) if not p.name.startswith("."))


PARALLEL_INGEST_FROM = 8  # pending seeds; for fewer, starting processes costs more


def ingest_pending(
    config: SiteConfig,
    *,
    force: bool = False,
    fallback_date: dt.date | None = None,
    jobs: int | None = None,
) -> IngestReport:
    """Ingest every seed that is new, or changed while its Markdown is untouched.

    An unchanged seed (same sha256 as recorded in bulletin.yaml) is skipped; a changed
    seed whose Markdown was edited by hand is left alone with a warning naming the files
    (with ``force`` the edits move to content/.backup/ and the seed is re-ingested).
    ``jobs``: processes for the pending seeds (default: one per core). The report lists
    seeds in the same order however many processes ingested them.
    """
    outcomes: dict[Path, IngestReport] = {}
    pending: list[Path] = []
    for path in seed_files(config):
        outcomes[path] = IngestReport()
        try:
            if _is_unchanged(path, config):
                outcomes[path].skipped.append(path.stem)
            else:
                pending.append(path)
        except BulletinError as error:
            outcomes[path].errors.append(str(error))
    ingest = functools.partial(
        _ingest_seed, config=config, force=force, fallback_date=fallback_date
    )
    for path, outcome in zip(pending, _map(ingest, pending, jobs, config), strict=True):
        outcomes[path] = outcome
    report = IngestReport()
    for outcome in outcomes.values():
        report.add(outcome)
    return report


def _is_unchanged(path: Path, config: SiteConfig) -> bool:
    """Every build asks this of every seed, and almost always the answer is yes: the
    parser (0.12 s to import, its patterns compiled) is imported only to ingest."""
    meta_path = config.content_dir / path.stem / BULLETIN_META
    return meta_path.exists() and recorded_source_digest(meta_path) == sha256_bytes(_read(path))


def _ingest_seed(
    path: Path, config: SiteConfig, force: bool, fallback_date: dt.date | None
) -> IngestReport:
    """One pending seed's part of the report (errors as lines: a BulletinError would lose
    its file and line on the way back from a worker)."""
    outcome = IngestReport()
    folder = config.content_dir / path.stem
    try:
        edits = hand_edits(folder)
        if edits and not force:
            listed = ", ".join(str(change) for change in edits)
            outcome.warnings.append(
                f"{path}: changed since ingest, but {folder} has hand edits ({listed}); "
                f"not re-ingested (run 'bulletin ingest {path} --force' to back them up "
                "and replace)"
            )
            return outcome
        outcome.ingested.append(ingest_file(path, config, force=force, fallback_date=fallback_date))
    except BulletinError as error:
        outcome.errors.append(str(error))
    return outcome


def _map(
    ingest: functools.partial[IngestReport],
    paths: list[Path],
    jobs: int | None,
    config: SiteConfig,
) -> Iterator[IngestReport]:
    """``ingest`` of each path, in order: in forked workers when there are enough."""
    jobs = min(jobs or os.cpu_count() or 1, len(paths))
    if jobs < 2 or len(paths) < PARALLEL_INGEST_FROM:
        yield from map(ingest, paths)
        return
    # Loaded once here, inherited by every worker: the parser and the gazetteer.
    from generator.ingest.parse import parse_bytes  # noqa: F401

    Gazetteer.load(config.province)
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_quiet_worker) as pool:
        yield from pool.imap(ingest, paths, chunksize=_chunk_size(len(paths), jobs))


def _chunk_size(count: int, jobs: int) -> int:
    """Seeds per task: a few tasks per worker and no more, so the work stays balanced."""
    return max(1, min(16, count // (jobs * 8)))


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the pool, and a worker
    printing its own traceback would only bury the parent's message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BulletinError("no such file", path) from None
    except IsADirectoryError:
        raise BulletinError("is a folder, not a raw bulletin file", path) from None
    except OSError as error:
        raise BulletinError(f"cannot read: {error.strerror}", path) from None
