"""How Pagefind runs: BackgroundIndexer (what `bulletin serve` uses to keep the index
current without making a reload wait for Pagefind) one shard at a time at the lowest
priority; a build's shards together while memory allows; a killed Pagefind explained."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from test_search_index import ARTICLES, bundle_of, make_config
from test_search_shards import sharded

from generator import search
from generator.config import SiteConfig, parse_config
from generator.errors import BulletinError
from generator.search import (
    BackgroundIndexer,
    Outcome,
    SearchReport,
    pagefind_binary,
    update_search_index,
)


def config(tmp_path: Path, title: str = "测试") -> SiteConfig:
    raw = {"title": title, "base_url": "https://example.org/", "province": "江苏省"}
    return parse_config(raw, tmp_path / "site.yaml")


class FakeUpdate:
    """Records each run; each run takes ``seconds`` and can be held until released."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.runs: list[str] = []
        self.started = threading.Event()

    def __call__(self, config: SiteConfig) -> SearchReport:
        self.runs.append(config.title)
        self.started.set()
        time.sleep(self.seconds)
        return SearchReport()


def test_a_burst_of_requests_makes_one_run_with_the_latest_config(tmp_path: Path) -> None:
    update = FakeUpdate()
    done: list[object] = []
    indexer = BackgroundIndexer(delay=0.2, update=update, on_done=done.append)
    started = time.perf_counter()
    for title in ("一", "二", "三"):
        indexer.request(config(tmp_path, title))
    assert time.perf_counter() - started < 0.1  # requests never wait for indexing
    assert indexer.wait_idle(timeout=5)
    assert update.runs == ["三"]
    assert len(done) == 1 and isinstance(done[0], SearchReport)
    indexer.close()


def test_requests_during_a_run_make_exactly_one_more_run(tmp_path: Path) -> None:
    update = FakeUpdate(seconds=0.3)
    indexer = BackgroundIndexer(delay=0.05, update=update)
    indexer.request(config(tmp_path, "一"))
    assert update.started.wait(timeout=5)
    indexer.request(config(tmp_path, "二"))
    indexer.request(config(tmp_path, "三"))
    assert indexer.wait_idle(timeout=5)
    assert update.runs == ["一", "三"]
    indexer.close()


def test_errors_reach_the_callback_and_the_worker_keeps_going(tmp_path: Path) -> None:
    calls: list[str] = []

    def failing(config: SiteConfig) -> SearchReport:
        calls.append(config.title)
        if len(calls) == 1:
            raise BulletinError("Pagefind failed: boom")
        return SearchReport()

    done: list[object] = []
    indexer = BackgroundIndexer(delay=0.01, update=failing, on_done=done.append)
    indexer.request(config(tmp_path, "一"))
    assert indexer.wait_idle(timeout=5)
    indexer.request(config(tmp_path, "二"))
    assert indexer.wait_idle(timeout=5)
    assert isinstance(done[0], BulletinError) and isinstance(done[1], SearchReport)
    indexer.close()


def recording_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the real Pagefind behind a wrapper that logs each run's niceness, start and end
    (the system's monotonic clock, which every process shares); returns the log."""
    real = pagefind_binary()
    log = tmp_path / "pagefind-runs.jsonl"
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import json, os, subprocess, sys, time\n"
        "started = time.monotonic()\n"
        f"code = subprocess.call([{str(real)!r}, *sys.argv[1:]])\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(json.dumps([os.nice(0), started, time.monotonic()]) + '\\n')\n"
        "sys.exit(code)\n",
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(wrapper))
    return log


def pagefind_runs(log: Path) -> list[tuple[int, float, float]]:
    """(niceness, start, end) of each run, in the order they started."""
    return sorted(tuple(json.loads(line)) for line in log.read_text().splitlines())  # type: ignore[misc]


@pytest.mark.skipif(shutil.which("nice") is None, reason="no nice(1) here")
def test_the_preview_server_indexes_one_shard_at_a_time_behind_its_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind holds a shard's whole index in memory and keeps cores busy for seconds a
    shard at 1,000 bulletins, after every save: in the background it must not run twice
    at once nor compete with the server's own rebuilds."""
    if os.nice(0) >= 19:
        pytest.skip("the tests already run at the lowest priority")
    log = recording_pagefind(tmp_path, monkeypatch)
    site = sharded(tmp_path / "site", bulletins=8)
    done: list[object] = []
    indexer = BackgroundIndexer(delay=0.01, on_done=done.append)
    indexer.request(site)
    assert indexer.wait_idle(timeout=120)
    indexer.close()
    assert len(done) == 1 and isinstance(done[0], SearchReport), done
    assert [t.outcome for t in done[0].targets] == [Outcome.INDEXED]
    runs = pagefind_runs(log)
    assert len(runs) > 1 and {nice for nice, _, _ in runs} == {19}
    assert not overlapping(runs)
    assert (bundle_of(site) / "bulletin-search.json").is_file()


