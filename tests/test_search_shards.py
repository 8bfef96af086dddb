"""A large site's search index in shards: Pagefind holds a run's whole index in memory
(about 0.4 MB an article page, 2.5 GB for one language of 1,000 bulletins, more than this
machine has at 10,000), so a language's article pages are indexed in shards of about
``search_shard_pages`` pages, whole bulletins each. An edit re-indexes the one shard
holding it; the others are kept as they are (hard links, same files)."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import Future
from pathlib import Path

import pytest
from build_support import copy_project
from test_search_index import S2T, fragments, make_config, page_count, write_site

from generator import search
from generator.build import build_site
from generator.cache import folder_shard
from generator.config import SiteConfig, load_config, parse_config
from generator.errors import BulletinError
from generator.search import (
    OPTIONS_FILE,
    Outcome,
    describe_report,
    shard_count,
    update_search_index,
)


def test_shard_count_doubles_so_shards_hold_about_the_pages_asked() -> None:
    assert [shard_count(pages, 1000) for pages in (0, 1, 1000)] == [1, 1, 1]
    assert [shard_count(pages, 1000) for pages in (1001, 2000, 2001, 6015)] == [2, 2, 4, 8]
    assert shard_count(60_150, 1000) == 64


def test_a_bulletin_folder_keeps_its_shard() -> None:
    """The same shard in every process and Python (not hash(), which is salted per run):
    a change would move every bulletin and index everything again."""
    folders = [f"2025-01-{day:02d}_{day:05d}" for day in range(1, 29)]
    assert [folder_shard(folder, 8) for folder in folders[:5]] == [4, 4, 1, 0, 3]
    for count in (1, 2, 8, 64):
        assert all(0 <= folder_shard(folder, count) < count for folder in folders)
    assert len({folder_shard(folder, 8) for folder in folders}) > 4  # spread, not piled up


def articles(bulletins: int, per_bulletin: int = 1) -> dict[str, tuple[str, str, str]]:
    return {
        f"b{b:02d}/a{a}": (f"第{b}期第{a}篇", "南京市", f"安全审计第{b}期第{a}篇正文。")
        for b in range(bulletins)
        for a in range(per_bulletin)
    }


def sharded(root: Path, bulletins: int, per_shard: int = 2) -> SiteConfig:
    return dataclasses.replace(make_config(root, articles(bulletins)), search_shard_pages=per_shard)


def shards_of(bundle: Path) -> list[str]:
    options = json.loads((bundle / OPTIONS_FILE).read_text(encoding="utf-8"))
    return options.get("shards", ["./"])


def entry_inodes(bundle: Path) -> dict[str, int]:
    """Each shard's pagefind-entry.json by inode: a shard kept is the same file."""
    return {
        shard: (bundle / shard / "pagefind-entry.json").stat().st_ino for shard in shards_of(bundle)
    }


def bundle_of(config: SiteConfig) -> Path:
    return config.output_dir / "pagefind"


def test_the_index_is_in_shards_of_whole_bulletins(tmp_path: Path) -> None:
    config = sharded(tmp_path, bulletins=8)  # 8 pages, 2 a shard: 4 shards
    report = update_search_index(config)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]
    assert [t.pages for t in report.targets] == [8]
    bundle = bundle_of(config)
    shards = shards_of(bundle)
    assert 1 < len(shards) <= 4 and shards == sorted(shards)
    assert not (bundle / "pagefind.js").exists()  # only inside each shard
    records = [page for shard in shards for page in fragments(bundle / shard)]
    titles = sorted(title for title, _, _ in articles(8).values())
    assert sorted(page["meta"]["title"] for page in records) == titles
    assert sorted(page["meta"]["zh-hant/title"] for page in records) == sorted(
        S2T.convert(title) for title in titles
    )
    assert sum(page_count(bundle / shard) for shard in shards) == 8
    assert all((bundle / shard / "pagefind.js").is_file() for shard in shards)


def test_an_edit_indexes_only_the_shard_of_its_bulletin_again(tmp_path: Path) -> None:
    config = sharded(tmp_path, bulletins=8)
    update_search_index(config)
    before = entry_inodes(bundle_of(config))

    edited = articles(8)
    title, city, _ = edited["b03/a0"]
    write_site(config.output_dir, {"b03/a0": (title, city, "改写后的正文：检索分片测试。")})
    report = update_search_index(config)
    assert [t.outcome for t in report.targets] == [Outcome.INDEXED]
    assert describe_report(report).endswith(
        f"8 article pages in zh-Hans, zh-Hant (1 of {len(before)} shards indexed)"
    )
    after = entry_inodes(bundle_of(config))
    edited_shard = f"s{folder_shard('b03', 4)}/"
    assert before.keys() == after.keys()
    assert [shard for shard in after if after[shard] != before[shard]] == [edited_shard]
    records = fragments(bundle_of(config) / edited_shard)
    assert any("检索分片测试" in page["content"] for page in records)
    assert any("檢索分片測試" in page["meta"]["zh-hant/text"] for page in records)

    again = update_search_index(config)
    assert [t.outcome for t in again.targets] == [Outcome.UNCHANGED]


