"""The Builder `serve` keeps, after edits that leave every article in its place (a headline
or body fixed): it replaces the edited articles in the last site instead of loading and
planning everything again, asks the dependency index which pages to look at, and may put
off saving its caches. Whatever it skips, the output must be the bytes of a clean build."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from benchmarks.corpus import write_project
from generator import site as site_module
from generator.build import Builder, build_site
from generator.cache import content_cache_path, load_content_cache
from generator.config import SiteConfig, load_config
from generator.content import ArticleSource, dump_article, read_article
from generator.site import load_site


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def clean_tree(project: Path, scratch: Path) -> dict[str, bytes]:
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(project, scratch, ignore=shutil.ignore_patterns("_site", ".bulletin-cache"))
    build_site(load_config(scratch / "site.yaml"), search=False, jobs=1, full_views=True)
    return tree(scratch / "_site")


def assert_as_clean(project: Path, scratch: Path) -> None:
    expected = clean_tree(project, scratch)
    actual = tree(project / "_site")
    assert actual.keys() == expected.keys()
    assert [path for path in expected if actual[path] != expected[path]] == []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("corpus") / "project"
    write_project(project, 10)
    return project


@pytest.fixture
def project(corpus: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(corpus, target, ignore=shutil.ignore_patterns("_site", ".bulletin-cache"))
    return target


def shared_region_articles(config: SiteConfig) -> list[tuple[Path, ArticleSource]]:
    """The newest articles of regions with more than one: a headline fix reaches the
    other's page ("more from this region") besides the listings."""
    site, _ = load_site(config)
    keys: dict[str, None] = {}
    for term in site.terms.values():
        if term.taxonomy.value == "regions" and len(term.articles) > 1:
            keys.update(dict.fromkeys(term.articles[:2]))
    assert len(keys) >= 4
    paths = [config.content_dir / key for key in keys]
    return [(path, read_article(path, config.content_dir)) for path in paths]


def built_with_article(project: Path) -> tuple[SiteConfig, Builder, Path, ArticleSource]:
    """A builder that has built ``project`` once, and an article whose region others share."""
    config = load_config(project / "site.yaml")
    builder = Builder(config)
    builder.build(search=False, jobs=1)
    path, article = shared_region_articles(config)[0]
    return config, builder, path, article


def save(path: Path, article: ArticleSource) -> None:
    path.write_text(dump_article(article), "utf-8")


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("load_site called for an edit in place")


def test_edits_in_place_give_the_bytes_of_a_clean_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(project / "site.yaml")
    builder = Builder(config)
    builder.build(search=False, jobs=1)
    edited = shared_region_articles(config)
    with monkeypatch.context() as patch:
        patch.setattr(site_module, "load_site", _refuse)
        path, article = edited[0]
        save(path, dataclasses.replace(article, title=article.title + "（更正）"))
        first = builder.build(search=False, jobs=1)
        # Two articles at once, one with a new body (headings, excerpt).
        for path, article in edited[1:3]:
            body = "更正后的第一段。\n\n## 新的小标题\n\n" + article.body
            save(path, dataclasses.replace(article, title=article.title + "甲", body=body))
        second = builder.build(search=False, jobs=1)
    assert len(first.written) > 2 and second.written  # dependents, not just its own page
    assert_as_clean(project, tmp_path / "clean")
    reference = build_site(config, search=False, jobs=1, full_views=True)
    assert (reference.rendered, reference.written) == (0, [])


def test_an_edit_that_moves_an_article_loads_everything_again(project: Path) -> None:
    _, builder, path, article = built_with_article(project)
    save(path, dataclasses.replace(article, authors=[*article.authors, "新作者"]))
    calls = []
    real = site_module.load_site

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    site_module.load_site = counting  # type: ignore[assignment]
    try:
        result = builder.build(search=False, jobs=1)
    finally:
        site_module.load_site = real
    assert calls == [1]
    assert any(rel.startswith("authors/") for rel in result.written)


def test_an_early_page_of_an_edit_undone_before_the_build_is_put_back(
    project: Path, tmp_path: Path
) -> None:
    _, builder, path, article = built_with_article(project)
    original = path.read_bytes()
    save(path, dataclasses.replace(article, title=article.title + "（草稿）"))
    early = builder.article_pages([path])
    assert early and all("（草稿）" in data.decode() for _, data in early)
    path.write_bytes(original)  # undone: the inputs are as the last build saw them
    result = builder.build(search=False, jobs=1)
    assert sorted(result.written) == sorted(rel for rel, _ in early)
    assert_as_clean(project, tmp_path / "clean")


def test_put_off_saving_then_a_fresh_builder_finds_nothing_to_do(project: Path) -> None:
    config, builder, path, article = built_with_article(project)
    save(path, dataclasses.replace(article, title=article.title + "（更正）"))
    assert builder.build(search=False, jobs=1, defer_saving=True).written
    builder.save()
    again = Builder(config).build(search=False, jobs=1)
    assert (again.written, again.rendered) == ([], 0)


