"""The pure functions of themes/default/static/search.js, run in Chromium: splitting a query
into the index's words, reading Pagefind's excerpt, and mapping it onto Traditional text."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from build_support import serve_directory

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parent.parent / "themes" / "default" / "static"


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("js")
    shutil.copytree(STATIC, folder / "static")
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-Hans"><meta charset="utf-8"><body></body></html>'
    )
    with serve_directory(folder) as url:
        yield url


@pytest.fixture(scope="module")
def js(browser: object, origin: str) -> Iterator[object]:
    """One page for the whole module: these functions keep no state between calls."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(origin)
    yield page
    context.close()


def call(page: object, body: str, *args: object) -> object:
    """Run ``body`` with the module imported as ``m`` and the arguments as ``args``."""
    script = f"async (args) => {{ const m = await import('/static/search.js'); {body} }}"
    return page.evaluate(script, list(args))  # type: ignore[attr-defined]


def test_query_chunks_keep_quoted_phrases_whole(js: object) -> None:
    chunks = call(js, "return m.queryChunks(args[0]);", '安全审计 "行政 复议" “银发”，qwzx!')
    assert chunks == [
        {"text": "安全审计", "phrase": False},
        {"text": "行政 复议", "phrase": True},
        {"text": "银发", "phrase": True},
        {"text": "qwzx", "phrase": False},
    ]


def test_text_runs_separate_han_from_other_letters(js: object) -> None:
    runs = call(js, "return m.textRuns(args[0]);", "安全审计qwzx2022年 APP")
    assert runs == ["安全审计", "qwzx2022", "年", "APP"]


SPLIT = """
    const words = new Set(args[1]);
    const prefixes = args[2];
    const isWord = async (t) => words.has(t);
    const isPrefix = async (t) => prefixes.some((w) => w.startsWith(t));
    const tests = args[3] ? [isWord] : [isWord, isPrefix];
    return m.splitRun(args[0], tests);
"""
VOCABULARY = ["安全", "审计", "复议", "行政", "亭", "湖", "亭湖区", "app"]


@pytest.mark.parametrize(
    ("run", "words_only", "expected"),
    [
        ("安全审计", False, [("安全", True), ("审计", True)]),
        ("行政复议", False, [("行政", True), ("复议", True)]),
        # Longest first, whether a whole word or the start of one.
        ("亭湖", False, [("亭湖", True)]),
        ("亭湖", True, [("亭", True), ("湖", True)]),
        ("审计龘龘安全", False, [("审计", True), ("龘龘", False), ("安全", True)]),
        ("APP", False, [("app", True)]),
        ("ap", True, [("ap", False)]),
        ("ap", False, [("ap", True)]),
    ],
)
def test_split_run_prefers_the_longest_index_word(
    js: object, run: str, words_only: bool, expected: list[tuple[str, bool]]
) -> None:
    pieces = call(js, SPLIT, run, VOCABULARY, VOCABULARY, words_only)
    assert [(p["text"], p["known"]) for p in pieces] == expected  # type: ignore[union-attr]


def test_excerpt_pieces_mark_highlights_and_unescape(js: object) -> None:
    pieces = call(js, "return m.excerptPieces(args[0]);", "甲 &lt;乙&gt; <mark>安全</mark>审计.")
    assert pieces == [["甲 <乙> ", False], ["安全", True], ["审计.", False]]


def test_mirror_pieces_map_by_position_ignoring_spacing(js: object) -> None:
    simplified, traditional = "江北新区推进安全审计. 发现隐患", "江北新區推進安全審計.  發現隱患"
    pieces = [["推进", False], ["安全", True], ["审计. 发现", False]]
    mapped = call(js, "return m.mirrorPieces(...args);", pieces, simplified, traditional)
    # Spacing inside a piece is the Traditional text's own; around pieces it is kept.
    assert mapped == [["推進", False], ["安全", True], ["審計.  發現", False]]


def test_mirror_pieces_fall_back_when_texts_do_not_line_up(js: object) -> None:
    pieces = [["推进", False], ["安全", True]]
    mapped = call(js, "return m.mirrorPieces(...args);", pieces, "推进安全审计", "推進安全審計工作")
    assert mapped == pieces


