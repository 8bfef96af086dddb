"""Save → browser latency of `bulletin serve`: how long after an editor saves a Markdown
file does an open tab show the change, and when is every page that shows it current?

Runs the real CLI on a copy of a project, opens one article in headless Chromium, and in
other tabs pages that list its headline (its bulletin, its region, the next article),
then ``edits`` times rewrites that article's headline and times until each tab's text
shows the new headline (the live-reload client reloads the tabs by itself). With
``--rapid`` only the article's tab is open and the next edit is saved as soon as it shows
the last one, so edits land while the previous edit's build still runs.

    python -m benchmarks.serve_latency                   # the seed site (this checkout)
    python -m benchmarks.serve_latency --bulletins 1000  # a generated corpus
    python -m benchmarks.serve_latency --project /tmp/perf1000 --edits 7 [--rapid]
"""

from __future__ import annotations

import argparse
import asyncio
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
from dataclasses import dataclass, field
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


def snapshot_code(target: Path) -> Path:
    """A copy of the generator package to run: the build's inputs include its own code, so
    an edit of the checkout while the benchmark runs would make every page render again."""
    shutil.copytree(
        ROOT / "generator", target / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    return target


class ServeProcess:
    """`python -m generator serve --port 0` with its output drained in the background."""

    def __init__(
        self, project: Path, search: bool, startup_timeout: float, code: Path | None = None
    ):
        command = [sys.executable, "-m", "generator", "--config", "site.yaml", "serve"]
        command += ["--port", "0"] + ([] if search else ["--no-search"])
        path = str(code or ROOT)
        environment = {**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
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
        """SIGTERM, which serve takes as Ctrl-C: a process started from a shell's background
        job inherits SIGINT ignored, and a server that ignored it was killed after 30 s,
        leaving its Pagefind running."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def serving(
    project: Path, search: bool, startup_timeout: float, code: Path | None = None
) -> Iterator[ServeProcess]:
    server = ServeProcess(project, search, startup_timeout, code)
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Target:
    """The article the harness edits and the pages that show its headline besides its own."""

    source: Path  # its Markdown file
    page: str  # URL path of its own page
    dependents: dict[str, str]  # what each dependent page is → its URL path


def pick_article(project: Path) -> Target:
    """The second article in print order of the newest bulletin (it has neighbours on
    both sides), its page, and pages listing its headline: its bulletin's page, its most
    specific region's page and the next article's page (the prev/next links)."""
    config = load_config(project / "site.yaml")
    site, _ = load_site(config)
    newest = site.bulletins[site.bulletin_order[0]]
    article = site.articles[newest.articles[min(1, len(newest.articles) - 1)]]
    base = config.base_path
    dependents = {"bulletin": base + newest.url}
    if article.region_terms:
        dependents["region"] = base + site.terms[article.region_terms[-1]].url
    if article.next:
        dependents["next article"] = base + site.articles[article.next].url
    return Target(config.content_dir / article.key, base + article.url, dependents)


@dataclass
class EditTimes:
    """Seconds from one save to the edited page showing it, and to each dependent page."""

    page: float
    dependents: dict[str, float] = field(default_factory=dict)

    @property
    def all_current(self) -> float:
        return max([self.page, *self.dependents.values()])


_SHOWS = "title => document.body && document.body.textContent.includes(title)"


def measure_serve_latency(
    project_dir: Path, edits: int = 20, *, search: bool = False, startup_timeout: float = 900.0
) -> list[float]:
    """Seconds from each save of an article's Markdown to its open tab showing the edit
    (dependent pages open too, so every edit lands on a site that is current)."""
    times = measure_edit_times(project_dir, edits, search=search, startup_timeout=startup_timeout)
    return [t.page for t in times]


def measure_edit_times(
    project_dir: Path,
    edits: int = 20,
    *,
    search: bool = False,
    startup_timeout: float = 900.0,
    dependents: bool = True,
    pause: float = 0.0,
    log: bool = False,
) -> list[EditTimes]:
    """Per edit of an article's headline: seconds from the save to its open tab showing
    the new headline and (``dependents``) to each dependent page's open tab showing it.
    The next edit is saved ``pause`` seconds after every tab is current; without
    ``dependents`` as soon as the edited page is, so an edit may land while the previous
    edit's build is still running (as when an editor saves twice in quick succession)."""
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as tmp:
        project = copy_project(Path(project_dir), Path(tmp) / "project")
        code = snapshot_code(Path(tmp) / "code")
        with serving(project, search, startup_timeout, code) as server:
            target = pick_article(project)
            origin = server.url.split("/", 3)
            root = f"{origin[0]}//{origin[2]}"
            try:
                return asyncio.run(_edit_and_watch(target, root, edits, dependents, pause))
            finally:
                if log:  # what the server said it did, for reading the figures
                    sys.stderr.write("".join(server.lines))


async def _edit_and_watch(
    target: Target, root: str, edits: int, dependents: bool, pause: float
) -> list[EditTimes]:
    from playwright.async_api import async_playwright

    original = parse_article(target.source.read_text(encoding="utf-8"), str(target.source))
    urls = {"page": target.page, **(target.dependents if dependents else {})}
    times: list[EditTimes] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        tabs = {}
        for name, path in urls.items():
            tabs[name] = tab = await browser.new_page()
            await tab.goto(root + path)
            await tab.wait_for_function("window.__bulletinLiveStarted === true")
        await machine_settled()
        for number in range(edits):
            title = f"{original.title}（第{number + 1}次修改）"
            text = dump_article(dataclasses.replace(original, title=title))
            started = time.perf_counter()
            target.source.write_text(text, encoding="utf-8")

            async def shown(name: str, title: str = title, started: float = started) -> float:
                polling = 5 if name == "page" else 20  # fewer probes: the machine is small
                await tabs[name].wait_for_function(
                    _SHOWS, arg=title, timeout=120_000, polling=polling
                )
                return time.perf_counter() - started

            seconds = await asyncio.gather(*(shown(name) for name in tabs))
            found = dict(zip(tabs, seconds, strict=True))
            times.append(EditTimes(found.pop("page"), found))
            if pause:
                await asyncio.sleep(pause)
        await browser.close()
    return times


SETTLED_BUSY = 0.10  # share of all CPUs in use below which the machine counts as quiet
SETTLED_FOR = 0.5  # seconds it must stay quiet
SETTLE_TIMEOUT = 15.0


async def machine_settled() -> float:
    """Wait until the machine has been quiet a moment; the seconds waited. When the last
    tab's script has started, Chromium is still laying out and painting its pages: both
    CPUs were 99 % busy for another half second and 67 % for the next, then under 2 %.
    The first edit saved into that time was timed at up to three times the others, which
    measured Chromium's start-up, not the server. (An editor does not save within a second
    of opening the page.) Gives up after SETTLE_TIMEOUT: a busy host still gets measured."""
    started = time.perf_counter()
    before = _cpu_ticks()
    while time.perf_counter() - started < SETTLE_TIMEOUT:
        await asyncio.sleep(SETTLED_FOR)
        after = _cpu_ticks()
        busy, total = after[0] - before[0], after[1] - before[1]
        if not total or busy / total < SETTLED_BUSY:  # quiet, or nothing to tell by
            break
        before = after
    return time.perf_counter() - started


def _cpu_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every CPU since boot, from /proc/stat (0, 0 elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def describe(label: str, latencies: list[float]) -> str:
    ms = sorted(value * 1000 for value in latencies)
    return (
        f"{label}: median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, "
        f"max {ms[-1]:.0f} ms over {len(ms)} edits"
    )


def describe_all(label: str, times: list[EditTimes]) -> list[str]:
    """The edited page's latency, then every dependent page's, then all of them current."""
    lines = [describe(f"{label}, edited page", [t.page for t in times])]
    for name in times[0].dependents if times else ():
        lines.append(describe(f"{label}, {name} page", [t.dependents[name] for t in times]))
    if times and times[0].dependents:
        lines.append(describe(f"{label}, every page current", [t.all_current for t in times]))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve_latency")
    parser.add_argument("--project", type=Path, default=ROOT, help="project to copy")
    parser.add_argument("--bulletins", type=int, help="generate a corpus of N bulletins")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--search", action="store_true", help="keep the search index on")
    parser.add_argument(
        "--rapid",
        action="store_true",
        help="save the next edit as soon as the edited page shows the last one (dependent "
        "pages are not timed; edits land while the previous build runs)",
    )
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between edits")
    parser.add_argument("--log", action="store_true", help="print the server's output")
    args = parser.parse_args(argv)
    options = {
        "search": args.search,
        "dependents": not args.rapid,
        "pause": args.pause,
        "log": args.log,
    }
    if args.bulletins:
        from benchmarks.corpus import write_project

        with tempfile.TemporaryDirectory(prefix="serve-corpus-") as tmp:
            project = Path(tmp) / "corpus"
            write_project(project, args.bulletins)
            times = measure_edit_times(project, args.edits, **options)
        label = f"{args.bulletins}-bulletin corpus"
    else:
        times = measure_edit_times(args.project, args.edits, **options)
        label = f"{args.project.name} project"
    if args.rapid:
        label += " (rapid edits)"
    for line in describe_all(label, times):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
