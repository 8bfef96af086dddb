"""A ParsedBulletin → content/<id>/NN-<slug>.md + bulletin.yaml, never losing an edit.

bulletin.yaml records the sha256 of every file ingest wrote. Before writing again, the
folder is compared with that record: a file changed, added or removed since is a hand
edit, and ingest refuses unless forced, in which case the folder's files first move to
content/.backup/<id>-<UTC time>/ (names starting with "." are ignored by the build).
Each file is written atomically; bulletin.yaml goes last, so an interrupted ingest
shows up as edits next time instead of being silently overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from generator.content import (
    BULLETIN_META,
    ArticleSource,
    BulletinMeta,
    dump_article,
    dump_bulletin_meta,
    read_bulletin_meta,
    sha256_bytes,
    write_atomic,
)
from generator.errors import BulletinError
from generator.ingest.markdown import render_body
from generator.ingest.model import ParsedBulletin
from generator.slugs import slugify

BACKUP_DIR = ".backup"


class ChangeKind(Enum):
    EDITED = "edited"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class FileChange:
    name: str  # relative to the bulletin folder
    kind: ChangeKind

    def __str__(self) -> str:
        return f"{self.name} ({self.kind.value})"


@dataclass(frozen=True)
class WriteResult:
    folder: Path
    written: list[str]  # file names whose bytes changed
    removed: list[str]  # files of the previous ingest no longer produced
    backup: Path | None  # where hand edits were moved (with force)


def article_sources(parsed: ParsedBulletin) -> list[tuple[str, ArticleSource]]:
    """Each article as (file name, ArticleSource): NN-<slug>.md, NN the print order."""
    sources: list[tuple[str, ArticleSource]] = []
    taken: set[str] = set()
    for order, article in enumerate(parsed.articles, start=1):
        slug = _unique_slug(slugify(article.headline.text), taken)
        body = render_body([(block.kind, block.text) for block in article.blocks])
        source = ArticleSource(
            title=article.headline.text,
            body=body,
            bulletin=parsed.id,
            order=order,
            slug=slug,
            place=article.place,
            region=article.region,
            authors=list(article.authors),
            date=parsed.date,
        )
        sources.append((f"{order:02d}-{slug}.md", source))
    return sources


def _unique_slug(slug: str, taken: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    taken.add(candidate)
    return candidate


def hand_edits(folder: Path) -> list[FileChange]:
    """Files in ``folder`` changed, added or removed since ingest wrote it."""
    if not folder.exists():
        return []
    meta_path = folder / BULLETIN_META
    recorded: dict[str, str] = {}
    if meta_path.exists():
        recorded = read_bulletin_meta(meta_path).articles
    current = {
        path.relative_to(folder).as_posix(): sha256_bytes(path.read_bytes())
        for path in _visible_files(folder)
        if path != meta_path
    }
    changes = [
        FileChange(name, ChangeKind.EDITED if name in recorded else ChangeKind.ADDED)
        for name, digest in sorted(current.items())
        if recorded.get(name) != digest
    ]
    changes += [
        FileChange(name, ChangeKind.REMOVED) for name in sorted(recorded) if name not in current
    ]
    return changes


def _visible_files(folder: Path) -> list[Path]:
    """Files under ``folder`` whose path has no part starting with "." (editor temp files,
    our own atomic-write temporaries)."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root) / name for name in sorted(names) if not name.startswith(".")]
    return files


def back_up(folder: Path, content_dir: Path, now: dt.datetime | None = None) -> Path:
    """Move every file of ``folder`` to content/.backup/<id>-<UTC time>/; return that path."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = content_dir / BACKUP_DIR / f"{folder.name}-{stamp}"
    target, number = base, 2
    while target.exists():
        target, number = base.with_name(f"{base.name}-{number}"), number + 1
    target.mkdir(parents=True)
    for path in sorted(folder.iterdir()):
        os.replace(path, target / path.name)
    return target


def write_bulletin(
    parsed: ParsedBulletin,
    *,
    content_dir: Path,
    source_name: str,
    source_sha256: str,
    force: bool = False,
) -> WriteResult:
    """Write the bulletin's Markdown and metadata; refuse (or back up, with ``force``)
    when the folder holds hand edits."""
    folder = content_dir / parsed.id
    backup = None
    edits = hand_edits(folder)
    if edits and not force:
        listed = ", ".join(str(change) for change in edits)
        raise BulletinError(
            f"not re-ingesting: the Markdown changed since ingest: {listed}; "
            "keep the edits, or run again with --force to move them to content/.backup/",
            folder,
        )
    if edits:
        backup = back_up(folder, content_dir)
    previous_meta = _recorded_meta(folder)
    previous = previous_meta.articles if previous_meta else {}
    written: list[str] = []
    checksums: dict[str, str] = {}
    for name, source in article_sources(parsed):
        data = dump_article(source).encode("utf-8")
        checksums[name] = sha256_bytes(data)
        if _write_if_changed(folder / name, data):
            written.append(name)
    removed = sorted(set(previous) - set(checksums))
    for name in removed:
        (folder / name).unlink(missing_ok=True)
    meta = BulletinMeta(
        id=parsed.id,
        date=parsed.date,
        source=source_name,
        source_sha256=source_sha256,
        encoding=parsed.encoding,
        articles=checksums,
        ingested=_first_ingested(previous_meta),
    )
    if _write_if_changed(folder / BULLETIN_META, dump_bulletin_meta(meta).encode("utf-8")):
        written.append(BULLETIN_META)
    return WriteResult(folder, written, removed, backup)


def _recorded_meta(folder: Path) -> BulletinMeta | None:
    meta_path = folder / BULLETIN_META
    return read_bulletin_meta(meta_path) if meta_path.exists() else None


def _first_ingested(previous: BulletinMeta | None) -> dt.datetime:
    """Keep the first ingest time, so re-ingesting never changes feeds or bulletin.yaml."""
    if previous is not None and previous.ingested is not None:
        return previous.ingested
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds these bytes (keeps builds incremental)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True
