"""BackgroundIndexer: what `bulletin serve` can use to keep the index current without
making a reload wait for Pagefind."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from generator.config import SiteConfig, parse_config
from generator.errors import BulletinError
from generator.search import BackgroundIndexer, SearchReport


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