# A record of the shared index as Pagefind's data() gives it (site served under /news/).
RECORD = {
    "url": "/news/bulletins/2022-11-15/jiang-bei/",
    "content": "江北新区推进安全审计",
    "excerpt": "推进<mark>安全</mark>审计",
    "meta": {
        "title": "江北新区：安全审计",
        "region": "南京市 · 江北新区",
        "date": "2022-11-15",
        "zh-hant/title": "江北新區：安全審計",
        "zh-hant/region": "南京市 · 江北新區",
        "zh-hant/text": "江北新區推進安全審計",
    },
}


def test_a_result_on_the_default_language_page_is_the_record_itself(js: object) -> None:
    view = {"variant": "", "baseUrl": "/news/"}
    shown = call(js, "return m.localResult(...args);", RECORD, view)
    assert shown == {
        "url": "/news/bulletins/2022-11-15/jiang-bei/",
        "title": "江北新区：安全审计",
        "region": "南京市 · 江北新区",
        "date": "2022-11-15",
        "excerpt": "推进<mark>安全</mark>审计",
        "content": "江北新区推进安全审计",
        "text": None,
    }
    assert call(js, "return m.filterKey(...args);", "city", view) == "city"


def test_a_result_on_a_variant_page_shows_the_variant(js: object) -> None:
    view = {"variant": "zh-hant", "baseUrl": "/news/"}
    shown = call(js, "return m.localResult(...args);", RECORD, view)
    assert shown["url"] == "/news/zh-hant/bulletins/2022-11-15/jiang-bei/"
    assert (shown["title"], shown["region"]) == ("江北新區：安全審計", "南京市 · 江北新區")
    assert shown["date"] == "2022-11-15" and shown["text"] == "江北新區推進安全審計"
    assert call(js, "return m.filterKey(...args);", "city", view) == "zh-hant/city"


def test_a_variant_without_its_own_fields_falls_back_to_the_record(js: object) -> None:
    bare = {**RECORD, "meta": {"title": "江北新区：安全审计", "date": "2022-11-15"}}
    view = {"variant": "zh-hant", "baseUrl": "/news/"}
    shown = call(js, "return m.localResult(...args);", bare, view)
    assert shown["title"] == "江北新区：安全审计" and shown["text"] is None


# Results as Pagefind gives them: an id, a score, and data() loading the page's fragment.
MERGE = """
    const loaded = [];
    const result = ([id, score, date]) => ({
        id, score, data: async () => { loaded.push(id); return { url: id, meta: { date } }; },
    });
    const merged = new m.MergedResults(args[0].map((list) => list.map(result)), args[1]);
    const pages = [];
    for (const size of args[2]) pages.push((await merged.next(size)).map((d) => d.url));
    return { count: merged.count, pages, loaded };
"""
SHARDS = [  # each shard's results in Pagefind's order for the sort asked
    [["a", 0.9, "2024-03-01"], ["b", 0.2, "2024-01-05"], ["c", 0.1, ""]],
    [["d", 0.5, "2024-04-01"], ["e", 0.4, "2024-02-01"]],
    [],
]


def test_merged_results_by_relevance_follow_the_scores_of_every_shard(js: object) -> None:
    merged = call(js, MERGE, SHARDS, False, [2, 2, 10])
    assert merged["count"] == 5
    assert merged["pages"] == [["a", "d"], ["e", "b"], ["c"]]
    assert merged["loaded"] == ["a", "d", "e", "b", "c"]  # a page at a time


def test_merged_results_by_date_are_newest_first_over_every_shard(js: object) -> None:
    """Each shard sorts its own results by date; merging reads only the dates at the
    heads of the lists (and the next in each, ahead of time), so showing the first page
    of results loads little more than that page."""
    merged = call(js, MERGE, SHARDS, True, [2])
    assert merged["pages"] == [["d", "a"]]
    assert sorted(merged["loaded"]) == ["a", "b", "d", "e"]  # not c: two behind a head
    everything = call(js, MERGE, SHARDS, True, [2, 2, 2])
    assert everything["pages"] == [["d", "a"], ["e", "b"], ["c"]]  # undated pages last
