"""Run one child process and measure it: wall time, peak RSS, exit status.

Peak RSS comes from two places. ``os.wait4`` returns the child's rusage, whose
``ru_maxrss`` on Linux is the largest resident set of the child or of any descendant it
reaped (a process pool's workers, Python wrappers around a binary). That is a
per-process maximum, so a sampler also sums the memory of the whole process tree ten
times a second from /proc, as PSS (proportional set size: pages shared after a fork
count once, split among their sharers, where summing RSS would count them in every
worker). The larger of the two is reported.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss: int  # bytes
    returncode: int
    log: Path  # combined stdout and stderr of the child

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
    peak = max(usage.ru_maxrss * 1024, sampler.peak)  # ru_maxrss is in KiB on Linux
    return Run(seconds, peak, child.returncode, log)


class TreeSampler:
    """Samples the summed RSS of a process and its descendants until stopped."""

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
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss(self.pid))


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants, shared pages counted once."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += proportional_rss(current)
            pending += children(current)
        except (OSError, ValueError, IndexError):
            continue
    return total


def proportional_rss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
        for line in rollup:
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    return 0


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
