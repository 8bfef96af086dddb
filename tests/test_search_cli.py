"""Search through the real command line and build_site: --no-search skips indexing, a plain
build indexes every language, a rebuild with no article change leaves the index alone,
and an edited article is searchable after the next build."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from build_support import copy_project, run_cli

from generator.build import build_site
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

    built = run_cli(project, "build")
    assert built.returncode == 0, built.stderr
    entries = [project / bundle / "pagefind-entry.json" for bundle in BUNDLES]
    assert all(entry.is_file() for entry in entries)
    stamps = [entry.stat().st_mtime_ns for entry in entries]

    again = run_cli(project, "build")
    assert again.returncode == 0, again.stderr
    assert [entry.stat().st_mtime_ns for entry in entries] == stamps

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
