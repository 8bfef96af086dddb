"""Incremental and parallel builds write exactly the bytes of a clean single-process build.

On the seed site and on a small generated corpus, a series of edits (add an article and a
bulletin, change an article, move one to another region, delete one, change a template)
is applied in rounds. After each round the project is rebuilt incrementally (pool of two
workers, the dependency index deciding which views to compute) and compared, file by
file, with a clean build of a copy (one process, every view computed). The reference
path run over the incremental state must then find nothing to render: every page the
dependency index skipped still had its right fingerprint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from build_support import copy_project

from benchmarks.corpus import write_project
from generator import parallel
from generator.build import Builder, BuildResult, build_site
from generator.config import load_config
from generator.content import ArticleSource, Region, dump_article, read_article

Edit = Callable[[Path], None]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def build(project: Path, **options: object) -> BuildResult:
    result = build_site(load_config(project / "site.yaml"), search=False, **options)  # type: ignore[arg-type]
    assert not result.errors, result.errors
    return result


def clean_build(project: Path, scratch: Path) -> dict[str, bytes]:
    """A fresh copy of the project's inputs, built from nothing in one process."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(project, scratch, ignore=shutil.ignore_patterns("_site", ".bulletin-cache"))
    build(scratch, jobs=1, full_views=True)
    return tree(scratch / "_site")


def markdown_files(project: Path) -> list[Path]:
    return sorted((project / "content").glob("*/*.md"))


def with_region(project: Path) -> list[tuple[Path, ArticleSource]]:
    content = project / "content"
    found = [(p, read_article(p, content)) for p in markdown_files(project)]
    return [(p, a) for p, a in found if a.region and a.region.city]


def save(path: Path, article: ArticleSource) -> None:
    path.write_text(dump_article(article), "utf-8")


# --- the edits ---------------------------------------------------------------------------


def add_article_and_bulletin(project: Path) -> None:
    path, article = with_region(project)[0]
    twin = dataclasses.replace(
        article,
        title=article.title + "（续）",
        slug=article.slug + "-xu",
        order=article.order + 50,
        body="补充报道。\n\n## 新进展\n\n各方持续推进。",
    )
    save(path.with_name(f"{twin.order:02d}-{twin.slug}.md"), twin)
    folder = project / "content" / "zz-hand-written"
    folder.mkdir()
    fresh = dataclasses.replace(
        article,
        title="手写快讯：新的一期",
        slug="shou-xie",
        bulletin=folder.name,
        order=1,
        date=dt.date(2031, 1, 2),
        authors=["新作者"],
    )
    save(folder / "01-shou-xie.md", fresh)


def change_an_article(project: Path) -> None:
    """Retitle an article that shares its county (else its city) with another, so the
    change reaches pages other than its own (the other's "more from this region")."""
    regioned = with_region(project)
    counties = [a.region for _, a in regioned]
    cities = [a.region.city for _, a in regioned if a.region]
    path, article = max(
        regioned,
        key=lambda pa: (counties.count(pa[1].region) > 1, cities.count(pa[1].region.city)),
    )
    article.title = article.title + "（更正）"
    article.body = "更正后的第一段。\n\n" + article.body
    save(path, article)


def move_an_article(project: Path) -> None:
    regioned = with_region(project)
    path, article = regioned[len(regioned) // 2]
    others = [a.region for _, a in regioned if a.region and a.region.city != article.region.city]
    target = others[0] if others else Region(article.region.province, "新设市", "新设区")
    article.region = target
    save(path, article)


def delete_an_article(project: Path) -> None:
    markdown_files(project)[1].unlink()


def change_a_template(project: Path) -> None:
    template = next((project / "themes").glob("*/templates/base.html"))
    text = template.read_text("utf-8")
    changed = re.sub(r"</footer>", "<p>变更模板</p></footer>", text, count=1)
    assert changed != text
    template.write_text(changed, "utf-8")


ROUNDS: list[list[Edit]] = [
    [change_an_article, add_article_and_bulletin],
    [move_an_article, delete_an_article],
    [change_a_template],
]


def check_rounds(
    project: Path, scratch: Path, incremental_build: Callable[[], BuildResult] | None = None
) -> None:
    """``incremental_build``: how the project is rebuilt after each round (default: a fresh
    build_site call with two workers)."""
    incremental_build = incremental_build or (lambda: build(project, jobs=2))
    incremental_build()
    assert tree(project / "_site") == clean_build(project, scratch)
    for edits in ROUNDS:
        for edit in edits:
            edit(project)
        incremental = incremental_build()
        assert incremental.written, [e.__name__ for e in edits]
        expected = clean_build(project, scratch)
        actual = tree(project / "_site")
        assert actual.keys() == expected.keys()
        assert [p for p in expected if actual[p] != expected[p]] == []
        reference = build(project, jobs=1, full_views=True)
        assert (reference.rendered, reference.written) == (0, [])


@pytest.fixture
def pool_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "SERIAL_BELOW", 0)  # small sites go through the pool too


@pytest.mark.usefixtures("pool_for_any_size")
def test_seed_site_after_edits(tmp_path: Path) -> None:
    check_rounds(copy_project(tmp_path / "p"), tmp_path / "clean")


@pytest.mark.usefixtures("pool_for_any_size")
def test_generated_corpus_after_edits(tmp_path: Path) -> None:
    project = tmp_path / "corpus"
    write_project(project, 12)
    check_rounds(project, tmp_path / "clean")


def test_a_builder_kept_between_builds_as_serve_does(tmp_path: Path) -> None:
    """Parses, manifest, stamps and templates kept in memory give the same bytes."""
    project = copy_project(tmp_path / "p")
    builder = Builder(load_config(project / "site.yaml"))
    check_rounds(project, tmp_path / "clean", lambda: builder.build(search=False, jobs=1))
