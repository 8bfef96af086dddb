"""An edit saved while the previous edit's build still runs: `bulletin serve` publishes
its early page at once instead of after that build, then brings every page up to date.

The running build is held deterministically: a named pipe appears in content/, so the
build it triggers blocks in its input scan (reading the pipe) until the test writes to
it. No fixed sleeps; every wait is for a condition."""

from __future__ import annotations

import dataclasses
import errno
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from test_serve_cli import TIMEOUT, Serve, article_url, copy_project, find_article, open_marked

from generator.content import dump_article

pytestmark = pytest.mark.browser


def release(pipe: Path) -> None:
    """Let a build blocked reading ``pipe`` go on (it reads nothing), and remove the pipe."""
    try:
        descriptor = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:  # no reader waiting (or no pipe): nothing is blocked
        if error.errno not in (errno.ENXIO, errno.ENOENT):
            raise
    else:
        os.close(descriptor)
    pipe.unlink(missing_ok=True)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_an_edit_during_a_running_build_shows_before_that_build_ends(
    root: Path, tmp_path: Path, page: Any
) -> None:
    project = copy_project(root, tmp_path / "project")
    serve = Serve(project, "--no-search")
    pipe = project / "content" / "held-build"
    try:
        source, article = find_article(project, "兴化")
        bulletin_page = serve.url(f"bulletins/{article.bulletin}/")
        open_marked(page, serve.url(article_url(article)))
        idle = serve.wait_for_build()
        os.mkfifo(pipe)  # a new input: the build it starts waits in its scan for a writer
        serve.wait_for(lambda status: status["building"])

        title = article.title + "（构建中修改）"
        source.write_text(dump_article(dataclasses.replace(article, title=title)), "utf-8")
        page.locator("h1", has_text=title).first.wait_for(timeout=TIMEOUT)
        held = serve.status()
        assert held["building"] and held["builds"] == idle["builds"], "".join(serve.stdout)
    finally:
        release(pipe)
    done = serve.wait_for_build(held["version"])
    assert done["builds"] >= idle["builds"] + 2 and done["error"] is None
    assert title in fetch(bulletin_page)  # the dependents caught up
    page.reload()
    page.locator("h1", has_text=title).first.wait_for(timeout=TIMEOUT)
    assert serve.stop() in (0, 130)
    assert "Traceback" not in "".join(serve.stderr)