def test_a_build_indexes_at_its_own_priority(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = recording_pagefind(tmp_path, monkeypatch)
    site = make_config(tmp_path / "site")
    report = update_search_index(site)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]
    assert [nice for nice, _, _ in pagefind_runs(log)] == [os.nice(0)]


def overlapping(runs: list[tuple[int, float, float]]) -> bool:
    """Whether any run started before a run started earlier had ended."""
    ended = float("-inf")
    for _, start, end in runs:
        if start < ended:
            return True
        ended = max(ended, end)
    return False


def test_a_build_indexes_shards_together_while_memory_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Pagefind run keeps both cores busy for only a third of its time: at 1,000
    bulletins, two at once indexed the 8 shards in 41 s against 49 s one at a time. Each
    holds its shard's whole index (about 0.4 GB there): without room for two, one waits."""
    log = recording_pagefind(tmp_path, monkeypatch)
    site = sharded(tmp_path / "site", bulletins=8)
    monkeypatch.setattr(search, "available_memory", lambda: 64 << 30)
    update_search_index(site)
    assert len(pagefind_runs(log)) > 1 and overlapping(pagefind_runs(log))

    log.unlink()
    monkeypatch.setattr(search, "available_memory", lambda: 1)  # one run always may start
    report = update_search_index(site, force=True)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]
    assert len(pagefind_runs(log)) > 1 and not overlapping(pagefind_runs(log))


def test_a_pagefind_killed_for_memory_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = tmp_path / "pagefind"
    killed.write_text("#!/bin/sh\nkill -9 $$\n", encoding="utf-8")
    killed.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(killed))
    site = make_config(tmp_path / "site")
    with pytest.raises(
        BulletinError, match=r"Pagefind failed: killed \(out of memory\?.*--no-search"
    ):
        update_search_index(site)
    assert not list(site.output_dir.rglob(".pagefind-*"))


def test_a_shard_too_large_for_the_machine_is_refused_before_pagefind_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's memory grows with the pages of a run (about 0.4 MB each): shards keep a
    run small, but set far too high they would not. Better one clear line at once than
    minutes of indexing ended by the out-of-memory killer."""
    log = recording_pagefind(tmp_path, monkeypatch)
    site = make_config(tmp_path / "site")
    too_small = len(ARTICLES) * search.PAGEFIND_BYTES_PER_PAGE - 1
    monkeypatch.setattr(search, "total_memory", lambda: too_small)
    with pytest.raises(BulletinError) as refused:
        update_search_index(site)
    message = str(refused.value)
    assert f"indexing {len(ARTICLES)} article pages in one Pagefind run" in message
    assert "search_shard_pages" in message and "--no-search" in message
    assert refused.value.path == site.output_dir
    assert not log.exists()  # no Pagefind ran
    assert not bundle_of(site).exists()

    monkeypatch.setattr(search, "total_memory", lambda: too_small + 1)
    report = update_search_index(site)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]


def test_another_pagefind_binary_indexes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index is kept only while the binary that wrote it is the one configured: a new
    Pagefind (an upgrade, or PAGEFIND_BINARY_PATH) may write bundles another way."""
    site = make_config(tmp_path / "site")
    assert [t.outcome for t in update_search_index(site).targets] == [Outcome.INDEXED]
    assert [t.outcome for t in update_search_index(site).targets] == [Outcome.UNCHANGED]
    log = recording_pagefind(tmp_path, monkeypatch)
    assert [t.outcome for t in update_search_index(site).targets] == [Outcome.INDEXED]
    assert len(pagefind_runs(log)) == 1


def test_staged_documents_wait_their_turn_one_by_one(tmp_path: Path) -> None:
    """The preview server's rebuilds run in the same process as its index updates: each
    document waits for its turn (``wait_turn``), so a rebuild never shares the processor
    with the documents' Python for long."""
    site = make_config(tmp_path / "site")
    staging = search.search_cache_dir(site) / search.SITE_KEY / "staging"
    written_before_turn: list[int] = []

    def wait_turn() -> None:
        written_before_turn.append(len(list(staging.rglob("*.html"))))

    report = update_search_index(site, wait_turn=wait_turn)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]
    assert written_before_turn == list(range(len(ARTICLES)))  # asked before each one
