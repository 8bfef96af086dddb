"""Two-phase publish in `serve`: an edit of an existing article's Markdown shows the
article's own pages (every variant) in a first event, before the full build's event
brings every other dependent page up to date."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import jinja2
import pytest
from test_serve_http import roots_for

import generator.parallel
import generator.serve
from generator.build import build_site
from generator.changes import WatchRoots, summarise_changes
from generator.config import SiteConfig, load_config
from generator.content import dump_article, parse_article
from generator.serve import BuildReport, LiveState, Rebuilder, SiteBuilder, output_url
from generator.site import Article, load_site
from generator.variants import converter_for, languages_of


@pytest.fixture
def project(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for part in ("content", "themes"):
        shutil.copytree(root / part, target / part)
    (target / "seeds").mkdir()
    shutil.copy2(root / "site.yaml", target / "site.yaml")
    return target


def _served(project: Path) -> tuple[SiteConfig, LiveState, Rebuilder, WatchRoots]:
    config_file = project / "site.yaml"
    config = load_config(config_file)
    roots = WatchRoots.from_config(config, config_file)
    state = LiveState()
    rebuilder = Rebuilder(state, SiteBuilder(config_file, config, search=False), roots, "/")
    rebuilder.build_once(summarise_changes([], roots))
    return config, state, rebuilder, roots


def _middle_article(config: SiteConfig) -> Article:
    site, _ = load_site(config)
    bulletin = site.bulletins[site.bulletin_order[0]]
    assert len(bulletin.articles) >= 3
    return site.articles[bulletin.articles[1]]  # has neighbours on both sides


def _own_urls(config: SiteConfig, article: Article) -> set[str]:
    return {
        output_url(lang.path + article.url + "index.html", "/") for lang in languages_of(config)
    }


def _edit(path: Path, **changes: object) -> None:
    source = parse_article(path.read_text(encoding="utf-8"), str(path))
    path.write_text(dump_article(dataclasses.replace(source, **changes)), encoding="utf-8")


def test_a_title_edit_shows_the_article_first_then_its_dependents(project: Path) -> None:
    config, state, rebuilder, roots = _served(project)
    article = _middle_article(config)
    path = config.content_dir / article.key
    title = article.title + "（修改稿）"
    _edit(path, title=title)

    # Watchers report the saved file and its folder.
    final = rebuilder.build_once(summarise_changes([path, path.parent], roots))
    events, _ = state.wait_for_events(1, timeout=0)
    assert [event.version for event in events] == [2, 3] and final is events[-1]
    early, full = events
    own = _own_urls(config, article)
    assert len(own) == len(languages_of(config)) >= 2
    assert set(early.pages) == own and early.failure is None
    # The neighbours show the new title in their prev/next links: the full build's event.
    assert article.prev and article.next
    site, _ = load_site(config)
    for neighbour in (article.prev, article.next):
        assert output_url(site.articles[neighbour].url + "index.html", "/") in full.pages
    assert not own & set(full.pages)  # rewritten with the same bytes: no second reload
    page = config.output_dir / article.url / "index.html"
    assert title in page.read_text(encoding="utf-8")


def test_the_early_page_is_what_a_clean_build_writes(project: Path, tmp_path: Path) -> None:
    config, _state, rebuilder, roots = _served(project)
    article = _middle_article(config)
    path = config.content_dir / article.key
    _edit(path, title=article.title + "甲", body="新的第一段。\n\n## 新小标题\n\n新的第二段。\n")
    early = rebuilder.build.early(summarise_changes([path], roots))
    assert early is not None
    written = {rel: (config.output_dir / rel).read_bytes() for rel in early.written}

    clean = dataclasses.replace(config, output_dir=tmp_path / "clean")
    build_site(clean, search=False, jobs=1, full_views=True)
    for rel, data in written.items():
        assert (clean.output_dir / rel).read_bytes() == data, rel


def test_an_edit_that_moves_the_article_waits_for_the_full_build(project: Path) -> None:
    config, state, rebuilder, roots = _served(project)
    article = _middle_article(config)
    path = config.content_dir / article.key
    _edit(path, slug=article.slug + "-new")
    rebuilder.build_once(summarise_changes([path], roots))
    events, _ = state.wait_for_events(1, timeout=0)
    assert len(events) == 1  # no early event: the page's URL changed
    assert not (config.output_dir / article.url).exists()


def test_a_broken_edit_publishes_nothing_early_and_the_build_reports_it(project: Path) -> None:
    config, state, rebuilder, roots = _served(project)
    article = _middle_article(config)
    path = config.content_dir / article.key
    path.write_text("---\ntitle: [unclosed\n---\n正文\n", encoding="utf-8")
    rebuilder.build_once(summarise_changes([path], roots))
    events, _ = state.wait_for_events(1, timeout=0)
    assert len(events) == 1 and events[0].failure is not None


def _start_build(state: LiveState) -> int:
    """Record a change and take it as the rebuild loop does: a build is then running."""
    state.record([Path("/x")])
    taken = state.take_changes(quiet=0, max_delay=0)
    assert taken is not None
    state.hand_over(*taken)
    ready = state.take_ready()
    assert ready is not None and state.building
    return ready[1]


def test_requests_for_early_pages_do_not_wait_for_the_build() -> None:
    state = LiveState()
    batch = _start_build(state)
    state.publish_early(BuildReport(written=("bulletins/b/a/index.html",)), "/", batch)
    started = time.perf_counter()
    state.wait_while_building(timeout=5, route="/bulletins/b/a/")
    state.wait_while_building(timeout=5, route="/static/style.css")
    assert time.perf_counter() - started < 1
    started = time.perf_counter()
    state.wait_while_building(timeout=0.3, route="/bulletins/b/")  # not yet rebuilt
    assert time.perf_counter() - started >= 0.3
    state.finish_build(BuildReport(), None, "/", "", batch=batch)
    _start_build(state)  # the next build: nothing published early
    started = time.perf_counter()
    state.wait_while_building(timeout=0.3, route="/bulletins/b/a/")
    assert time.perf_counter() - started >= 0.3


def test_early_pages_of_a_later_batch_outlive_the_running_build() -> None:
    """An edit saved while the last edit's build runs: its early page is served from
    memory (that build may overwrite its file) and kept out of that build's event."""
    state = LiveState()
    running = _start_build(state)
    state.record([Path("/y")])
    later = state.take_changes(quiet=0, max_delay=0)
    assert later is not None and later[1] > running
    page = "bulletins/b/a/index.html"
    state.publish_early(BuildReport(written=(page,), files=((page, b"new"),)), "/", later[1])
    assert state.early_file(page) == b"new"
    event = state.finish_build(
        BuildReport(written=(page, "index.html")), None, "/", "", False, running
    )
    assert event.pages == ("/",)  # the tab on the early page is not sent back to old bytes
    assert state.early_file(page) == b"new"
    state.hand_over(*later)
    assert state.take_ready() == ({Path("/y")}, later[1])
    state.finish_build(BuildReport(written=(page,)), None, "/", "", False, later[1])
    assert state.early_file(page) is None


