"""Save → browser latency of `bulletin serve`: how long after an editor saves a Markdown
file does an open tab show the change?

Runs the real CLI on a copy of a project, opens one article in headless Chromium, then
``edits`` times rewrites that article's headline and times until the tab's text shows
the new headline (the live-reload client reloads the tab by itself).

    python -m benchmarks.serve_latency                   # the seed site (this checkout)
    python -m benchmarks.serve_latency --bulletins 1000  # a generated corpus
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.config import load_config
from generator.content import dump_article, parse_article
from generator.site import load_site

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_PARTS = ("site.yaml", "content", "seeds", "themes")


def copy_project(source: Path, target: Path) -> Path:
    """The files `serve` reads, copied so the edits never touch the real project."""
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, target / part)
        elif path.is_file():
            shutil.copy2(path, target / part)
    return target


class ServeProcess:
    """`python -m generator serve --port 0` with its output drained in the background."""

    def __init__(self, project: Path, search: bool, startup_timeout: float):
        command = [sys.executable, "-m", "generator", "--config", "site.yaml", "serve"]
        command += ["--port", "0"] + ([] if search else ["--no-search"])
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command,
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.url = ""
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(startup_timeout) or not self.url:
            self.stop()
            raise RuntimeError("serve did not start:\n" + "".join(self.lines[-20:]))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if " serving http://" in line and not self.url:
                self.url = line.split(" serving ", 1)[1].split()[0]
                self._ready.set()
        self._ready.set()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def serving(project: Path, search: bool, startup_timeout: float) -> Iterator[ServeProcess]:
    server = ServeProcess(project, search, startup_timeout)
    try:
        yield server
    finally:
        server.stop()


def pick_article(project: Path) -> tuple[Path, str]:
    """The first article in print order of the newest bulletin, and its page URL path."""
    config = load_config(project / "site.yaml")
    site, _ = load_site(config)
    newest = site.bulletins[site.bulletin_order[0]]
    article = site.articles[newest.articles[0]]
    return config.content_dir / article.key, config.base_path + article.url


def measure_serve_latency(
    project_dir: Path,
    edits: int = 20,
    *,
    search: bool = False,
    startup_timeout: float = 900.0,
) -> list[float]:
    """Seconds from each save of an article's Markdown to its open tab showing the edit."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="serve-latency-") as tmp:
        project = copy_project(Path(project_dir), Path(tmp) / "project")
        with serving(project, search, startup_timeout) as server:
            source, path = pick_article(project)
            original = parse_article(source.read_text(encoding="utf-8"), str(source))
            origin = server.url.split("/", 3)
            url = f"{origin[0]}//{origin[2]}{path}"
            latencies: list[float] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.goto(url)
                page.wait_for_function("window.__bulletinLiveStarted === true")
                for number in range(edits):
                    title = f"{original.title}（第{number + 1}次修改）"
                    text = dump_article(dataclasses.replace(original, title=title))
                    started = time.perf_counter()
                    source.write_text(text, encoding="utf-8")
                    page.wait_for_function(
                        "title => document.body && document.body.innerText.includes(title)",
                        arg=title,
                        timeout=120_000,
                        polling=5,
                    )
                    latencies.append(time.perf_counter() - started)
                browser.close()
    return latencies


def describe(label: str, latencies: list[float]) -> str:
    ms = sorted(value * 1000 for value in latencies)
    return (
        f"{label}: median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, "
        f"max {ms[-1]:.0f} ms over {len(ms)} edits"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_latency")
    parser.add_argument("--project", type=Path, default=ROOT, help="project to copy")
    parser.add_argument("--bulletins", type=int, help="generate a corpus of N bulletins")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--search", action="store_true", help="keep the search index on")
    args = parser.parse_args(argv)
    if args.bulletins:
        from benchmarks.corpus import write_project

        with tempfile.TemporaryDirectory(prefix="serve-corpus-") as tmp:
            project = Path(tmp) / "corpus"
            write_project(project, args.bulletins)
            latencies = measure_serve_latency(project, args.edits, search=args.search)
        label = f"{args.bulletins}-bulletin corpus"
    else:
        latencies = measure_serve_latency(args.project, args.edits, search=args.search)
        label = f"{args.project.name} project"
    print(describe(label, latencies))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
