"""Run one child process and measure it: wall time, peak memory, exit status.

Peak memory is sampled from /proc every 50 ms over the child and all its descendants:
the largest per-process high-water mark (VmHWM, exact for a single process such as Hugo)
and the largest sum over the tree as PSS (proportional set size: pages shared after a
fork count once, split among their sharers, where summing RSS would count them in every
pool worker). The larger of the two is reported.

Not ``ru_maxrss`` from ``os.wait4``: on Linux a child's high-water mark starts with the
memory of the process it was forked from, so every child would report at least this
harness's own RSS (measured: 122 MB for Hugo, Pelican and ours alike at 30 bulletins).
``os.wait4`` still reaps the child and gives its CPU time (user + system, descendants
included), which a busy machine inflates far less than wall time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
DISCARDED = ".discarded"  # beside the folders discarded, on the same file system


def discard(path: Path) -> None:
    """Move ``path`` (if there) out of the way; ``empty_discarded`` deletes it once
    nothing is being timed.

    Not deleted at once: this machine's ext4 has no journal, and then the kernel skips
    every free inode deleted in the last minute whose table block is still cached
    (``recently_deleted`` in fs/ext4/ialloc.c), scanning past all of them again for each
    file or folder it creates. A cold build started right after deleting the last one's
    17,000 folders and files took 2.5 to 3 s more kernel time (sys 3.8-4.5 s against
    1.3 s): a cost of the harness's clean-up, not of the generator timed, and one that
    falls on whichever contender runs next."""
    if not path.exists() and not path.is_symlink():
        return
    bin_ = path.parent / DISCARDED
    bin_.mkdir(exist_ok=True)
    target = bin_ / f"{path.name}.{time.time_ns()}"
    path.rename(target)


def empty_discarded(root: Path) -> None:
    """Delete whatever ``discard`` moved aside under ``root`` (searched two levels deep)."""
    for bin_ in [*root.glob(DISCARDED), *root.glob(f"*/{DISCARDED}")]:
        shutil.rmtree(bin_, ignore_errors=True)


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    peak_rss: int  # bytes
    returncode: int
    log: Path  # combined stdout and stderr of the child
    cpu_seconds: float = 0.0  # user + system time of the child and its reaped descendants

    def check(self, what: str) -> Run:
        if self.returncode != 0:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{what} failed with status {self.returncode}:\n{tail}")
        return self


def run_measured(
    command: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    log: Path,
    env: dict[str, str] | None = None,
) -> Run:
    """Run ``command`` to completion; stdout and stderr go to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [str(part) for part in command], cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        sampler = TreeSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
    child.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it was reaped
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, sampler.peak, child.returncode, log, cpu)


class TreeSampler:
    """Samples the memory of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, tree_memory(self.pid))
            if self._stop.wait(SAMPLE_SECONDS):
                return


def tree_memory(pid: int) -> int:
    """Bytes: the larger of the tree's summed PSS and its largest process's VmHWM."""
    pss_sum = 0
    largest_hwm = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            pss, hwm = process_memory(current)
            pending += children(current)
        except (OSError, ValueError, IndexError):
            continue
        pss_sum += pss
        largest_hwm = max(largest_hwm, hwm)
    return max(pss_sum, largest_hwm)


def process_memory(pid: int) -> tuple[int, int]:
    """(PSS, VmHWM) in bytes; zeros for a zombie."""
    pss = hwm = 0
    with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
        for line in rollup:
            if line.startswith(b"Pss:"):
                pss = int(line.split()[1]) * 1024
                break
    with open(f"/proc/{pid}/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                hwm = int(line.split()[1]) * 1024
                break
    return pss, hwm


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", "rb") as handle:
                found += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def count_html(folder: Path) -> int:
    """Pages written: .html files anywhere under ``folder``."""
    return sum(1 for _ in folder.rglob("*.html")) if folder.exists() else 0
