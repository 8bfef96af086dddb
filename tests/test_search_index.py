"""generator.search against the real Pagefind binary, on small hand-written sites: one bundle
per language, what each indexes, and when indexing is skipped."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import opencc
import pytest

from generator.config import SiteConfig, parse_config
from generator.errors import BulletinError
from generator.search import (
    Outcome,
    SearchReport,
    pagefind_binary,
    search_cache_dir,
    update_search_index,
)

S2T = opencc.OpenCC("s2t")

ARTICLES = {
    "b1/anquan": ("江北新区：推进安全审计", "南京市", "江北新区开展安全审计工作，发现隐患问题。"),
    "b1/yinfa": ("兴化：银发志愿服务", "泰州市", "兴化市组织银发志愿服务队开展河道巡查。"),
    "b2/fuyi": ("亭湖：行政复议提速", "盐城市", "亭湖区司法局推进行政复议信息化建设。"),
}


def article_html(lang: str, title: str, city: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav><a href="/">首页</a> 导航独有词</nav>
<article data-pagefind-body data-city="{city}" data-pagefind-filter="city[data-city]">
<h1 data-pagefind-meta="title">{title}</h1>
<p data-pagefind-ignore><time datetime="2022-11-15" data-pagefind-sort="date[datetime]"
 data-pagefind-meta="date[datetime]">2022年11月15日</time></p>
<div><p>{body}</p></div>
</article>
<footer>页脚独有词</footer></body></html>
"""


def listing_html(lang: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><body><h1>往期</h1><a href="x/">安全</a></body></html>'
    )


def write_site(output: Path, articles: dict[str, tuple[str, str, str]]) -> None:
    for rel, (title, city, body) in articles.items():
        page = output / "bulletins" / rel / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_html("zh-Hans", title, city, body), encoding="utf-8")
        mirror = output / "zh-hant" / "bulletins" / rel / "index.html"
        mirror.parent.mkdir(parents=True, exist_ok=True)
        traditional = [S2T.convert(value) for value in (title, city, body)]
        mirror.write_text(article_html("zh-Hant", *traditional), encoding="utf-8")
    for root, lang in ((output, "zh-Hans"), (output / "zh-hant", "zh-Hant")):
        (root / "bulletins").mkdir(parents=True, exist_ok=True)
        (root / "bulletins" / "index.html").write_text(listing_html(lang), encoding="utf-8")


def make_config(root: Path, articles: dict[str, tuple[str, str, str]] = ARTICLES) -> SiteConfig:
    raw = {
        "title": "测试",
        "base_url": "https://example.org/",
        "province": "江苏省",
        "variants": [{"code": "zh-Hant", "prefix": "zh-hant", "opencc": "s2t"}],
    }
    config = parse_config(raw, root / "site.yaml")
    write_site(config.output_dir, articles)
    return config


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteConfig, SearchReport]:
    """One site indexed once, for the tests that only read the bundles."""
    config = make_config(tmp_path_factory.mktemp("indexed"))
    return config, update_search_index(config)


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    return make_config(tmp_path)


def fragments(bundle: Path) -> list[dict]:
    """Every indexed page as Pagefind stored it (gzip, a signature, then JSON), with the
    zero-width spaces it puts between Chinese words removed."""
    pages = []
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        page = json.loads(data[len("pagefind_dcd") :])
        page["content"] = page["content"].replace("\u200b", "")
        pages.append(page)
    return pages


def page_count(bundle: Path) -> int:
    languages = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))[
        "languages"
    ]
    return sum(language["page_count"] for language in languages.values())


def bundles(config: SiteConfig) -> tuple[Path, Path]:
    return config.output_dir / "pagefind", config.output_dir / "zh-hant" / "pagefind"


def outcomes(report: SearchReport) -> list[Outcome]:
    return [target.outcome for target in report.targets]


def test_each_language_gets_its_own_bundle_of_article_pages(
    indexed: tuple[SiteConfig, SearchReport],
) -> None:
    config, report = indexed
    assert [(t.key, t.outcome, t.pages) for t in report.targets] == [
        ("default", Outcome.INDEXED, 3),
        ("zh-hant", Outcome.INDEXED, 3),
    ]
    simplified, traditional = bundles(config)
    languages = [
        list(json.loads((b / "pagefind-entry.json").read_text())["languages"])
        for b in (simplified, traditional)
    ]
    assert languages == [["zh-hans"], ["zh-hant"]]
    for bundle in (simplified, traditional):
        assert (bundle / "pagefind.js").is_file()
        assert not (bundle / "pagefind-ui.js").exists()  # the theme has its own UI
        assert page_count(bundle) == 3  # the listing page has no data-pagefind-body
    options = json.loads((traditional / "bulletin-search.json").read_text(encoding="utf-8"))
    assert options == {"lang": "zh-Hant", "query_from": "t", "mirror": True}
    assert not list(config.output_dir.glob(".pagefind-*"))
    assert all(t.bundle_bytes > 0 for t in report.targets)


