"""generator.search against the real Pagefind binary, on small hand-written sites: one bundle
for every language, what it indexes, and when indexing is skipped."""

from __future__ import annotations

import dataclasses
import gzip
import json
import shutil
import subprocess
from pathlib import Path

import opencc
import pytest

from generator.config import SiteConfig, parse_config
from generator.errors import BulletinError
from generator.search import (
    SITE_KEY,
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


def bundle_of(config: SiteConfig) -> Path:
    return config.output_dir / "pagefind"


def variant_options(config: SiteConfig) -> dict:
    path = config.output_dir / "zh-hant" / "pagefind" / "bulletin-search.json"
    return json.loads(path.read_text(encoding="utf-8"))


def outcomes(report: SearchReport) -> list[Outcome]:
    return [target.outcome for target in report.targets]


def test_every_language_searches_one_bundle_of_article_pages(
    indexed: tuple[SiteConfig, SearchReport],
) -> None:
    config, report = indexed
    assert [(t.key, t.outcome, t.pages, t.lang) for t in report.targets] == [
        (SITE_KEY, Outcome.INDEXED, 3, "zh-Hans, zh-Hant"),
    ]
    bundle = bundle_of(config)
    languages = json.loads((bundle / "pagefind-entry.json").read_text())["languages"]
    assert list(languages) == ["zh-hans"]
    assert (bundle / "pagefind.js").is_file()
    assert not (bundle / "pagefind-ui.js").exists()  # the theme has its own UI
    assert page_count(bundle) == 3  # the listing page has no data-pagefind-body
    options = json.loads((bundle / "bulletin-search.json").read_text(encoding="utf-8"))
    assert options == {"lang": "zh-Hans", "query_from": "t"}
    # The variant's folder only points its search page at the shared bundle.
    variant_folder = config.output_dir / "zh-hant" / "pagefind"
    assert [p.name for p in variant_folder.iterdir()] == ["bulletin-search.json"]
    assert variant_options(config) == {
        "bundle": "../../pagefind/",
        "variant": "zh-hant",
        "lang": "zh-Hant",
        "query_from": "t",
    }
    assert not list(config.output_dir.rglob(".pagefind-*"))
    assert report.targets[0].bundle_bytes > 0


def test_only_the_article_element_is_indexed(indexed: tuple[SiteConfig, SearchReport]) -> None:
    config, _ = indexed
    pages = fragments(bundle_of(config))
    assert sorted(p["url"] for p in pages) == [f"/bulletins/{rel}/" for rel in sorted(ARTICLES)]
    for page in pages:
        assert "导航独有词" not in page["content"]
        assert "页脚独有词" not in page["content"]
        assert "2022年11月15日" not in page["content"]  # data-pagefind-ignore
        assert page["meta"]["date"] == "2022-11-15"


def test_each_record_holds_every_language(indexed: tuple[SiteConfig, SearchReport]) -> None:
    """The Simplified text is indexed once; the variant's text, title and filters ride
    along under its own keys."""
    config, _ = indexed
    pages = {p["url"]: p for p in fragments(bundle_of(config))}
    for rel, (title, city, body) in ARTICLES.items():
        page = pages[f"/bulletins/{rel}/"]
        assert body in page["content"]  # Simplified words for the segmenter
        assert page["meta"]["title"] == title
        assert page["meta"]["zh-hant/title"] == S2T.convert(title)
        assert page["filters"] == {"city": [city], "zh-hant/city": [S2T.convert(city)]}
        assert page["meta"]["date"] == page["meta"]["zh-hant/date"] == "2022-11-15"
        trad = page["meta"]["zh-hant/text"]
        assert S2T.convert(body) in trad
        # Same characters at the same places, apart from spacing: excerpts map by position.
        assert len("".join(trad.split())) == len("".join(page["content"].split()))


def test_indexing_is_skipped_until_an_article_page_changes(config: SiteConfig) -> None:
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED]
    entry = bundle_of(config) / "pagefind-entry.json"
    before = entry.stat().st_mtime_ns
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED]
    listing = config.output_dir / "bulletins" / "index.html"
    listing.write_text(listing_html("zh-Hans") + "\n", encoding="utf-8")
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED]
    assert entry.stat().st_mtime_ns == before

    write_site(
        config.output_dir, {"b1/anquan": ("江北新区：推进安全审计", "南京市", "新的正文内容。")}
    )
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED]
    pages = fragments(bundle_of(config))
    assert any("新的正文内容" in p["content"] for p in pages)
    assert not any("发现隐患问题" in p["content"] for p in pages)  # no stale fragments
    assert any("新的正文內容" in p["meta"]["zh-hant/text"] for p in pages)


def test_a_change_to_a_variant_page_alone_is_indexed(config: SiteConfig) -> None:
    """A variant's page can change without the Simplified one (an override in site.yaml):
    the record holds its title and text, so the article is indexed again."""
    update_search_index(config)
    page = config.output_dir / "zh-hant" / "bulletins" / "b1" / "anquan" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("審計", "稽核"), encoding="utf-8")
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED]
    record = next(p for p in fragments(bundle_of(config)) if p["url"] == "/bulletins/b1/anquan/")
    assert record["meta"]["zh-hant/title"] == "江北新區：推進安全稽核"
    assert "审计" in record["content"]


