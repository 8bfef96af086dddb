"""Search through the real command line and build_site: --no-search skips indexing, a plain
build indexes every language and says so, a rebuild with no article change leaves the
index alone, an edited article is searchable after the next build, and a long build says
when Pagefind starts."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from build_support import copy_project, run_cli
from test_search_index import make_config

from generator.build import PROGRESS_FROM, build_site, index_search
from generator.config import load_config
from generator.content import dump_article, read_article

BUNDLES = ("_site/pagefind", "_site/zh-hant/pagefind")


def indexed_texts(bundle: Path) -> list[str]:
    texts = []
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len("pagefind_dcd") :])
        texts.append(data["content"].replace("\u200b", ""))
    return texts


def test_no_search_then_search_then_incremental(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    skipped = run_cli(project, "build", "--no-search")
    assert skipped.returncode == 0, skipped.stderr
    assert (project / "_site" / "search" / "index.html").is_file()
    assert not any((project / bundle).exists() for bundle in BUNDLES)
    assert "search index" not in skipped.stdout

    built = run_cli(project, "build")
    assert built.returncode == 0, built.stderr
    entries = [project / bundle / "pagefind-entry.json" for bundle in BUNDLES]
    assert all(entry.is_file() for entry in entries)
    stamps = [entry.stat().st_mtime_ns for entry in entries]
    pages = len(list((project / "content").glob("*/*.md")))
    summary = built.stdout.splitlines()[-1]
    assert re.fullmatch(
        rf"search index updated in \d+\.\d\d s: zh-Hans {pages} article pages, "
        rf"zh-Hant {pages} article pages",
        summary,
    ), built.stdout
    assert "search: indexing" not in built.stderr  # too small a site to report progress

    again = run_cli(project, "build")
    assert again.returncode == 0, again.stderr
    assert [entry.stat().st_mtime_ns for entry in entries] == stamps
    assert again.stdout.splitlines()[-1] == "search index up to date"

    source = sorted((project / "content").glob("*/*.md"))[0]
    article = read_article(source, project / "content")
    article.body += "\n\n编辑补充的一段文字：检索回归测试。"
    source.write_text(dump_article(article), "utf-8")
    edited = run_cli(project, "build")
    assert edited.returncode == 0, edited.stderr
    for bundle in BUNDLES:
        assert any("检索回归测试" in text for text in indexed_texts(project / bundle))


def test_build_site_indexes_only_when_asked(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    config = load_config(project / "site.yaml")
    build_site(config, search=False)
    assert not (project / BUNDLES[0]).exists()
    build_site(config, search=True)
    assert all((project / bundle / "pagefind.js").is_file() for bundle in BUNDLES)


def test_a_long_build_says_when_pagefind_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pagefind takes longer than rendering on a large site (~30 s a language at 1,000
    bulletins): a build reporting progress must not fall silent while it runs."""
    articles = {
        f"b{n // 10}/a{n}": ("标题", "南京市", f"第{n}篇正文。") for n in range(PROGRESS_FROM)
    }
    config = make_config(tmp_path, articles)
    index_search(config, progress=True)
    said = sorted(capsys.readouterr().err.splitlines())  # the languages index at once
    assert said == [
        f"  search: indexing {PROGRESS_FROM} article pages (zh-Hans)",
        f"  search: indexing {PROGRESS_FROM} article pages (zh-Hant)",
    ]
    index_search(config, progress=True)  # nothing changed: Pagefind does not run
    assert capsys.readouterr().err == ""
