"""What a build remembers between runs, kept in the project's ``.bulletin-cache/`` (never in
the output folder, which stays clean for publishing):

* the output manifest, one per output folder: for each page, the fingerprint of everything
  its bytes depend on and the files it wrote (SHA-256 and size). An unchanged fingerprint
  with its files still in place means the page is neither rendered nor written; files the
  old manifest lists that no page writes any more are pruned.
* the content cache: each Markdown file's parse and rendered body, keyed by the file's
  bytes, so an unchanged article is not parsed again.
* the input state, one per output folder: every input file's stat (size, mtime_ns, inode)
  and SHA-256, the settings, the last build's warnings and its output sizes. A build whose
  inputs all hash as before (only files whose stat changed are hashed again) and whose
  outputs are in place is done before any page, template or parse is even loaded.

A cache that is missing, unreadable or from another format version is simply empty.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from generator.config import SiteConfig
from generator.content import atomic_writer

if TYPE_CHECKING:  # generator.site pulls in Markdown and pinyin: not needed to check stamps
    from generator.site import ContentCache

CACHE_DIR = ".bulletin-cache"
FORMAT = 2


@dataclass(frozen=True)
class OutputRecord:
    sha256: str
    size: int


@dataclass(frozen=True)
class PageRecord:
    fingerprint: str
    outputs: dict[str, OutputRecord]  # output-relative posix path → what was written
    plan: str = ""  # digest of the planned Page (kind, subject, listed keys, page numbers)


@dataclass
class Manifest:
    pages: dict[str, PageRecord] = field(default_factory=dict)
    inputs: str = ""  # fingerprint of every input of the build that wrote this manifest
    scope: str = ""  # what every page depends on (base fingerprint, asset URLs, languages)
    entities: dict[str, str] = field(default_factory=dict)  # article/bulletin/term → digest

    def all_outputs(self) -> dict[str, OutputRecord]:
        return {path: rec for page in self.pages.values() for path, rec in page.outputs.items()}


def cache_dir(config: SiteConfig) -> Path:
    return config.root / CACHE_DIR


def manifest_path(config: SiteConfig) -> Path:
    folder = str(config.output_dir.resolve())
    name = hashlib.sha256(folder.encode()).hexdigest()[:16]
    return cache_dir(config) / f"manifest-{name}.pickle"


def load_manifest(path: Path) -> Manifest:
    """The last build's manifest (pickled: a tenth of the time JSON took at 17,000 files)."""
    try:
        with path.open("rb") as handle:
            saved_format, manifest = pickle.load(handle)
        return manifest if saved_format == FORMAT and isinstance(manifest, Manifest) else Manifest()
    except Exception:  # missing, damaged or from older code: build as if for the first time
        return Manifest()


Stop = Callable[[], bool]  # asked while a cache is written: give up now?


class SaveStopped(Exception):
    """A save given up midway (see ``save_pickle``): the file is as it was."""


def save_manifest(path: Path, manifest: Manifest, stop: Stop | None = None) -> None:
    save_pickle(path, (FORMAT, manifest), stop)


def save_pickle(path: Path, value: object, stop: Stop | None = None) -> None:
    """Pickle ``value`` into ``path`` atomically, streamed: the pickler hands the file a
    frame at a time, and each write lets other threads run. ``pickle.dumps`` held the
    interpreter for the whole pickle, and in ``bulletin serve`` an edit saved meanwhile
    waited (0.65 s for the manifest at 10,000 bulletins; at most 0.05-0.11 s streamed).
    ``stop`` is asked before each frame is written; when it says so, SaveStopped."""
    with atomic_writer(path) as handle:
        target = handle if stop is None else _Stoppable(handle, stop)
        pickle.dump(value, target, protocol=pickle.HIGHEST_PROTOCOL)


class _Stoppable:
    def __init__(self, handle: BinaryIO, stop: Stop):
        self._handle = handle
        self._stop = stop

    def write(self, data: bytes) -> int:
        if self._stop():
            raise SaveStopped
        return self._handle.write(data)


CONTENT_SHARDS = 32  # an edit rewrites one shard (~1 MB at 1,000 bulletins), not all


def content_cache_path(config: SiteConfig) -> Path:
    """The folder of content cache shards (by bulletin folder)."""
    return cache_dir(config) / "content"


def folder_shard(folder: str, count: int) -> int:
    """A bulletin folder's shard of ``count`` (the content cache's, the search index's):
    stable across runs and Python versions, so a bulletin's files always share one."""
    return int.from_bytes(hashlib.blake2b(folder.encode(), digest_size=4).digest()) % count


