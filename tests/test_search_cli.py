"""Search through the real command line and build_site: --no-search skips indexing, a plain
build indexes every language and says so, a rebuild with no article change leaves the
index alone, an edited article is searchable after the next build, and a long build says
when Pagefind starts and how long it has been running."""

from __future__ import annotations

import gzip
import io
import json
import re
import time
from pathlib import Path

import pytest
from build_support import copy_project, run_cli
from test_search_index import make_config

from generator import build
from generator.build import PROGRESS_FROM, SearchProgress, build_site, index_search
from generator.config import load_config
from generator.content import dump_article, read_article
from generator.search import SearchTarget

BUNDLE = "_site/pagefind"
VARIANT_OPTIONS = "_site/zh-hant/pagefind/bulletin-search.json"  # points at the bundle


def indexed_records(bundle: Path) -> list[dict]:
    records = []
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len("pagefind_dcd") :])
        data["content"] = data["content"].replace("\u200b", "")
        records.append(data)
    return records


def test_no_search_then_search_then_incremental(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    skipped = run_cli(project, "build", "--no-search")
    assert skipped.returncode == 0, skipped.stderr
    assert (project / "_site" / "search" / "index.html").is_file()
    assert not (project / BUNDLE).exists() and not (project / VARIANT_OPTIONS).exists()
    assert "search index" not in skipped.stdout

    built = run_cli(project, "build")
    assert built.returncode == 0, built.stderr
    entries = [project / BUNDLE / "pagefind-entry.json", project / VARIANT_OPTIONS]
    assert all(entry.is_file() for entry in entries)
    stamps = [entry.stat().st_mtime_ns for entry in entries]
    pages = len(list((project / "content").glob("*/*.md")))
    summary = built.stdout.splitlines()[-1]
    assert re.fullmatch(
        rf"search index updated in \d+\.\d\d s: {pages} article pages in zh-Hans, zh-Hant",
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
    records = indexed_records(project / BUNDLE)
    assert any("检索回归测试" in record["content"] for record in records)
    assert any("檢索迴歸測試" in record["meta"]["zh-hant/text"] for record in records)


def test_build_site_indexes_only_when_asked(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "site")
    config = load_config(project / "site.yaml")
    build_site(config, search=False)
    assert not (project / BUNDLE).exists()
    build_site(config, search=True)
    assert (project / BUNDLE / "pagefind.js").is_file()
    assert (project / VARIANT_OPTIONS).is_file()


def test_a_long_build_says_when_pagefind_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pagefind takes longer than rendering on a large site (~40 s at 1,000 bulletins): a
    build reporting progress must not fall silent while it runs."""
    articles = {
        f"b{n // 10}/a{n}": ("标题", "南京市", f"第{n}篇正文。") for n in range(PROGRESS_FROM)
    }
    config = make_config(tmp_path, articles)
    index_search(config, progress=True)
    said = capsys.readouterr().err.splitlines()
    assert said == [f"  search: indexing {PROGRESS_FROM} article pages (zh-Hans, zh-Hant)"]
    index_search(config, progress=True)  # nothing changed: Pagefind does not run
    assert capsys.readouterr().err == ""


def test_a_long_build_keeps_saying_how_long_pagefind_has_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind prints no progress of its own and runs for a minute at 1,000 bulletins:
    off a terminal, a line every few seconds says that it is still indexing."""
    monkeypatch.setattr(build, "SEARCH_BEAT", 0.05)
    articles = {
        f"b{n // 10}/a{n}": ("标题", "南京市", f"第{n}篇正文。") for n in range(PROGRESS_FROM)
    }
    index_search(make_config(tmp_path, articles), progress=True)
    said = capsys.readouterr().err.splitlines()
    starts = [line for line in said if "still" not in line]
    assert starts == [f"  search: indexing {PROGRESS_FROM} article pages (zh-Hans, zh-Hant)"]
    beats = [line for line in said if "still" in line]
    assert beats, "Pagefind ran for more than 0.05 s without a line"
    for line in beats:
        assert re.fullmatch(r"  search: still indexing zh-Hans, zh-Hant, \d+ s", line)


def target(lang: str) -> SearchTarget:
    return SearchTarget(lang, lang, Path("/site"), "t")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def said_again(stream: io.StringIO, pattern: str, after: int = 0) -> int:
    """Wait (up to 10 s: CI machines are busy) until ``pattern`` shows after ``after``
    characters of what was said; returns how much had been said by then."""
    deadline = time.monotonic() + 10
    while not re.search(pattern, stream.getvalue()[after:]):
        assert time.monotonic() < deadline, f"never said {pattern!r}: {stream.getvalue()!r}"
        time.sleep(0.01)
    return len(stream.getvalue())


def test_search_progress_names_only_the_languages_still_indexing() -> None:
    stream = io.StringIO()
    hans, hant = target("zh-Hans"), target("zh-Hant")
    with SearchProgress(stream, beat=0.02) as progress:
        progress.started(hans, 6015)
        progress.started(hant, 6015)
        said_again(stream, "still indexing zh-Hans, zh-Hant")
        progress.finished(hans)
        said_again(stream, "still indexing zh-Hant,", len(stream.getvalue()))
        progress.finished(hant)
        quiet = stream.getvalue()
        time.sleep(0.1)
        assert stream.getvalue() == quiet  # nothing said once no language is indexing
    lines = stream.getvalue().splitlines()
    assert lines[:2] == [
        "  search: indexing 6015 article pages (zh-Hans)",
        "  search: indexing 6015 article pages (zh-Hant)",
    ]
    beat = re.compile(r"  search: still indexing (.+), \d+ s")
    running = [m.group(1) if (m := beat.fullmatch(line)) else line for line in lines[2:]]
    first_alone = running.index("zh-Hant")
    assert set(running[:first_alone]) == {"zh-Hans, zh-Hant"}
    assert set(running[first_alone:]) == {"zh-Hant"}


def test_search_progress_keeps_one_line_current_on_a_terminal() -> None:
    terminal = Terminal()
    with SearchProgress(terminal, beat=0.02) as progress:
        progress.started(target("zh-Hans"), 6015)
        said_again(terminal, "still indexing zh-Hans, ")
        progress.started(target("zh-Hant"), 6015)  # written over the live line
        said_again(terminal, "still indexing zh-Hans, zh-Hant")
    shown = terminal.getvalue()
    assert shown.endswith("\n")  # the last live line stays, ended at the close
    first, second, live = shown.split("\n")[:3]
    assert first == "  search: indexing 6015 article pages (zh-Hans)"
    assert re.fullmatch(  # the live line, then the second start written over it
        r"(\r  search: still indexing zh-Hans, \d+ s\x1b\[K)+"
        r"\r\x1b\[K  search: indexing 6015 article pages \(zh-Hant\)",
        second,
    ), repr(second)
    assert re.fullmatch(r"(\r  search: still indexing zh-Hans, zh-Hant, \d+ s\x1b\[K)+", live)
    assert shown.count("\n") == 3


def test_search_progress_stays_silent_for_a_small_site() -> None:
    stream = io.StringIO()
    with SearchProgress(stream, beat=0.01) as progress:
        progress.started(target("zh-Hans"), PROGRESS_FROM - 1)
        time.sleep(0.05)
        progress.finished(target("zh-Hans"))
    assert stream.getvalue() == ""
