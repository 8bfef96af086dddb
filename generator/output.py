"""Writing the output folder: only files whose bytes changed, each atomically, and pruning
files that an earlier build wrote but no page produces any more."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.cache import OutputRecord
from generator.content import write_atomic


def write_if_changed(
    output_dir: Path, rel: str, data: bytes, known: OutputRecord | None, fresh: bool = False
) -> tuple[OutputRecord, bool]:
    """Write ``data`` to ``output_dir/rel`` unless the file already holds exactly it.
    ``fresh``: ``output_dir`` is a staging folder no reader sees (see ``staged_output``),
    so the file is written in place, without a temporary copy to rename."""
    record = OutputRecord(hashlib.sha256(data).hexdigest(), len(data))
    target = os.path.join(output_dir, rel)  # a str: a Path per file cost 1-2 % of a build
    if fresh:
        _write_new(target, data)
        return record, True
    if known == record and _size(target) == record.size:
        return record, False
    if known is None and _size(target) == record.size and Path(target).read_bytes() == data:
        return record, False
    write_atomic(Path(target), data)
    return record, True


def _write_new(path: str, data: bytes) -> None:
    folder = path.rpartition("/")[0]
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
    # os-level calls: open() would also stat the file and ask whether it is a terminal
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


@contextlib.contextmanager
def staged_output(output_dir: Path) -> Iterator[tuple[Path, bool]]:
    """Where a build writes: when the output folder does not exist yet (a first or clean
    build), a staging folder beside it, renamed into place when the build ends, so readers
    see no site until it is whole and each file is written once, without a temporary copy.
    Otherwise the output folder itself, each file replaced atomically. Yields (folder,
    fresh). A failed build's staged files are moved into place too: they are whole files,
    and the partial manifest saved then lists them."""
    if os.path.lexists(output_dir):  # a folder, or a link to one (even dangling): in place
        yield output_dir, False
        return
    staging = output_dir.with_name(f".{output_dir.name}.building")
    shutil.rmtree(staging, ignore_errors=True)  # left by a build that was killed
    staging.mkdir(parents=True)
    try:
        yield staging, True
    finally:
        os.rename(staging, output_dir)


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
