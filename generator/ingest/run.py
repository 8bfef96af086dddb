"""Ingest orchestration: raw files → parsed bulletins → content/, one report for all.

``ingest_pending`` is what ``bulletin build`` and ``bulletin serve`` call: it ingests
every seed that is new or changed, and never overwrites hand-edited Markdown (that
becomes a warning naming the files instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.content import BULLETIN_META, recorded_source_digest, sha256_bytes
from generator.errors import BulletinError
from generator.ingest.model import ParsedBulletin
from generator.ingest.places import Gazetteer
from generator.ingest.write import WriteResult, hand_edits, write_bulletin

SEED_PATTERN = "*.txt"


@dataclass(frozen=True)
class IngestResult:
    """One bulletin ingested: the parse and what was written."""

    source: Path
    parsed: ParsedBulletin
    write: WriteResult

    @property
    def id(self) -> str:
        return self.parsed.id


@dataclass
class IngestReport:
    ingested: list[IngestResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ids whose seed is unchanged
    warnings: list[str] = field(default_factory=list)  # seeds left alone, with why
    errors: list[str] = field(default_factory=list)  # files that could not be read or parsed


def parse_file(
    path: Path, config: SiteConfig, *, fallback_date: dt.date | None = None
) -> ParsedBulletin:
    """Read and parse one raw bulletin (nothing is written)."""
    from generator.ingest.parse import parse_bytes  # see _ingest_if_pending

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
    from generator.ingest.parse import parse_bytes  # see _ingest_if_pending

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
    return IngestResult(path, parsed, write)


def seed_files(config: SiteConfig) -> list[Path]:
    if not config.seeds_dir.is_dir():
        return []
    return sorted(p for p in config.seeds_dir.glob(SEED_PATTERN) if not p.name.startswith("."))


def ingest_pending(
    config: SiteConfig, *, force: bool = False, fallback_date: dt.date | None = None
) -> IngestReport:
    """Ingest every seed that is new, or changed while its Markdown is untouched.

    An unchanged seed (same sha256 as recorded in bulletin.yaml) is skipped; a changed
    seed whose Markdown was edited by hand is left alone with a warning naming the files
    (with ``force`` the edits move to content/.backup/ and the seed is re-ingested).
    """
    report = IngestReport()
    for path in seed_files(config):
        try:
            _ingest_if_pending(path, config, report, force, fallback_date)
        except BulletinError as error:
            report.errors.append(str(error))
    return report


def _ingest_if_pending(
    path: Path,
    config: SiteConfig,
    report: IngestReport,
    force: bool,
    fallback_date: dt.date | None,
) -> None:
    """Every build asks this of every seed, and almost always the answer is "unchanged":
    the parser (0.12 s to import, its patterns compiled) is imported only to ingest."""
    folder = config.content_dir / path.stem
    meta_path = folder / BULLETIN_META
    if meta_path.exists() and recorded_source_digest(meta_path) == sha256_bytes(_read(path)):
        report.skipped.append(path.stem)
        return
    edits = hand_edits(folder)
    if edits and not force:
        listed = ", ".join(str(change) for change in edits)
        report.warnings.append(
            f"{path}: changed since ingest, but {folder} has hand edits ({listed}); "
            f"not re-ingested (run 'bulletin ingest {path} --force' to back them up and replace)"
        )
        return
    report.ingested.append(ingest_file(path, config, force=force, fallback_date=fallback_date))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BulletinError("no such file", path) from None
    except IsADirectoryError:
        raise BulletinError("is a folder, not a raw bulletin file", path) from None
    except OSError as error:
        raise BulletinError(f"cannot read: {error.strerror}", path) from None