def test_a_site_that_grows_past_its_shards_is_indexed_again_whole(tmp_path: Path) -> None:
    config = sharded(tmp_path, bulletins=4)  # 4 pages: 2 shards
    update_search_index(config)
    before = entry_inodes(bundle_of(config))
    assert len(before) == 2

    write_site(config.output_dir, articles(12))  # 12 pages: 8 shards, every page moved
    update_search_index(config)
    after = entry_inodes(bundle_of(config))
    assert len(after) > 2 and not set(before.values()) & set(after.values())
    assert sum(page_count(bundle_of(config) / shard) for shard in after) == 12
    assert {path.name for path in bundle_of(config).iterdir()} == {
        OPTIONS_FILE,
        *(shard.rstrip("/") for shard in after),
    }


def test_one_bundle_and_shards_replace_each_other_without_leftovers(tmp_path: Path) -> None:
    config = make_config(tmp_path, articles(4))  # 4 pages, 1,000 a shard: one bundle
    update_search_index(config)
    bundle = bundle_of(config)
    assert shards_of(bundle) == ["./"] and (bundle / "pagefind.js").is_file()

    smaller = dataclasses.replace(config, search_shard_pages=1)
    update_search_index(smaller)
    assert len(shards_of(bundle)) > 1 and not (bundle / "pagefind.js").exists()

    update_search_index(config)
    assert shards_of(bundle) == ["./"] and (bundle / "pagefind.js").is_file()
    assert not [path for path in bundle.iterdir() if path.name.startswith("s")]


def test_a_failed_shard_leaves_the_last_bundle_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sharded(tmp_path, bulletins=8)
    update_search_index(config)
    before = entry_inodes(bundle_of(config))
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: no space left' >&2\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    write_site(config.output_dir, {"b05/a0": ("改", "南京市", "改写。")})
    with pytest.raises(BulletinError, match="Pagefind failed: Error: no space left"):
        update_search_index(config)
    assert entry_inodes(bundle_of(config)) == before
    assert not list(config.output_dir.rglob(".pagefind-*"))


def test_search_shard_pages_is_a_positive_whole_number() -> None:
    raw = {"title": "测试", "base_url": "https://example.org/", "province": "江苏省"}
    assert parse_config(raw, Path("site.yaml")).search_shard_pages == 1000
    assert (
        parse_config({**raw, "search_shard_pages": 500}, Path("site.yaml")).search_shard_pages
        == 500
    )
    for wrong, said in ((0, "must be at least 1"), ("many", "must be a whole number")):
        with pytest.raises(BulletinError, match=f"'search_shard_pages' {said}"):
            parse_config({**raw, "search_shard_pages": wrong}, Path("site.yaml"))


def test_changing_the_shard_size_renders_no_page_again(tmp_path: Path) -> None:
    """It changes only how the index is cut: the pages stay as they are."""
    config = load_config(copy_project(tmp_path / "site") / "site.yaml")
    first = build_site(config, search=False)
    assert first.rendered > 0
    again = build_site(dataclasses.replace(config, search_shard_pages=3), search=False)
    assert again.rendered == 0 and again.written == []


def test_a_failed_shard_stops_the_shards_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shard's documents are written while Pagefind indexes the shard before, so shards
    queue up behind a slow Pagefind: once one fails, those queued are not started."""
    monkeypatch.setattr(search, "available_memory", lambda: 1)  # one run at a time
    config = sharded(tmp_path, bulletins=8)
    calls = tmp_path / "calls"
    failing = tmp_path / "pagefind"
    failing.write_text(f"#!/bin/sh\necho run >> {calls}\nsleep 0.3\nexit 1\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    with pytest.raises(BulletinError, match="Pagefind failed"):
        update_search_index(config)
    assert calls.read_text().split() == ["run"]
    assert not bundle_of(config).exists()


def test_the_failure_reported_is_the_shard_that_failed() -> None:
    """Shards waiting for memory start in no set order, so a shard skipped because
    another failed may come first in shard order: the error raised is the real one."""
    fine, skipped, failed = Future(), Future(), Future()
    fine.set_result(None)
    skipped.set_exception(search._Skipped())
    failed.set_exception(BulletinError("Pagefind failed: Error: disk on fire"))
    with pytest.raises(BulletinError, match="disk on fire"):
        search._raise_first_failure([fine, skipped, failed])
    with pytest.raises(search.IndexingStopped):  # skipped with nothing failed: stopped
        search._raise_first_failure([fine, skipped])
    search._raise_first_failure([fine])


def test_an_error_writing_documents_stops_the_shards_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shard queued behind a running Pagefind does not start once writing a later
    shard's documents failed (disk full, say): the error comes out after the running one."""
    monkeypatch.setattr(search, "available_memory", lambda: 1)  # one run at a time
    config = sharded(tmp_path, bulletins=16)
    calls = tmp_path / "calls"
    slow = tmp_path / "pagefind"
    real = search.pagefind_binary()
    slow.write_text(f'#!/bin/sh\necho run >> {calls}\nsleep 0.3\nexec {real} "$@"\n')
    slow.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(slow))
    write = search._Documents.write
    written: list[int] = []

    def full_disk(self: search._Documents, rels: list[str]) -> None:
        written.append(len(rels))
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        write(self, rels)

    monkeypatch.setattr(search._Documents, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        update_search_index(config)
    assert calls.read_text().split() == ["run"]
    assert not bundle_of(config).exists()
