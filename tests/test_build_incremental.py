"""Incremental builds: nothing changed → nothing rendered or written; an edit rewrites
exactly the pages that show what changed; the result is byte-identical to a clean build;
outputs no page produces any more are pruned. Plus errors that name file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from build_support import (
    article_path,
    articles,
    build,
    built_project,
    copy_project,
    html,
    rebuild,
    run_cli,
)

HANT = "zh-hant/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return built_project(tmp_path / "p")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def article_file(project: Path, county: str) -> Path:
    for path in sorted((project / "content").glob("*/*.md")):
        if re.search(rf"^  county: {county}$", path.read_text("utf-8"), re.M):
            return path
    raise AssertionError(county)


def test_a_second_build_renders_and_writes_nothing(project: Path) -> None:
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert re.search(r": 0 files written, \d+ unchanged, 0 deleted", result.stdout)
    again = rebuild(project)
    assert (again.written, again.deleted, again.rendered) == ([], [], 0)
    assert again.skipped > 50  # every page and static file


def test_editing_a_late_paragraph_rewrites_only_that_article(project: Path) -> None:
    path = article_file(project, "亭湖区")
    text = path.read_text("utf-8")
    path.write_text(text.rstrip("\n") + "\n\n编者按：本文有补充。\n", "utf-8")
    (article,) = [
        a
        for a in articles(project)
        if a.src_path == path.relative_to(project / "content").as_posix()
    ]
    result = rebuild(project)
    assert sorted(result.written) == sorted(
        [article_path(article) + "index.html", article_path(article, HANT) + "index.html"]
    )
    page = html(project / "_site" / article_path(article, HANT) / "index.html")
    assert "編者按：本文有補充。" in page.css_first(".article-body").text()


def test_a_headline_fix_rewrites_exactly_the_pages_that_show_it(project: Path) -> None:
    path = article_file(project, "亭湖区")
    text = path.read_text("utf-8")
    old_title = re.search(r"^title: (.*)$", text, re.M).group(1)
    new_title = old_title + "（修订）"
    path.write_text(text.replace(f"title: {old_title}", f"title: {new_title}", 1), "utf-8")
    (article,) = [a for a in articles(project) if a.title == new_title]
    result = rebuild(project)
    site = project / "_site"
    converted = html(site / article_path(article, HANT) / "index.html").css_first("h1").text()
    showing = {
        rel
        for rel, data in tree(site).items()
        if new_title.encode() in data or converted.encode() in data
    }
    assert set(result.written) == showing
    assert result.rendered < 60  # most of the ~130 pages were not even rendered
    # The URL stays: it comes from the slug, not the headline.
    assert (site / article_path(article) / "index.html").is_file()


def test_incremental_output_is_byte_identical_to_a_clean_build(
    project: Path, tmp_path: Path
) -> None:
    site = project / "_site"
    edited = article_file(project, "兴化市")
    text = edited.read_text("utf-8")
    edited.write_text(text.replace("- 崔年\n", "- 崔年\n- 谷雨\n"), "utf-8")  # a new author
    rebuild(project)
    article_file(project, "邗江区").unlink()  # an article removed
    rebuild(project)
    clean = copy_project(tmp_path / "clean")
    shutil.rmtree(clean / "content", ignore_errors=True)
    shutil.copytree(project / "content", clean / "content")
    build(clean)
    incremental, fresh = tree(site), tree(clean / "_site")
    assert incremental.keys() == fresh.keys()
    assert [rel for rel in incremental if incremental[rel] != fresh[rel]] == []
    assert "authors/gu-yu/index.html" in incremental


def test_a_removed_article_takes_its_pages_with_it(project: Path) -> None:
    site = project / "_site"
    path = article_file(project, "兴化市")
    (article,) = [a for a in articles(project) if a.src_path.endswith(path.name)]
    path.unlink()
    result = rebuild(project)
    gone = {article_path(article, p) + "index.html" for p in ("", HANT)}
    assert gone <= set(result.deleted)
    assert not (site / article_path(article)).exists()  # emptied folders go too
    assert not (site / "regions/tai-zhou-shi").exists()
    for name in article.authors:
        assert all(name not in a.text() for a in html(site / "authors/index.html").css("a"))
    assert all(not (site / rel).exists() for rel in result.deleted)


def test_template_changes_rerender_and_missing_outputs_return(project: Path) -> None:
    site = project / "_site"
    (site / "regions/index.html").unlink()
    result = rebuild(project)
    assert result.written == ["regions/index.html"] and result.rendered == 1
    base = project / "themes/default/templates/base.html"
    base.write_text(base.read_text("utf-8").replace("</footer>", "<!-- x --></footer>"), "utf-8")
    result = rebuild(project)
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert set(result.written) == pages


def test_front_matter_errors_name_the_file_and_line(project: Path) -> None:
    path = article_file(project, "江宁区")
    lines = path.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("order:"))
    lines[number] = "order: first"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 1
    assert f"{path.name}:{number + 1}:" in result.stderr
    assert "order" in result.stderr


def test_bulletin_metadata_errors_name_the_file_and_line(project: Path) -> None:
    # The seed check reads only the digest line: an error below it still stops the build.
    path = next((project / "content").glob("*/bulletin.yaml"))
    lines = path.read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("articles:"))
    lines.insert(number, "date: [2022-10-20")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 1
    found = re.search(rf"{re.escape(str(path))}:(\d+): invalid YAML", result.stderr)
    assert found and int(found[1]) in (number + 1, number + 2)  # the line, or where it ends
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_template_errors_name_the_template_and_line(project: Path) -> None:
    template = project / "themes/default/templates/home.html"
    lines = template.read_text("utf-8").splitlines()
    lines[3] = "{% for x in %}"
    template.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 1
    assert "templates/home.html:4:" in result.stderr
    lines[3] = "{{ no_such_value }}"
    template.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 1
    assert "templates/home.html:4:" in result.stderr and "no_such_value" in result.stderr
