"""Writing the output folder: only files whose bytes changed, each atomically, and pruning
files that an earlier build wrote but no page produces any more."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from generator.cache import OutputRecord
from generator.content import write_atomic


def write_if_changed(
    output_dir: Path, rel: str, data: bytes, known: OutputRecord | None
) -> tuple[OutputRecord, bool]:
    """Write ``data`` to ``output_dir/rel`` unless the file already holds exactly it."""
    record = OutputRecord(hashlib.sha256(data).hexdigest(), len(data))
    target = output_dir / rel
    if known == record and _size(target) == record.size:
        return record, False
    if known is None and _size(target) == record.size and target.read_bytes() == data:
        return record, False
    write_atomic(target, data)
    return record, True


def outputs_present(output_dir: Path, outputs: dict[str, OutputRecord]) -> bool:
    root = str(output_dir)
    return all(_size(os.path.join(root, rel)) == rec.size for rel, rec in outputs.items())


def sizes_present(output_dir: Path, sizes: dict[str, int]) -> bool:
    """Every file is there with its size (an empty map is never a finished build)."""
    root = str(output_dir)
    return bool(sizes) and all(_size(os.path.join(root, rel)) == n for rel, n in sizes.items())


def _size(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def prune(output_dir: Path, stale: Iterable[str]) -> list[str]:
    """Delete the given output files (if present) and the folders they leave empty."""
    deleted: list[str] = []
    root = output_dir.resolve()
    for rel in sorted(stale):
        target = output_dir / rel
        if not target.resolve().is_relative_to(root):
            continue  # a manifest never names anything outside the output folder
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        deleted.append(rel)
        folder = target.parent
        while folder != output_dir and folder.is_dir() and not any(folder.iterdir()):
            os.rmdir(folder)
            folder = folder.parent
    return deleted
