"""The live-edit harness waits for a quiet machine before its first save, and stops its
server cleanly."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from benchmarks import serve_latency


def _ticks(pattern: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Cumulative (busy, all) ticks from per-window (busy, all) increments."""
    busy = total = 0
    yield busy, total
    for more_busy, more_total in pattern:
        busy, total = busy + more_busy, total + more_total
        yield busy, total
    while True:
        yield busy, total + 100  # quiet from then on


@pytest.fixture
def short_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_latency, "SETTLED_FOR", 0.01)


def run_apart(coroutine: Coroutine[Any, Any, float]) -> float:
    """``asyncio.run`` on a thread of its own: once a browser test ran, the session's
    browser (Playwright's sync API) keeps an event loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _windows_waited(monkeypatch: pytest.MonkeyPatch, pattern: list[tuple[int, int]]) -> int:
    ticks = _ticks(pattern)
    calls = []

    def reading() -> tuple[int, int]:
        calls.append(1)
        return next(ticks)

    monkeypatch.setattr(serve_latency, "_cpu_ticks", reading)
    run_apart(serve_latency.machine_settled())
    return len(calls) - 1  # the first reading starts the first window


@pytest.mark.usefixtures("short_windows")
def test_waits_while_the_browser_is_busy_then_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chromium after opening the tabs: 99 %, then 67 % busy, then quiet.
    assert _windows_waited(monkeypatch, [(198, 200), (134, 200), (2, 200)]) == 3


@pytest.mark.usefixtures("short_windows")
def test_a_quiet_machine_costs_one_window(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _windows_waited(monkeypatch, [(5, 200)]) == 1


@pytest.mark.usefixtures("short_windows")
def test_gives_up_on_a_machine_that_never_settles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_latency, "SETTLE_TIMEOUT", 0.05)
    busy = [(200, 200)] * 10_000
    assert 1 <= _windows_waited(monkeypatch, busy) < 10_000


@pytest.mark.usefixtures("short_windows")
def test_without_cpu_figures_it_does_not_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_latency, "_cpu_ticks", lambda: (0, 0))
    assert run_apart(serve_latency.machine_settled()) < 1


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="no /proc/stat here")
def test_reads_this_machines_cpu_ticks() -> None:
    busy, total = serve_latency._cpu_ticks()
    assert 0 < busy < total  # a running machine has been both busy and idle


def test_stops_a_server_that_ignores_sigint(tmp_path: Path) -> None:
    """Started from a shell's background job (the harness under nohup), the server inherits
    SIGINT ignored; stopping must still end it cleanly, not kill it after 30 s."""
    project = serve_latency.copy_project(serve_latency.ROOT, tmp_path / "project")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the child
    try:
        server = serve_latency.ServeProcess(project, search=False, startup_timeout=120)
    finally:
        signal.signal(signal.SIGINT, previous)
    asked = time.monotonic()
    server.stop()
    assert time.monotonic() - asked < 10
    assert server.process.returncode == 0
    assert any("stopped" in line for line in server.lines)
