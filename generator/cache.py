"""What a build remembers between runs, kept in the project's ``.bulletin-cache/`` (never in
the output folder, which stays clean for publishing):

* the output manifest, one per output folder: for each page, the fingerprint of everything
  its bytes depend on and the files it wrote (SHA-256 and size). An unchanged fingerprint
  with its files still in place means the page is neither rendered nor written; files the
  old manifest lists that no page writes any more are pruned.
* the content cache: each Markdown file's parse and rendered body, keyed by the file's
  bytes, so an unchanged article is not parsed again.

A cache that is missing, unreadable or from another format version is simply empty.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.content import write_atomic
from generator.site import ContentCache

CACHE_DIR = ".bulletin-cache"
FORMAT = 1


@dataclass(frozen=True)
class OutputRecord:
    sha256: str
    size: int


@dataclass(frozen=True)
class PageRecord:
    fingerprint: str
    outputs: dict[str, OutputRecord]  # output-relative posix path → what was written


@dataclass
class Manifest:
    pages: dict[str, PageRecord] = field(default_factory=dict)
    inputs: str = ""  # fingerprint of every input of the build that wrote this manifest

    def all_outputs(self) -> dict[str, OutputRecord]:
        return {path: rec for page in self.pages.values() for path, rec in page.outputs.items()}


def cache_dir(config: SiteConfig) -> Path:
    return config.root / CACHE_DIR


def manifest_path(config: SiteConfig) -> Path:
    folder = str(config.output_dir.resolve())
    return cache_dir(config) / f"manifest-{hashlib.sha256(folder.encode()).hexdigest()[:16]}.json"


def load_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text("utf-8"))
        if raw.get("format") != FORMAT:
            return Manifest()
        return Manifest(
            inputs=raw.get("inputs", ""),
            pages={
                key: PageRecord(
                    page["fingerprint"],
                    {p: OutputRecord(o["sha256"], o["size"]) for p, o in page["outputs"].items()},
                )
                for key, page in raw["pages"].items()
            },
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()


def save_manifest(path: Path, manifest: Manifest) -> None:
    data = {
        "format": FORMAT,
        "inputs": manifest.inputs,
        "pages": {
            key: {
                "fingerprint": page.fingerprint,
                "outputs": {
                    p: {"sha256": o.sha256, "size": o.size} for p, o in sorted(page.outputs.items())
                },
            }
            for key, page in sorted(manifest.pages.items())
        },
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def content_cache_path(config: SiteConfig) -> Path:
    return cache_dir(config) / "content.pickle"


def load_content_cache(path: Path, stamp: str) -> ContentCache:
    """The cached parses, if written by this same generator code (``stamp``)."""
    try:
        with path.open("rb") as handle:
            saved_stamp, docs = pickle.load(handle)
        return docs if saved_stamp == stamp and isinstance(docs, dict) else {}
    except Exception:  # any damage or older class layout: start afresh
        return {}


def save_content_cache(path: Path, stamp: str, docs: ContentCache, previous: ContentCache) -> None:
    if docs.keys() == previous.keys() and all(docs[k] is previous[k] for k in docs):
        return  # nothing parsed afresh: keep the file as it is
    write_atomic(path, pickle.dumps((stamp, docs), protocol=pickle.HIGHEST_PROTOCOL))
