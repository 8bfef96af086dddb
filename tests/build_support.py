"""Helpers for the build tests: a copy of the project in a temporary folder, the real CLI,
parsed HTML, and a static server for browser tests. Not a test module itself."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from generator.build import BuildResult, build_site
from generator.config import load_config
from generator.content import ArticleSource, read_article

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("site.yaml", "seeds", "themes", "content")


@contextlib.contextmanager
def ctrl_c_reaches_children() -> Iterator[None]:
    """Processes started inside take SIGINT as a terminal's job does, even when this test
    run is itself a shell's background job: that ignores SIGINT, children inherit the
    ignoring, and tests of Ctrl-C then saw a build finish and servers never stop. A
    handler (not an ignore) here is reset to the default in the child."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def copy_project(dest: Path, base_url: str | None = None, output_dir: str | None = None) -> Path:
    """The project's own files (site.yaml, seeds, theme, content if committed) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns(".backup"))
        elif source.is_file():
            shutil.copy2(source, dest / name)
    if base_url or output_dir:
        set_option(dest, "base_url", base_url)
        set_option(dest, "output_dir", output_dir)
    return dest


def set_option(project: Path, key: str, value: str | None) -> None:
    if value is None:
        return
    path = project / "site.yaml"
    text = path.read_text("utf-8")
    line = f"{key}: {value}"
    if re.search(rf"^{key}:", text, re.M):
        text = re.sub(rf"^{key}:.*$", line, text, flags=re.M)
    else:
        text += f"\n{line}\n"
    path.write_text(text, "utf-8")


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(project / "site.yaml"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def build(project: Path) -> subprocess.CompletedProcess[str]:
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    return result


def html(path: Path) -> LexborHTMLParser:
    return LexborHTMLParser(path.read_text("utf-8"))


def articles(project: Path) -> list[ArticleSource]:
    content = project / "content"
    return [read_article(p, content) for p in sorted(content.glob("*/*.md"))]


def article_path(article: ArticleSource, prefix: str = "") -> str:
    """Output-relative folder of an article page (the URL scheme in the brief)."""
    return f"{prefix}bulletins/{article.bulletin}/{article.slug}/"


def hrefs(tree: LexborHTMLParser, selector: str) -> list[str]:
    return [node.attributes.get("href") or "" for node in tree.css(selector)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_directory(folder: Path) -> Iterator[str]:
    """Serve a built folder over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def built_project(folder: Path) -> Path:
    """A copy of the project in ``folder``, built once with the real CLI."""
    copy_project(folder)
    build(folder)
    return folder


def rebuild(project: Path) -> BuildResult:
    """Build again in-process (no search), as serve and the incremental tests do."""
    return build_site(load_config(project / "site.yaml"), search=False)
