"""`bulletin serve` end to end: the real CLI in a subprocess on a copy of the project,
watched by headless Chromium. Each browser wait is for a condition, never a fixed sleep.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.content import ArticleSource, dump_article, parse_article
from generator.site import load_site
from tests.build_support import ctrl_c_reaches_children

pytestmark = pytest.mark.browser
TIMEOUT = 15_000  # ms for the browser; builds on a busy 2-core machine can be slow
STATUS = "__livereload/status"


class Serve:
    """The CLI's `serve` on a free port, its stdout and stderr collected as they come."""

    def __init__(self, project: Path, *extra: str, env: dict[str, str] | None = None):
        root = Path(__file__).resolve().parent.parent
        self.project = project
        with ctrl_c_reaches_children():  # stop() sends SIGINT, as Ctrl-C does
            self.process = subprocess.Popen(
                [sys.executable, "-m", "generator", "serve", "--port", "0", *extra],
                cwd=project,
                env={**os.environ, "PYTHONPATH": str(root), "PYTHONUNBUFFERED": "1", **(env or {})},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.origin = ""
        self.started = threading.Event()
        self._readers = [
            threading.Thread(target=self._drain, args=(self.process.stdout, self.stdout)),
            threading.Thread(target=self._drain, args=(self.process.stderr, self.stderr)),
        ]
        for reader in self._readers:
            reader.start()
        if not self.started.wait(120) or not self.origin:
            self.stop()
            pytest.fail("serve did not start:\n" + "".join(self.stdout + self.stderr))

    def _drain(self, stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)
            if " serving http://" in line and not self.origin:
                url = line.split(" serving ", 1)[1].split()[0]
                self.origin = url.split("/", 3)[0] + "//" + url.split("/", 3)[2]
                self.base = "/" + url.split("/", 3)[3]
                self.started.set()
        self.started.set()

    def url(self, path: str = "") -> str:
        return self.origin + self.base + path.lstrip("/")

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.origin}/{STATUS}", timeout=10) as response:
            return json.load(response)

    def wait_for_build(self, after: int = -1, timeout: float = 30) -> dict[str, Any]:
        """Wait until builds after version ``after`` are done and no change is pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status["version"] > after and not status["building"] and not status["pending"]:
                return status
            time.sleep(0.05)
        pytest.fail("no rebuild happened:\n" + "".join(self.stdout + self.stderr))

    def wait_for(self, predicate: Any, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if predicate(status):
                return status
            time.sleep(0.01)
        pytest.fail("serve never reached the expected state")

    def wait_for_line(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.stdout):
                return
            time.sleep(0.05)
        pytest.fail(f"serve never printed {text!r}:\n" + "".join(self.stdout + self.stderr))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        for reader in self._readers:
            reader.join(5)
        return code


def copy_project(root: Path, target: Path) -> Path:
    target.mkdir()
    for part in ("site.yaml", "content", "seeds", "themes"):
        if (root / part).is_dir():
            shutil.copytree(root / part, target / part)
        else:
            shutil.copy2(root / part, target / part)
    return target


def find_article(project: Path, place: str) -> tuple[Path, ArticleSource]:
    """The ingested article whose headline names ``place``."""
    config = load_config(project / "site.yaml")
    for path in sorted(config.content_dir.rglob("*.md")):
        article = parse_article(path.read_text(encoding="utf-8"), str(path))
        if place in article.title or article.place == place:
            return path, article
    pytest.fail(f"no article about {place} in {config.content_dir}")


def article_url(article: ArticleSource) -> str:
    return f"bulletins/{article.bulletin}/{article.slug}/"


@pytest.fixture(scope="module")
def project(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(root, tmp_path_factory.mktemp("serve") / "project")


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Serve]:
    serve = Serve(project, "--no-search")
    yield serve
    serve.stop()


def open_marked(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.__bulletinLiveStarted === true", timeout=TIMEOUT)
    page.evaluate("window.__marker = 1")


def test_headline_edit_shows_without_reloading_by_hand(server: Serve, page: Any) -> None:
    source, article = find_article(server.project, "兴化")
    open_marked(page, server.url(article_url(article)))
    assert page.locator("h1", has_text=article.title).count() >= 1
    new_title = article.title + "（实时预览）"
    source.write_text(dump_article(dataclasses.replace(article, title=new_title)), "utf-8")
    page.locator("h1", has_text=new_title).first.wait_for(timeout=TIMEOUT)
    assert page.title().startswith(new_title)
    assert page.evaluate("window.__marker") == 1  # the client swapped it in, not the test
    source.write_text(dump_article(article), "utf-8")
    page.locator("h1", has_text=new_title).wait_for(state="detached", timeout=TIMEOUT)


def test_css_change_applies_without_reload(server: Serve, page: Any) -> None:
    _, article = find_article(server.project, "兴化")
    open_marked(page, server.url(article_url(article)))
    linked = page.evaluate(
        "new URL(document.querySelector('link[rel=stylesheet]').href).pathname"
    )  # e.g. /static/style.css: the theme's static/ is copied to the output's static/
    sheet = server.project / "themes/default" / linked.removeprefix(server.base)
    original = sheet.read_text(encoding="utf-8")
    width = "getComputedStyle(document.body).borderTopWidth"
    assert page.evaluate(width) != "7px"
    sheet.write_text(original + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n", "utf-8")
    page.wait_for_function(f"{width} === '7px'", timeout=TIMEOUT)
    assert page.evaluate("window.__marker") == 1
    sheet.write_text(original, encoding="utf-8")
    page.wait_for_function(f"{width} !== '7px'", timeout=TIMEOUT)
    assert page.evaluate("window.__marker") == 1


def test_new_raw_bulletin_appears_on_the_home_page(
    server: Serve, page: Any, seed_path: Path
) -> None:
    open_marked(page, server.url())
    lines = seed_path.read_text(encoding="utf-8-sig").splitlines()
    first = next(index for index, line in enumerate(lines) if line.strip())
    marker = "再创新高"  # a headline ending no seed headline has
    lines[first] = lines[first].rstrip() + marker
    new_id = "900_servetest0000001"
    (server.project / "seeds" / f"{new_id}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    page.locator(f"a[href*='/{new_id}/']").first.wait_for(timeout=TIMEOUT * 2)
    assert page.get_by_text(marker).count() >= 1  # its changed headline is listed
    assert (server.project / "content" / new_id).is_dir()


def test_refused_reingest_warns_in_terminal_and_browser(
    server: Serve, page: Any, seed_path: Path
) -> None:
    source, article = find_article(server.project, "兴化")
    open_marked(page, server.url(article_url(article)))
    original = source.read_text(encoding="utf-8")
    seed = server.project / "seeds" / seed_path.name
    raw = seed.read_bytes()
    source.write_text(original + "\n编辑手工补充的一段。\n", encoding="utf-8")  # a hand edit
    seed.write_bytes(raw + b"\n")  # ...then the raw bulletin changes too
    notice = page.locator("#bulletin-live-notice")
    notice.wait_for(state="visible", timeout=TIMEOUT)
    assert seed.name in notice.inner_text() and "hand edits" in notice.inner_text()
    assert any("warning:" in line and seed.name in line for line in server.stderr)
    assert "编辑手工补充的一段" in source.read_text(encoding="utf-8")  # not overwritten
    seed.write_bytes(raw)
    source.write_text(original, encoding="utf-8")
    notice.wait_for(state="detached", timeout=TIMEOUT)  # the next clean build clears it


def test_moving_an_article_updates_old_and_new_region_pages(server: Serve, page: Any) -> None:
    source, article = find_article(server.project, "兴化")
    config = load_config(server.project / "site.yaml")
    site, _ = load_site(config)
    moved = site.articles[source.relative_to(config.content_dir).as_posix()]
    other = next(
        candidate
        for candidate in site.articles.values()
        if candidate.region_terms and candidate.region_terms[0] != moved.region_terms[0]
    )
    old_region = site.terms[moved.region_terms[-1]].url
    new_region = site.terms[other.region_terms[-1]].url
    other_source = parse_article(
        (config.content_dir / other.key).read_text(encoding="utf-8"), other.key
    )
    link = f"a[href$='{moved.url}']"
    new_tab = page.context.new_page()
    open_marked(page, server.url(old_region))
    open_marked(new_tab, server.url(new_region))
    assert page.locator(link).count() >= 1 and new_tab.locator(link).count() == 0
    source.write_text(
        dump_article(dataclasses.replace(article, region=other_source.region)), "utf-8"
    )
    new_tab.locator(link).first.wait_for(timeout=TIMEOUT)
    page.locator(link).first.wait_for(state="detached", timeout=TIMEOUT)
    source.write_text(dump_article(article), encoding="utf-8")
    page.locator(link).first.wait_for(timeout=TIMEOUT)
    new_tab.close()


def test_broken_front_matter_shows_overlay_until_fixed(server: Serve, page: Any) -> None:
    source, article = find_article(server.project, "兴化")
    open_marked(page, server.url(article_url(article)))
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    overlay = page.locator("#bulletin-live-error")
    overlay.wait_for(state="visible", timeout=TIMEOUT)
    assert source.name in overlay.inner_text()
    assert any(source.name in line for line in server.stderr)  # and in the terminal
    assert server.process.poll() is None
    source.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=TIMEOUT)


def test_rapid_saves_rebuild_once(server: Serve) -> None:
    files = sorted((server.project / "content").rglob("*.md"))[:5]
    originals = [path.read_text(encoding="utf-8") for path in files]
    idle = server.wait_for_build()  # nothing left over from earlier tests
    start = idle["builds"]
    for path, text in zip(files, originals, strict=True):  # an editor saving all at once
        path.write_text(text + "\n补充一段。\n", encoding="utf-8")
    after = server.wait_for_build(idle["version"])
    assert after["builds"] == start + 1, "".join(server.stdout[-5:])
    # a later single save is the second build: nothing else was queued by the burst
    files[0].write_text(originals[0], encoding="utf-8")
    final = server.wait_for_build(after["version"])
    assert final["builds"] == start + 2
    for path, text in zip(files[1:], originals[1:], strict=True):
        path.write_text(text, encoding="utf-8")


def test_built_files_never_contain_the_reload_client(server: Serve) -> None:
    output = load_config(server.project / "site.yaml").output_dir
    pages = list(output.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "bulletin-livereload" not in text and "__livereload" not in text


def test_stopping_ends_a_running_pagefind_at_once(tmp_path: Path, root: Path) -> None:
    """At 1,000 bulletins Pagefind indexes for a minute after each save. A server stopped
    meanwhile by a signal to it alone (SIGINT here; a service manager's SIGTERM takes the
    same path) must end it at once, not wait for it nor leave it running."""
    project = copy_project(root, tmp_path / "project")
    started_at = tmp_path / "pagefind.pid"
    slow = tmp_path / "pagefind"
    slow.write_text(
        f"#!/bin/sh\necho $$ > {started_at}.part\nmv {started_at}.part {started_at}\n"
        "exec sleep 300\n"
    )
    slow.chmod(0o755)
    serve = Serve(project, env={"PAGEFIND_BINARY_PATH": str(slow)})
    deadline = time.monotonic() + 60
    while not started_at.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pagefind = int(started_at.read_text())  # the start-up index is running
    asked = time.monotonic()
    code = serve.stop()
    assert time.monotonic() - asked < 10
    assert code in (0, 130)
    with pytest.raises(ProcessLookupError):
        os.kill(pagefind, 0)
    output = load_config(project / "site.yaml").output_dir
    assert not list(output.rglob(".pagefind-*")) and not list(output.rglob("pagefind"))
    said = "".join(serve.stdout + serve.stderr)
    assert "Traceback" not in said and "search index" not in said
    assert any("stopped" in line for line in serve.stdout)


def test_ctrl_c_stops_cleanly(tmp_path: Path, root: Path) -> None:
    project = copy_project(root, tmp_path / "project")
    before = {path for path in project.rglob("*") if path.is_file()}
    serve = Serve(project)  # with search: the index is built in the background
    with urllib.request.urlopen(serve.url(), timeout=10) as response:
        assert response.status == 200
    serve.wait_for_line("search index updated")
    assert (load_config(project / "site.yaml").output_dir / "pagefind").is_dir()
    source, article = find_article(project, "兴化")
    edited = dataclasses.replace(article, title=article.title + "改")
    source.write_text(dump_article(edited), encoding="utf-8")
    serve.wait_for(lambda status: status["building"] or status["version"] > 1)
    code = serve.stop()  # Ctrl-C, most likely in the middle of that rebuild
    assert code in (0, 130)
    assert "Traceback" not in "".join(serve.stderr)
    assert any("stopped" in line for line in serve.stdout)
    leftovers = [
        path
        for path in project.rglob("*")
        if path.is_file() and path not in before and path.name.endswith((".tmp", ".lock"))
    ]
    assert leftovers == []
