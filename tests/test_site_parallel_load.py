"""Loading content across forked processes gives the same Site, the same parses in the same
order, and the same first error as loading in one process."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import site as site_module
from generator.content import (
    ArticleSource,
    BulletinMeta,
    Region,
    dump_article,
    dump_bulletin_meta,
)
from generator.errors import BulletinError
from generator.site import ArticleDoc, read_content

BODY = "江北新区今年以来累计投入资金3.2亿元。\n\n## 人才为何愿意来\n\n园区企业**新增**岗位一千个。"


def write_content(content: Path, bulletins: int, per_bulletin: int) -> None:
    for b in range(bulletins):
        folder = content / f"b{b:03d}"
        folder.mkdir(parents=True)
        for order in range(1, per_bulletin + 1):
            source = ArticleSource(
                title=f"第{b}期第{order}篇",
                body=f"{BODY}\n\n第{order}段。",
                bulletin=folder.name,
                order=order,
                slug=f"a-{order}",
                region=Region("江苏省", "南京市", "江北新区" if order % 2 else None),
                authors=[f"记者{order % 3}"],
            )
            (folder / f"{order:02d}-a-{order}.md").write_text(dump_article(source), "utf-8")


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pool even for a few files, in chunks that split bulletins."""
    monkeypatch.setattr(site_module, "PARALLEL_PARSE_BELOW", 2)
    monkeypatch.setattr(site_module, "PARSE_CHUNK", 7)


def test_pool_and_serial_parses_are_equal_and_in_reading_order(
    tmp_path: Path, small_pool: None
) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=6, per_bulletin=5)
    serial = read_content(content, False, {}, jobs=1)
    pooled = read_content(content, False, {}, jobs=2)
    assert list(pooled.docs) == list(serial.docs) == sorted(serial.docs)
    assert pooled.docs == serial.docs
    assert len(pooled.docs) == 30
    doc = pooled.docs["b000/01-a-1.md"]
    assert '<h2 id="s1">人才为何愿意来</h2>' in doc.body_html
    assert doc.source.body == ""  # the Markdown is dropped once rendered


def test_pool_reuses_a_cached_parse_whose_bytes_match(tmp_path: Path, small_pool: None) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=3, per_bulletin=4)
    first = read_content(content, False, {}, jobs=2)
    cache = dict(first.docs)
    edited = content / "b001" / "02-a-2.md"
    edited.write_text(edited.read_text("utf-8").replace("第2段", "第二段"), "utf-8")
    again = read_content(content, False, cache, jobs=2)  # no stamps: every file is read
    unchanged = [key for key in again.docs if again.docs[key] is cache[key]]
    assert len(unchanged) == 11
    assert isinstance(again.docs["b001/02-a-2.md"], ArticleDoc)
    assert "第二段" in again.docs["b001/02-a-2.md"].body_html


def fail_in_workers(monkeypatch: pytest.MonkeyPatch, fail: Callable[[], None]) -> None:
    """Parsing calls ``fail`` in forked workers, and parses as usual in this process."""
    real_parse = site_module.parse_doc
    parent = os.getpid()

    def parse_doc(data: bytes, *args: object) -> object:
        if os.getpid() != parent:
            fail()
        return real_parse(data, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(site_module, "parse_doc", parse_doc)


def load_error(content: Path, jobs: int) -> tuple[str, object, int | None]:
    """The error a load with ``jobs`` processes stops with: message, path and line."""
    with pytest.raises(BulletinError) as caught:
        read_content(content, False, {}, jobs=jobs)
    return caught.value.message, caught.value.path, caught.value.line


def test_pool_raises_the_first_failing_file_with_its_line(tmp_path: Path, small_pool: None) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=4, per_bulletin=5)
    for name in ("b001/03-a-3.md", "b003/01-a-1.md"):
        path = content / name
        path.write_text(path.read_text("utf-8").replace("slug: a-", "slug: A_"), "utf-8")
    errors = [load_error(content, jobs) for jobs in (1, 2)]
    assert errors[0] == errors[1]
    message, path, line = errors[1]
    assert path == content / "b001" / "03-a-3.md"
    assert "slug 'A_3'" in message and line is not None


def test_pool_with_three_processes_reads_metadata_meanwhile(
    tmp_path: Path, small_pool: None
) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=5, per_bulletin=6)
    meta = BulletinMeta("b002", dt.date(2025, 3, 4), "b002.txt", "00", "utf-8")
    (content / "b002" / "bulletin.yaml").write_text(dump_bulletin_meta(meta), "utf-8")
    serial = read_content(content, False, {}, jobs=1)
    pooled = read_content(content, False, {}, jobs=3)
    assert pooled.docs == serial.docs and list(pooled.docs) == list(serial.docs)
    assert pooled.bulletins == serial.bulletins
    assert dict(pooled.bulletins)["b002"] == meta
    assert dict(pooled.bulletins)["b000"] is None


def test_an_unexpected_error_in_a_worker_reaches_the_caller(
    tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (not a content error) while parsing in a worker is raised here, not lost."""
    content = tmp_path / "content"
    write_content(content, bulletins=4, per_bulletin=5)

    def bug() -> None:
        raise ZeroDivisionError("a bug in a worker")

    fail_in_workers(monkeypatch, bug)
    with pytest.raises(ZeroDivisionError, match="a bug in a worker"):
        read_content(content, False, {}, jobs=2)


def test_a_metadata_error_while_workers_parse_stops_them_and_names_the_file(
    tmp_path: Path, small_pool: None
) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=4, per_bulletin=5)
    broken = content / "b001" / "bulletin.yaml"
    broken.write_text("id: b001\ndate: [unclosed\n", "utf-8")
    errors = [load_error(content, jobs) for jobs in (1, 2)]
    assert errors[0] == errors[1]
    assert errors[1][1] == broken and errors[1][2] is not None
    assert multiprocessing.active_children() == []  # no worker left behind


def test_workers_finish_while_this_process_is_busy_meanwhile(
    tmp_path: Path, small_pool: None
) -> None:
    """The parses a worker sends (here ~4 MB, a pipe holds 1 MiB) are taken off the pipe
    while this process is busy elsewhere, so the worker never stops to wait for it."""
    content = tmp_path / "content"
    write_content(content, bulletins=4, per_bulletin=5)
    for path in content.glob("*/*.md"):
        path.write_text(path.read_text("utf-8") + "\n\n" + "长段落。" * 50_000, "utf-8")
    pending = [
        site_module._Pending(str(path), f"{path.parent.name}/{path.name}", None)
        for path in sorted(content.glob("*/*.md"))
    ]
    finished_meanwhile: list[bool] = []

    def meanwhile() -> None:
        deadline = time.monotonic() + 30
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        finished_meanwhile.append(not multiprocessing.active_children())

    results = site_module._parse_in_pool(pending, False, 2, meanwhile)
    assert finished_meanwhile == [True]
    assert sorted(src for src, _ in results) == sorted(item.src_path for item in pending)


def test_a_worker_that_dies_is_reported(
    tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    write_content(content, bulletins=4, per_bulletin=5)
    # killed, as by the out-of-memory killer: no last message
    fail_in_workers(monkeypatch, lambda: os._exit(3))
    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        read_content(content, False, {}, jobs=2)
    assert multiprocessing.active_children() == []