def test_caches_not_saved_yet_are_safe_for_another_builder(project: Path, tmp_path: Path) -> None:
    """A command run before serve saved its caches sees the previous build's: it renders
    the edit's pages again (rewriting them with the bytes they have)."""
    config, builder, path, article = built_with_article(project)
    save(path, dataclasses.replace(article, title=article.title + "（更正）"))
    builder.build(search=False, jobs=1, defer_saving=True)
    other = Builder(config).build(search=False, jobs=1)
    assert other.rendered
    assert_as_clean(project, tmp_path / "clean")


@pytest.mark.parametrize("written_by", ["early page", "build that put off saving"])
def test_pages_written_before_a_crash_are_checked_by_the_next_build(
    project: Path, tmp_path: Path, written_by: str
) -> None:
    """Serve killed before saving its caches, then the edit undone: the saved manifest
    still has the pages' old records, which match again; the next build must not trust
    them, as the files hold the edit."""
    config, builder, path, article = built_with_article(project)
    original = path.read_bytes()
    save(path, dataclasses.replace(article, title=article.title + "（未保存）"))
    if written_by == "early page":
        assert builder.article_pages([path])
    else:
        assert builder.build(search=False, jobs=1, defer_saving=True).written
    del builder  # killed: nothing saved
    path.write_bytes(original)
    Builder(config).build(search=False, jobs=1)
    assert_as_clean(project, tmp_path / "clean")


@pytest.mark.parametrize("frames_before_stop", [0, 1, 3, 4])  # parses, manifest, state
def test_a_save_stopped_midway_is_finished_by_the_next(
    project: Path, tmp_path: Path, frames_before_stop: int
) -> None:
    """serve gives up saving its caches when an edit comes in: whatever stage it stopped
    at (the parses, the manifest, the input state), the files on disk stay safe for
    another builder, and the next save writes everything."""
    config, builder, path, article = built_with_article(project)
    save(path, dataclasses.replace(article, title=article.title + "（更正）"))
    assert builder.build(search=False, jobs=1, defer_saving=True).written
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > frames_before_stop

    assert builder.save(stop) is False
    assert asked  # it was asked before any file was replaced
    other = Builder(config).build(search=False, jobs=1)  # before the next save
    assert other.rendered  # the edited pages are checked again, not trusted
    assert_as_clean(project, tmp_path / "clean")
    assert builder.save(lambda: False) is True
    again = Builder(config).build(search=False, jobs=1)
    assert (again.written, again.rendered) == ([], 0)


def test_the_parses_a_stopped_save_did_not_write_are_written_by_the_next(
    project: Path,
) -> None:
    config, builder, path, article = built_with_article(project)
    save(path, dataclasses.replace(article, title=article.title + "（更正）"))
    assert builder.build(search=False, jobs=1, defer_saving=True).written
    assert builder.save(lambda: True) is False
    assert builder.save() is True
    saved = load_content_cache(content_cache_path(config), builder._content_stamp())
    edited = path.relative_to(config.content_dir).as_posix()
    assert saved[edited].digest == hashlib.sha256(path.read_bytes()).hexdigest()


def same_size_title(title: str) -> str:
    """Another title of the same length in bytes, in Simplified and Traditional alike: an
    output file's size then cannot tell the pages apart, only the records can."""
    return title[:-1] + ("乙" if title.endswith("甲") else "甲")


def test_a_save_stopped_then_killed_leaves_nothing_trusted_wrongly(
    project: Path, tmp_path: Path
) -> None:
    config, builder, path, article = built_with_article(project)
    original = path.read_bytes()
    save(path, dataclasses.replace(article, title=same_size_title(article.title)))
    assert builder.build(search=False, jobs=1, defer_saving=True).written
    assert builder.save(lambda: True) is False
    del builder  # killed before the next save
    path.write_bytes(original)
    Builder(config).build(search=False, jobs=1)
    assert_as_clean(project, tmp_path / "clean")


@pytest.mark.parametrize("built_before", [False, True], ids=["no build", "a build before"])
def test_an_early_page_no_build_covered_stays_named_through_a_save(
    project: Path, tmp_path: Path, built_before: bool
) -> None:
    """serve published an edit's early page and was stopped before building it: the
    save on the way out has no manifest covering the page, so the page stays named and
    the next build checks it (here the edit was undone, to a file of the same size)."""
    config, builder, path, article = built_with_article(project)
    original = path.read_bytes()
    if built_before:  # a deferred build, then the early page of a later save
        save(path, dataclasses.replace(article, title=article.title + "（更正）"))
        assert builder.build(search=False, jobs=1, defer_saving=True).written
        original = path.read_bytes()
        article = read_article(path, config.content_dir)
    save(path, dataclasses.replace(article, title=same_size_title(article.title)))
    assert builder.article_pages([path])
    assert builder.save() is True  # what stopping serve does
    del builder
    path.write_bytes(original)
    Builder(config).build(search=False, jobs=1)
    assert_as_clean(project, tmp_path / "clean")
