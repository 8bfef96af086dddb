"""A first (or clean) build writes into a staging folder and moves it into place whole;
a build over an existing output folder replaces each changed file atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.content import FILE_MODE
from generator.output import staged_output, write_if_changed
from tests.build_support import build, copy_project


def test_staging_folder_appears_only_when_the_build_ends(tmp_path: Path) -> None:
    output = tmp_path / "public"
    with staged_output(output) as (folder, fresh):
        assert fresh and folder != output and folder.parent == tmp_path
        write_if_changed(folder, "a/b/index.html", "页面".encode(), None, fresh)
        assert not output.exists()  # readers see nothing yet
    assert (output / "a/b/index.html").read_text("utf-8") == "页面"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_existing_output_is_written_in_place_atomically(tmp_path: Path) -> None:
    output = tmp_path / "public"
    (output / "a").mkdir(parents=True)
    (output / "a/index.html").write_text("旧", "utf-8")
    with staged_output(output) as (folder, fresh):
        assert folder == output and not fresh
        _, changed = write_if_changed(folder, "a/index.html", "新".encode(), None, fresh)
    assert changed and (output / "a/index.html").read_text("utf-8") == "新"
    assert [p.name for p in (output / "a").iterdir()] == ["index.html"]  # no temporary left


def test_a_failed_first_build_keeps_the_whole_files_it_wrote(tmp_path: Path) -> None:
    output = tmp_path / "public"
    with pytest.raises(RuntimeError), staged_output(output) as (folder, fresh):
        write_if_changed(folder, "done/index.html", b"whole", None, fresh)
        raise RuntimeError("template error")
    assert (output / "done/index.html").read_bytes() == b"whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_a_killed_builds_staging_folder_is_replaced(tmp_path: Path) -> None:
    output = tmp_path / "public"
    stale = tmp_path / ".public.building"
    (stale / "old").mkdir(parents=True)
    (stale / "old/index.html").write_text("half", "utf-8")
    with staged_output(output) as (folder, fresh):
        write_if_changed(folder, "new/index.html", b"new", None, fresh)
    assert not (output / "old").exists()
    assert (output / "new/index.html").read_bytes() == b"new"


def test_first_build_and_rebuild_leave_only_the_site(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert not list(project.glob(".*building*"))
    pages = sorted(p.relative_to(project / "_site") for p in (project / "_site").rglob("*"))
    assert any(p.name == "index.html" for p in pages) and len(pages) > 50
    article = next((project / "content").glob("*/*.md"))
    article.write_text(article.read_text("utf-8").replace("。", "，", 1), "utf-8")
    second = build(project)
    assert second.returncode == 0, second.stderr
    assert not list((project / "_site").rglob("*.tmp"))
    assert not list(project.glob(".*building*"))
    # Both ways of writing give files a web server running as another user can read.
    modes = {p.stat().st_mode & 0o777 for p in (project / "_site").rglob("*") if p.is_file()}
    assert modes == {FILE_MODE} and FILE_MODE & 0o044 == 0o044


def test_an_output_link_is_written_through_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "www"  # a web server's folder the output links to
    output = tmp_path / "public"
    output.symlink_to(target, target_is_directory=True)
    target.mkdir()
    with staged_output(output) as (folder, fresh):
        assert folder == output and not fresh
        write_if_changed(folder, "index.html", b"home", None, fresh)
    assert output.is_symlink() and (target / "index.html").read_bytes() == b"home"