def test_removed_articles_and_missing_bundles_are_reindexed(config: SiteConfig) -> None:
    update_search_index(config)
    for root in (config.output_dir, config.output_dir / "zh-hant"):
        (root / "bulletins" / "b2" / "fuyi" / "index.html").unlink()
    report = update_search_index(config)
    assert [(t.outcome, t.pages) for t in report.targets] == [(Outcome.INDEXED, 2)]
    staged = search_cache_dir(config) / SITE_KEY / "staging" / "bulletins" / "b2" / "fuyi"
    assert not (staged / "index.html").exists()
    assert page_count(bundle_of(config)) == 2

    shutil.rmtree(bundle_of(config))
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED]
    assert page_count(bundle_of(config)) == 2
    shutil.rmtree(config.output_dir / "zh-hant" / "pagefind")
    assert outcomes(update_search_index(config)) == [Outcome.UNCHANGED]
    assert variant_options(config)["variant"] == "zh-hant"  # pointed at the bundle again
    assert outcomes(update_search_index(config, force=True)) == [Outcome.INDEXED]


def test_a_bundle_per_language_from_before_is_cleared(config: SiteConfig) -> None:
    """Sites indexed before the languages shared a bundle had one in each variant's
    folder, and its mirror documents in the cache: both go."""
    old_bundle = config.output_dir / "zh-hant" / "pagefind"
    (old_bundle / "s0").mkdir(parents=True)
    (old_bundle / "s0" / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    (old_bundle / "bulletin-search.json").write_text('{"shards": ["s0/"]}', encoding="utf-8")
    old_caches = [search_cache_dir(config) / key for key in ("zh-hant", "default")]
    for old_cache in old_caches:
        (old_cache / "staging").mkdir(parents=True)
        (old_cache / "state.json").write_text("{}", encoding="utf-8")
    (config.output_dir / "zh-hant" / ".pagefind-new").mkdir()  # a build killed mid-swap
    update_search_index(config)
    assert [p.name for p in old_bundle.iterdir()] == ["bulletin-search.json"]
    assert variant_options(config)["bundle"] == "../../pagefind/"
    assert not any(old_cache.exists() for old_cache in old_caches)
    assert not (config.output_dir / "zh-hant" / ".pagefind-new").exists()


def test_a_page_gone_after_a_failed_update_leaves_no_record(
    config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update that fails after writing a new article's document saves no state; if the
    article then goes, no scan reports it removed, yet its document must not be indexed."""
    update_search_index(config)
    write_site(config.output_dir, {"b9/new": ("新文章", "南京市", "短暂存在的文章。")})
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(BulletinError, match="Pagefind failed"):
        update_search_index(config)
    for root in (config.output_dir, config.output_dir / "zh-hant"):
        shutil.rmtree(root / "bulletins" / "b9")
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    update_search_index(config, force=True)
    urls = sorted(p["url"] for p in fragments(bundle_of(config)))
    assert urls == [f"/bulletins/{rel}/" for rel in sorted(ARTICLES)]


def test_a_variant_prefix_never_shares_the_index_cache(tmp_path: Path) -> None:
    """The index's cache folder is named so no variant prefix can be it (a variant
    called "default" once had its folder cleared as an old layout's on every update)."""
    articles = dict(ARTICLES)
    config = make_config(tmp_path, articles)
    variant = dataclasses.replace(config.variants[0], prefix="default")
    config = dataclasses.replace(config, variants=(variant,))
    write_site(config.output_dir, articles)
    (config.output_dir / "zh-hant").rename(config.output_dir / "default")
    update_search_index(config)
    page = config.output_dir / "bulletins" / "b1" / "anquan" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert outcomes(update_search_index(config)) == [Outcome.INDEXED]
    assert page_count(bundle_of(config)) == 3


def test_a_variant_taken_out_of_the_site_loses_its_search_files(config: SiteConfig) -> None:
    """The build prunes a removed variant's pages; its pointer to the index is search's
    to remove, and so are the staged documents, which a site without variants does not
    use (it indexes its pages directly)."""
    update_search_index(config)
    staging = search_cache_dir(config) / SITE_KEY / "staging"
    assert staging.is_dir()
    shutil.rmtree(config.output_dir / "zh-hant" / "bulletins")  # as the build prunes them
    alone = dataclasses.replace(config, variants=())
    assert outcomes(update_search_index(alone)) == [Outcome.INDEXED]
    assert not (config.output_dir / "zh-hant").exists()
    assert not staging.exists()
    assert page_count(bundle_of(config)) == 3


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


def test_a_site_with_variants_and_no_articles_gets_no_bundle(config: SiteConfig) -> None:
    update_search_index(config)
    for root in (config.output_dir, config.output_dir / "zh-hant"):
        shutil.rmtree(root / "bulletins")
    report = update_search_index(config)
    assert [(t.outcome, t.pages) for t in report.targets] == [(Outcome.EMPTY, 0)]
    assert not bundle_of(config).exists()
    assert not (config.output_dir / "zh-hant" / "pagefind").exists()


def test_a_failing_pagefind_is_a_bulletin_error(
    config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(BulletinError, match="Pagefind failed"):
        update_search_index(config)
    assert not bundle_of(config).exists()
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
    cannot match it), while the shared document indexes 审计 as one word."""
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
    mirrored = raw_fragments(bundle_of(config))
    assert any(f"{zws}审计{zws}" in text for text in mirrored)
    assert not any("審" in text for text in mirrored)