def test_only_the_article_element_is_indexed(indexed: tuple[SiteConfig, SearchReport]) -> None:
    config, _ = indexed
    pages = fragments(bundles(config)[0])
    assert sorted(p["url"] for p in pages) == [f"/bulletins/{rel}/" for rel in sorted(ARTICLES)]
    for page in pages:
        assert "导航独有词" not in page["content"]
        assert "页脚独有词" not in page["content"]
        assert "2022年11月15日" not in page["content"]  # data-pagefind-ignore
        assert page["meta"]["date"] == "2022-11-15"


def test_traditional_pages_are_indexed_by_their_simplified_text(
    indexed: tuple[SiteConfig, SearchReport],
) -> None:
    config, _ = indexed
    pages = {p["url"]: p for p in fragments(bundles(config)[1])}
    assert sorted(pages) == [f"/bulletins/{rel}/" for rel in sorted(ARTICLES)]
    for rel, (title, city, body) in ARTICLES.items():
        page = pages[f"/bulletins/{rel}/"]
        assert body in page["content"]  # Simplified words for the segmenter
        assert page["meta"]["title"] == S2T.convert(title)
        assert page["filters"] == {"city": [S2T.convert(city)]}
        trad = page["meta"]["trad"]
        assert S2T.convert(body) in trad
        # Same characters at the same places, apart from spacing: excerpts map by position.
        assert len("".join(trad.split())) == len("".join(page["content"].split()))


def test_indexing_is_skipped_until_an_article_page_changes(config: SiteConfig) -> None:
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED] * 2
    entry = bundles(config)[0] / "pagefind-entry.json"
    before = entry.stat().st_mtime_ns
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED] * 2
    listing = config.output_dir / "bulletins" / "index.html"
    listing.write_text(listing_html("zh-Hans") + "\n", encoding="utf-8")
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED] * 2
    assert entry.stat().st_mtime_ns == before

    # An edited Simplified article changes both bundles: the mirror indexes its text.
    write_site(
        config.output_dir, {"b1/anquan": ("江北新区：推进安全审计", "南京市", "新的正文内容。")}
    )
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED] * 2
    for bundle in bundles(config):
        contents = [p["content"] for p in fragments(bundle)]
        assert any("新的正文内容" in c for c in contents)
        assert not any("发现隐患问题" in c for c in contents)  # no stale fragments


def test_removed_articles_and_missing_bundles_are_reindexed(config: SiteConfig) -> None:
    update_search_index(config)
    for root in (config.output_dir, config.output_dir / "zh-hant"):
        (root / "bulletins" / "b2" / "fuyi" / "index.html").unlink()
    report = update_search_index(config)
    assert [(t.outcome, t.pages) for t in report.targets] == [(Outcome.INDEXED, 2)] * 2
    staged = search_cache_dir(config) / "zh-hant" / "staging" / "bulletins" / "b2" / "fuyi"
    assert not (staged / "index.html").exists()
    assert [page_count(bundle) for bundle in bundles(config)] == [2, 2]

    traditional = bundles(config)[1]
    for path in sorted(traditional.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    traditional.rmdir()
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED, Outcome.INDEXED]
    assert page_count(traditional) == 2
    assert outcomes(update_search_index(config, force=True)) == [Outcome.INDEXED] * 2


def test_a_site_without_articles_gets_no_bundle(tmp_path: Path) -> None:
    config = parse_config(
        {"title": "空", "base_url": "https://example.org/", "province": "江苏省"},
        tmp_path / "site.yaml",
    )
    (config.output_dir / "bulletins").mkdir(parents=True)
    (config.output_dir / "bulletins" / "index.html").write_text(listing_html("zh-Hans"))
    report = update_search_index(config)
    assert [(t.outcome, t.pages) for t in report.targets] == [(Outcome.EMPTY, 0)]
    assert not (config.output_dir / "pagefind").exists()


def test_a_failing_pagefind_is_a_bulletin_error(
    config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(BulletinError, match="Pagefind failed"):
        update_search_index(config)
    assert not bundles(config)[0].exists()
    assert not list(config.output_dir.glob(".pagefind-*"))


def raw_fragments(bundle: Path) -> list[str]:
    """Indexed text with Pagefind's word boundaries (zero-width spaces) left in."""
    texts = []
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len("pagefind_dcd") :])
        texts.append(data["content"])
    return texts


def test_why_traditional_pages_are_indexed_by_simplified_text(
    indexed: tuple[SiteConfig, SearchReport], tmp_path: Path
) -> None:
    """Pagefind's extended segmenter knows Simplified words only: on the Traditional page
    itself 審計 becomes two one-character words (so a phrase or a two-character query
    cannot match it), while the mirror document indexes 审计 as one word."""
    config, _ = indexed
    direct = tmp_path / "direct"
    run = subprocess.run(
        [
            str(pagefind_binary()),
            "--site",
            str(config.output_dir / "zh-hant"),
            "--glob",
            "bulletins/**/*.html",
            "--output-path",
            str(direct),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    zws = "\u200b"
    assert any(f"審{zws}計" in text for text in raw_fragments(direct))
    mirrored = raw_fragments(bundles(config)[1])
    assert any(f"{zws}审计{zws}" in text for text in mirrored)
    assert not any("審" in text for text in mirrored)