@pytest.fixture
def compiled_templates(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from here on, in any environment."""
    names: list[str] = []
    compile_template = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_template(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


@pytest.fixture
def rendering_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds render in worker processes even at the seed site's size, as at a
    newsroom's: this process then compiles no template while building."""
    monkeypatch.setattr(generator.parallel, "SERIAL_BELOW", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.mark.usefixtures("rendering_in_workers")
@pytest.mark.parametrize("built_before", [False, True], ids=["first build", "up to date"])
def test_the_first_edit_after_start_compiles_no_template(
    project: Path, compiled_templates: list[str], built_before: bool
) -> None:
    """Serve readies the site, templates and converters while idle: whether its start-up
    build rendered in worker processes or found nothing to do (and loaded the site
    without rendering), the first edit shows its own page first, and neither its early
    page nor its build does start-up work (that made the first edit's page 60 ms later
    than the next)."""
    if built_before:
        build_site(load_config(project / "site.yaml"), search=False)
    config, state, rebuilder, roots = _served(project)
    if built_before:
        assert state.wait_for_events(0, timeout=0)[0][-1].pages == ()  # nothing was written
    assert compiled_templates  # while getting ready
    compiled_templates.clear()
    article = _middle_article(config)
    path = config.content_dir / article.key
    _edit(path, title=article.title + "（首次修改）")
    rebuilder.build_once(summarise_changes([path], roots))
    events, _ = state.wait_for_events(1, timeout=0)
    assert len(events) == 2 and set(events[0].pages) == _own_urls(config, article)
    assert compiled_templates == []


@pytest.mark.usefixtures("rendering_in_workers")
def test_getting_ready_writes_nothing_and_is_done_once_per_set_of_templates(
    project: Path, compiled_templates: list[str]
) -> None:
    config, _state, rebuilder, roots = _served(project)
    before = {path: path.read_bytes() for path in config.output_dir.rglob("*") if path.is_file()}
    compiled_templates.clear()
    rebuilder.build.idle()  # ready already: nothing compiled, nothing written
    assert compiled_templates == []
    after = {path: path.read_bytes() for path in config.output_dir.rglob("*") if path.is_file()}
    assert after == before

    template = config.theme_dir / "templates" / "article.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rebuilder.build_once(summarise_changes([template], roots))  # rebuilds, then gets ready
    compiled_templates.clear()
    article = _middle_article(config)
    path = config.content_dir / article.key
    _edit(path, title=article.title + "（改模板后）")
    assert rebuilder.build.early(summarise_changes([path], roots)) is not None
    assert compiled_templates == []  # the edited templates were compiled while idle


def test_early_pages_convert_with_converters_of_their_own(project: Path) -> None:
    """Early pages render in the early thread, also while a build converts in the rebuild
    thread; a converter clears its memo when full, which must never happen in the middle of
    the other thread's batch, so the two never share a converter."""
    _config, _state, rebuilder, _roots = _served(project)
    builder = rebuilder.build._builder
    specs = builder._last.specs
    assert specs  # the Traditional mirror is on
    for prefix, spec in specs.items():
        early = builder._early_converters[prefix]
        assert early.spec == spec and early is not converter_for(spec)


def test_put_off_saving_gives_way_to_an_edit_that_waits(project: Path) -> None:
    """The caches a build put off are saved once the server is idle; an edit saved
    meanwhile stops that (at 10,000 bulletins the save took 0.9 s, and the edit's build
    waited for it), and the next idle time saves them."""
    config, state, rebuilder, roots = _served(project)
    article = _middle_article(config)
    path = config.content_dir / article.key
    _edit(path, title=article.title + "（修改）")
    rebuilder._build(summarise_changes([path], roots))  # saving put off
    manifest = next(config.root.glob(".bulletin-cache/manifest-*[0-9a-f].pickle"))
    before = manifest.read_bytes()
    state.record([path])  # the next save comes in
    rebuilder.idle()
    assert manifest.read_bytes() == before
    assert state.take_changes(0, 0) is not None  # the early loop takes it
    state.hand_over({path}, 1)
    assert state.take_ready() is not None  # ...and the rebuild loop: nothing waits now
    rebuilder.idle()
    assert manifest.read_bytes() != before


def test_the_search_index_waits_while_a_build_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's documents are written between the preview's builds, not during one:
    both are Python in the server's process, and a build beside them took 2-3 times as
    long at 10,000 bulletins."""
    given: dict[str, Any] = {}

    class Indexer:
        def __init__(self, **options: Any) -> None:
            given.update(options)

        def request(self, config: SiteConfig) -> None:
            pass

    monkeypatch.setattr(generator.serve, "BackgroundIndexer", Indexer)
    config_file = project / "site.yaml"
    config = load_config(config_file)
    site_builder = SiteBuilder(config_file, config, search=True)
    building, finish = threading.Event(), threading.Event()
    real_build = site_builder._builder.build

    def held_build(*args: Any, **kwargs: Any) -> Any:
        building.set()
        finish.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(site_builder._builder, "build", held_build)
    roots = WatchRoots.from_config(config, config_file)
    build = threading.Thread(target=site_builder, args=(summarise_changes([], roots),))
    build.start()
    assert building.wait(30)
    turn = threading.Thread(target=given["wait_turn"])
    turn.start()
    turn.join(0.3)
    assert turn.is_alive()  # the index's next document waits...
    finish.set()
    build.join(120)
    turn.join(10)
    assert not turn.is_alive()  # ...until the build is done
    given["wait_turn"]()  # and between builds it does not wait


def test_a_put_off_save_that_gave_way_to_an_ignored_file_is_done_once_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's swap file, written while the caches are being saved, stops the save
    but makes no build: the save must still happen once the server is idle again."""
    monkeypatch.setattr(generator.serve, "IDLE_SECONDS", 0.05)
    project = tmp_path / "project"
    (project / "content/b1").mkdir(parents=True)
    roots = roots_for(project)
    article = project / "content/b1/01-a.md"
    swap = project / "content/b1/.01-a.md.swp"
    state = LiveState()
    saves: list[bool] = []

    class Build:
        def __call__(self, changes: Any) -> BuildReport:
            return BuildReport(written=("index.html",))

        def idle(self, stop: Any) -> bool:
            if not saves:
                state.record([swap])  # saved meanwhile by the editor
            saves.append(not stop())
            return saves[-1]

    rebuilder = Rebuilder(state, Build(), roots, "/", quiet=0.01)
    threads = [
        threading.Thread(target=rebuilder.run_early, daemon=True),
        threading.Thread(target=rebuilder.run, daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        state.record([article])
        deadline = time.monotonic() + 10
        while len(saves) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert saves[:2] == [False, True]  # gave way, then done
        assert state.builds == 1  # the swap file built nothing
    finally:
        state.stop()
        for thread in threads:
            thread.join(5)