def _shard_of(src_path: str) -> int:
    return folder_shard(src_path.split("/", 1)[0], CONTENT_SHARDS)


def _shard_path(folder: Path, shard: int) -> Path:
    return folder / f"{shard:02d}.pickle"


def load_content_cache(folder: Path, stamp: str) -> ContentCache:
    """The cached parses, if written by this same generator code (``stamp``)."""
    docs: ContentCache = {}
    for shard in range(CONTENT_SHARDS):
        try:
            with _shard_path(folder, shard).open("rb") as handle:
                saved_stamp, part = pickle.load(handle)
        except Exception:  # missing, damaged or an older class layout: parse again
            continue
        if saved_stamp == stamp and isinstance(part, dict):
            docs.update(part)
    return docs


def save_content_cache(
    folder: Path, stamp: str, docs: ContentCache, previous: ContentCache, stop: Stop | None = None
) -> None:
    """Rewrite only the shards holding a file parsed afresh or gone. (Stopped midway, the
    shards written hold ``docs``' parses; the next save with newer docs writes them again.)"""
    changed = {_shard_of(k) for k in docs if previous.get(k) is not docs[k]}
    changed |= {_shard_of(k) for k in previous.keys() - docs.keys()}
    if not changed:
        return
    parts: dict[int, ContentCache] = {shard: {} for shard in changed}
    for key, doc in docs.items():
        part = parts.get(_shard_of(key))
        if part is not None:
            part[key] = doc
    for shard, part in parts.items():
        save_pickle(_shard_path(folder, shard), (stamp, part), stop)


# --- input state: the no-change fast path ---------------------------------------------

FileStamp = tuple[int, int, int, str]  # size, mtime_ns, inode, SHA-256 of the bytes
_RACY_NS = 2_000_000_000  # a file this fresh may change again within its mtime tick


@dataclass
class InputState:
    files: dict[str, FileStamp] = field(default_factory=dict)  # absolute path → stamp
    settings: str = ""  # digest of site.yaml's settings and the build options
    warnings: list[str] = field(default_factory=list)  # the build's warnings, to repeat
    outputs: dict[str, int] = field(default_factory=dict)  # output-relative path → size
    skipped: int = 0  # what an unchanged build reports as left as it was
    ingest_clean: bool = False  # its ingest had nothing to report: unchanged seeds need none

    def same_inputs(self, other: InputState) -> bool:
        if self.settings != other.settings or self.files.keys() != other.files.keys():
            return False
        return all(stamp[3] == other.files[path][3] for path, stamp in self.files.items())


def input_state_path(config: SiteConfig) -> Path:
    return manifest_path(config).with_name(manifest_path(config).stem + "-inputs.pickle")


def load_input_state(path: Path) -> InputState:
    try:
        with path.open("rb") as handle:
            saved_format, state = pickle.load(handle)
        return state if saved_format == FORMAT and isinstance(state, InputState) else InputState()
    except Exception:  # damaged or from other code: hash everything again
        return InputState()


def save_input_state(path: Path, state: InputState, stop: Stop | None = None) -> None:
    save_pickle(path, (FORMAT, state), stop)


def scan_files(
    roots: Iterable[Path], previous: dict[str, FileStamp], skip: Iterable[Path] = ()
) -> dict[str, FileStamp]:
    """Stamp every file under ``roots``. A file whose stat equals its previous stamp keeps
    the stamp; any other is read and hashed, so a touched but unchanged file still counts
    as unchanged. A file modified within the last two seconds is stamped with inode -1,
    so the next scan hashes it again (its mtime may not move on a second quick edit)."""
    skipped = {str(path) for path in skip}
    now = time.time_ns()
    stamps: dict[str, FileStamp] = {}
    pending = [str(root) for root in roots]
    while pending:
        folder = pending.pop()
        if folder in skipped:
            continue
        try:
            entries = list(os.scandir(folder))
        except NotADirectoryError:  # a root that is a file
            _stamp_file(folder, previous, stamps, now)
            continue
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=True):
                if entry.name != "__pycache__":
                    pending.append(entry.path)
            else:
                _stamp_file(entry.path, previous, stamps, now)
    return stamps


def _stamp_file(path: str, previous: dict[str, FileStamp], out: dict[str, FileStamp], now: int):
    try:
        stat = os.stat(path)
    except OSError:
        return  # vanished while scanning: as if it were never there
    old = previous.get(path)
    if old is not None and old[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino):
        out[path] = old
        return
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return
    inode = stat.st_ino if now - stat.st_mtime_ns > _RACY_NS else -1
    out[path] = (stat.st_size, stat.st_mtime_ns, inode, digest)
