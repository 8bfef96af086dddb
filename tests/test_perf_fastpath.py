"""The no-change fast path: file stamps (size, mtime_ns, inode) decide what to hash again;
a touched but unchanged file is still unchanged, any changed byte takes the full path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from build_support import built_project, rebuild

from generator.cache import FileStamp, scan_files


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return built_project(tmp_path / "p")


def an_article(project: Path) -> Path:
    return sorted((project / "content").glob("*/*.md"))[0]


def test_nothing_changed_is_answered_from_the_stamps_alone(project: Path) -> None:
    result = rebuild(project)
    assert "check" in result.timings  # no page planned, no view computed
    assert (result.written, result.deleted, result.rendered) == ([], [], 0)
    assert result.skipped > 50


def test_a_touched_file_is_hashed_again_and_found_unchanged(project: Path) -> None:
    path = an_article(project)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    result = rebuild(project)
    assert "check" in result.timings
    assert result.written == []


def test_a_changed_byte_of_the_same_size_rebuilds(project: Path) -> None:
    path = an_article(project)
    text = path.read_text("utf-8")
    changed = re.sub(r"。", "！", text, count=1)
    assert len(changed.encode()) == len(text.encode())
    stat = path.stat()
    path.write_text(changed, "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    result = rebuild(project)
    assert "check" not in result.timings
    assert any(rel.endswith("index.html") for rel in result.written)


def test_a_deleted_output_file_is_written_again(project: Path) -> None:
    (project / "_site" / "robots.txt").unlink()
    result = rebuild(project)
    assert "robots.txt" in result.written


def test_site_settings_are_part_of_the_stamp(project: Path) -> None:
    config = project / "site.yaml"
    config.write_text(config.read_text("utf-8").replace("page_size: 20", "") + "\npage_size: 1\n")
    result = rebuild(project)
    assert "check" not in result.timings
    assert any("page/2/" in rel for rel in result.written)


def test_fresh_files_are_stamped_to_be_hashed_again(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("一", "utf-8")
    stamps: dict[str, FileStamp] = scan_files([tmp_path], {})
    assert stamps[str(path)][2] == -1  # modified just now: its mtime may not move again
    old = path.stat().st_mtime_ns - 10_000_000_000
    os.utime(path, ns=(old, old))
    settled = scan_files([tmp_path], stamps)
    assert settled[str(path)][2] == path.stat().st_ino
    assert settled[str(path)][3] == stamps[str(path)][3]
