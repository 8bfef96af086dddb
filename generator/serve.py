"""Live preview: build once, serve the output folder, rebuild on save, tell open tabs.

The server knows nothing about the generator (as in MkDocs' livereload): it is handed a
``build`` callable that returns which output files changed, or raises, and may have an
``early`` method that writes at once what it can (an edited article's own page). Five
kinds of thread share one ``LiveState`` guarded by one condition:

- the watchdog observer only records changed paths and notifies;
- the early loop waits for a quiet spell (rapid saves → one batch), publishes what
  ``build.early`` writes for the batch as a ``LiveEvent`` and hands the batch on; it
  does not wait for a running build, so an edit saved while the last one's build runs
  still shows at once;
- the rebuild loop takes every batch handed on, sorts the paths with
  ``generator.changes``, calls ``build`` and publishes a ``LiveEvent``;
- HTTP request threads wait on the condition while a build runs, so no half-built page
  is ever served, except pages published early: those are served from memory, as a
  build still running for an earlier batch may overwrite their files;
- each Server-Sent Events stream (one per open tab) waits on the same condition and
  pushes every new event.

The reload client (``generator/data/livereload.js``) is injected into HTML responses by
this server only; ``bulletin build`` output never contains it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import errno
import functools
import ipaddress
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from generator import build as site_build
from generator.changes import ChangeKind, ChangeSet, WatchRoots, summarise_changes
from generator.config import PREFIX_RE, SiteConfig, load_config
from generator.errors import BulletinError
from generator.search import BackgroundIndexer, SearchReport, describe_report

EVENTS_PATH = "/__livereload/events"
STATUS_PATH = "/__livereload/status"
QUIET_SECONDS = 0.06  # a burst of saves must be this quiet before the rebuild starts
MAX_DELAY_SECONDS = 1.0  # ...unless saves never stop: then build anyway after this long
# After an early event, the build waits until open tabs showing those pages fetched them
# again, at most this long: a build in this process slows every request it overlaps.
EARLY_FETCH_SECONDS = 0.3
# Work a build put off (saving caches) waits until the server was this long without
# changes or requests: tabs reloading after the build need the processor first.
IDLE_SECONDS = 1.0
PORT_TRIES = 20  # a busy port moves on to the next free one, at most this many
PAGE_LIST_LIMIT = 2000  # above this many changed URLs, tell every tab to reload instead
HISTORY = 100  # events kept for streams that reconnect
POLL_SECONDS = 1.0  # between looks at every watched file, where folders cannot be watched
BUILD_WAIT_SECONDS = 30.0  # the search index's documents wait this long at most for a build
# What inotify says when a user's watches or instances are used up, and the setting to raise.
_INOTIFY_LIMITS = {errno.ENOSPC: "max_user_watches=524288", errno.EMFILE: "max_user_instances=1024"}
_RAISE_IT = "Raise the limit to see saves at once: sudo sysctl fs.inotify."
KEEPALIVE_SECONDS = 15.0
# The events the watcher records, asked of the kernel and kept by watchdog (nothing else
# reaches the handler): not opens and closes, as builds read every file, nor a folder's
# modification, which comes with every file written in it. With every event type
# (watchdog's default) each file a build reads and each folder its scan lists queued an
# open and a close: at 10,000 bulletins one scan overflowed inotify's queue (16,384
# events by default), watchdog then listed every folder again to re-add its watches,
# which overflowed it again, and an editor's save was lost among the dropped events.
_EVENT_FILTER = [
    FileCreatedEvent,
    DirCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    DirDeletedEvent,
    FileMovedEvent,
    DirMovedEvent,
]

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    # Pagefind's index files are binary (gzip-framed); its loader fetches them as bytes.
    ".pagefind": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
FEED_NAMES = {"feed.xml", "atom.xml"}
FEED_TYPE = "application/atom+xml; charset=utf-8"
DEFAULT_TYPE = "application/octet-stream"
_NOT_FOUND_PAGE = (
    '<!doctype html>\n<html lang="zh-Hans"><head><meta charset="utf-8"><title>404</title>'
    "</head><body><h1>404</h1><p>页面不存在 (not found). The site has no 404.html yet.</p>"
    "</body></html>\n"
).encode()


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class BuildReport:
    """What a build tells the server: output-relative posix paths that changed."""

    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    errors: tuple[str, ...] = ()  # parts that failed while the rest was built (bad seeds)
    notes: tuple[str, ...] = ()  # what else the terminal should say ("ingested ...")
    files: tuple[tuple[str, bytes], ...] = ()  # an early report's files, with their bytes


BuildCallable = Callable[[ChangeSet], BuildReport]
# A build callable may also have ``early(changes) -> BuildReport | None``: pages it can
# write at once (an edited article's own page, with ``files``), published before the full
# build runs, and ``idle()``: work it put off until its event went out (saving caches).


@dataclass(frozen=True)
class BuildFailure:
    """A build error as the terminal and the overlay show it: ``path:line: message``."""

    text: str
    path: str | None = None
    line: int | None = None
    internal: bool = False  # a bug rather than a problem in the user's files

    @classmethod
    def from_exception(cls, error: BaseException, root: Path) -> BuildFailure:
        if isinstance(error, BulletinError):
            path = _display_path(error.path, root) if error.path is not None else None
            where = path if error.line is None or path is None else f"{path}:{error.line}"
            text = f"{where}: {error.message}" if where else error.message
            return cls(text, path, error.line)
        return cls(f"internal error: {type(error).__name__}: {error}", internal=True)

    @classmethod
    def from_messages(cls, messages: tuple[str, ...], root: Path) -> BuildFailure:
        """Errors a build reported while finishing the rest (a raw bulletin it could not
        read): already one line each, shown with project-relative paths."""
        prefix = f"{root}/"
        return cls("\n".join(message.replace(prefix, "") for message in messages))


@dataclass(frozen=True)
class LiveEvent:
    """One finished build, as pushed to every open tab."""

    version: int
    failure: BuildFailure | None
    warnings: tuple[str, ...]
    pages: tuple[str, ...]  # URLs of changed or deleted files other than stylesheets
    styles: tuple[str, ...]  # URLs of changed stylesheets: swapped in place
    reload_all: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "error": dataclasses.asdict(self.failure) if self.failure else None,
            "warnings": list(self.warnings),
            "pages": list(self.pages),
            "styles": list(self.styles),
            "reload_all": self.reload_all,
        }


# ---------------------------------------------------------------------------- pure helpers


def _display_path(path: Path | str, root: Path) -> str:
    path = Path(path)
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def output_url(relative: str, base_path: str) -> str:
    """The URL of an output file: ``x/index.html`` → ``/x/``; non-ASCII is percent-encoded."""
    if relative == "index.html":
        relative = ""
    elif relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return base_path + quote(relative)


def make_event(
    version: int,
    report: BuildReport | None,
    failure: BuildFailure | None,
    base_path: str,
    restyle_only: bool = False,
) -> LiveEvent:
    """Turn a build's changed files into what tabs need: pages to reload, sheets to swap.

    With ``restyle_only`` (only stylesheets were saved) rewritten HTML pages are left
    out: they differ only in their stylesheet's cache-busting query, and swapping the
    sheet in place shows the same thing without losing the page's state.
    """
    if report is None:
        return LiveEvent(version, failure, (), (), ())
    changed = {*report.written, *report.deleted}
    if restyle_only:
        changed = {p for p in changed if not p.endswith((".html", ".htm"))}
    styles = tuple(sorted(output_url(p, base_path) for p in changed if p.endswith(".css")))
    pages = tuple(sorted(output_url(p, base_path) for p in changed if not p.endswith(".css")))
    if len(pages) > PAGE_LIST_LIMIT:
        return LiveEvent(version, failure, report.warnings, (), styles, reload_all=True)
    return LiveEvent(version, failure, report.warnings, pages, styles)


def page_route(path: str) -> str:
    """A page's URL path as events name it: ``/x/index.html`` → ``/x/``."""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def content_type(path: PurePath) -> str:
    if path.name in FEED_NAMES:
        return FEED_TYPE
    return MIME_TYPES.get(path.suffix.lower(), DEFAULT_TYPE)


def inject_before_body_end(html: bytes, snippet: bytes) -> bytes:
    """Insert the client before the last ``</body>``, or append it when there is none."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + snippet
    return html[:index] + snippet + html[index:]


def not_found_pages(raw_target: str, base_path: str, root: Path) -> list[Path]:
    """Where a 404 page may be: the language mirror's own (``/zh-hant/404.html``), then
    the site's. Only a plain lower-case first segment is tried, so nothing escapes root."""
    first = raw_target.partition("?")[0].removeprefix(base_path).split("/", 1)
    pages = [root / "404.html"]
    if len(first) == 2 and PREFIX_RE.match(first[0]):
        pages.insert(0, root / first[0] / "404.html")
    return pages


@dataclass(frozen=True)
class Target:
    """What a request path resolves to: a file to send, a redirect, or a refusal."""

    status: HTTPStatus
    file: Path | None = None
    location: str | None = None


def resolve_request(raw_target: str, base_path: str, root: Path) -> Target:
    """Map a raw request target to a file inside ``root``, refusing anything that escapes.

    Refused with 403: backslashes, encoded slashes or NULs, ``.``/``..``/empty segments
    (also percent-encoded), and symlinks whose real path leaves ``root``. Paths outside
    the base path, hidden files and missing files are 404. Directory URLs serve their
    index.html; a directory without its trailing slash is redirected (301).
    """
    if not raw_target.startswith("/"):
        return Target(HTTPStatus.BAD_REQUEST)
    raw_path, _, query = raw_target.partition("?")
    raw_path = raw_path.partition("#")[0]
    lowered = raw_path.lower()
    if "\\" in raw_path or any(code in lowered for code in ("%2f", "%5c", "%00")):
        return Target(HTTPStatus.FORBIDDEN)
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return Target(HTTPStatus.BAD_REQUEST)
    if "\x00" in path or "\\" in path:
        return Target(HTTPStatus.FORBIDDEN)
    suffix = f"?{query}" if query else ""
    if not path.startswith(base_path):
        if path + "/" == base_path or path == "/":
            return Target(HTTPStatus.MOVED_PERMANENTLY, location=base_path + suffix)
        return Target(HTTPStatus.NOT_FOUND)
    rest = path[len(base_path) :]
    wants_directory = rest == "" or rest.endswith("/")
    segments = rest.split("/")
    if wants_directory:
        segments.pop()
    if any(segment in ("", ".", "..") for segment in segments):
        return Target(HTTPStatus.FORBIDDEN)
    if any(segment.startswith(".") for segment in segments):
        return Target(HTTPStatus.NOT_FOUND)  # temp files of atomic writes, caches
    real_root = root.resolve()
    found = root.joinpath(*segments).resolve()
    if not found.is_relative_to(real_root):
        return Target(HTTPStatus.FORBIDDEN)
    if found.is_dir():
        if not wants_directory:
            return Target(HTTPStatus.MOVED_PERMANENTLY, location=f"{raw_path}/{suffix}")
        found = (found / "index.html").resolve()
        if not found.is_relative_to(real_root):
            return Target(HTTPStatus.FORBIDDEN)
    elif wants_directory:
        return Target(HTTPStatus.NOT_FOUND)
    if not found.is_file():
        return Target(HTTPStatus.NOT_FOUND)
    return Target(HTTPStatus.OK, file=found)


# ---------------------------------------------------------------------------- shared state


class LiveState:
    """Everything the watcher, rebuild loop, request and stream threads share.

    One condition guards it: the watcher notifies after recording a change, the rebuild
    loop after each build, ``stop`` when shutting down. Waiters re-check their predicate.
    """

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.server_id = secrets.token_hex(6)
        self.version = 0
        self.builds = 0
        self.building = False
        self.stopping = False
        self.failure: BuildFailure | None = None
        self.warnings: tuple[str, ...] = ()
        self.last_seconds = 0.0
        self.last_changes = ""
        self._events: deque[LiveEvent] = deque(maxlen=HISTORY)
        # Batches: what the early loop took in one go, numbered; the rebuild loop builds
        # every batch handed on so far at once, and what was published early for a batch
        # (URLs, and output files' bytes) holds until a build that covers it has finished.
        self._batches = 0
        self._early: dict[str, int] = {}  # URL published early → its batch
        self._early_files: dict[str, tuple[int, bytes]] = {}  # output path → batch, bytes
        self._pending: set[Path] = set()  # recorded, not yet taken by the early loop
        self._in_early: set[Path] = set()  # taken by the early loop, not yet handed on
        self._ready: set[Path] = set()  # handed on by the early loop, not yet built
        self._ready_upto = 0  # the newest batch handed on
        self._last_activity = 0.0  # when a change was recorded or a file sent
        self._watched: dict[str, int] = {}  # page URL → event streams of tabs showing it
        self._awaited: set[str] = set()  # early pages open tabs have not fetched again yet
        self._first_change = 0.0
        self._last_change = 0.0

    def record(self, paths: list[Path]) -> None:
        """Called from the watcher thread: remember the paths, wake the early loop."""
        with self.condition:
            now = time.monotonic()
            if not self._pending:
                self._first_change = now
            self._pending.update(paths)
            self._last_change = self._last_activity = now
            self.condition.notify_all()

    def take_changes(self, quiet: float, max_delay: float) -> tuple[set[Path], int] | None:
        """Block until changes arrived and then settled: the paths and their batch
        number (the early loop's). None once stopping."""
        with self.condition:
            self.condition.wait_for(lambda: self._pending or self.stopping)
            while not self.stopping:
                now = time.monotonic()
                left = min(self._last_change + quiet, self._first_change + max_delay) - now
                if left <= 0:
                    break
                self.condition.wait(left)
            if self.stopping:
                return None
            changes, self._pending = self._pending, set()
            self._in_early = changes
            self._batches += 1
            return changes, self._batches

    def hand_over(self, paths: set[Path], batch: int) -> None:
        """The early loop is done with a batch: the rebuild loop may build it."""
        with self.condition:
            self._in_early = set()
            self._ready.update(paths)
            self._ready_upto = max(self._ready_upto, batch)
            self.condition.notify_all()

    def take_ready(self) -> tuple[set[Path], int] | None:
        """Block until batches were handed on; take them all and mark a build running.
        Returns the paths and the newest batch they cover; None once stopping."""
        with self.condition:
            self.condition.wait_for(lambda: self._ready or self.stopping)
            if self.stopping:
                return None
            paths, self._ready = self._ready, set()
            self.building = True
            return paths, self._ready_upto

    def finish_build(
        self,
        report: BuildReport | None,
        failure: BuildFailure | None,
        base_path: str,
        changes: str,
        restyle_only: bool = False,
        batch: int | None = None,
    ) -> LiveEvent:
        """Publish a finished build covering batches up to ``batch`` (all so far by
        default). Pages published early for a newer batch are left out of its event:
        open tabs already show them, from memory."""
        with self.condition:
            self.version += 1
            self.builds += 1
            self.building = False
            self._forget_early(self._batches if batch is None else batch)
            self.failure = failure
            if report is not None:
                self.warnings = report.warnings
                self.last_seconds = report.seconds
            self.last_changes = changes
            event = make_event(self.version, report, failure, base_path, restyle_only)
            if self._early:
                pages = tuple(page for page in event.pages if page not in self._early)
                event = dataclasses.replace(event, pages=pages)
            self._events.append(event)
            self.condition.notify_all()
            return event

    def publish_early(
        self, report: BuildReport, base_path: str, batch: int | None = None
    ) -> LiveEvent:
        """An event for pages written ahead of the build of ``batch`` (the newest by
        default); until that build has finished they are served as written here."""
        with self.condition:
            batch = self._batches if batch is None else batch
            self.version += 1
            event = make_event(self.version, report, self.failure, base_path)
            event = dataclasses.replace(event, warnings=self.warnings)
            self._early.update(dict.fromkeys(event.pages, batch))
            self._early_files.update((rel, (batch, data)) for rel, data in report.files)
            self._awaited = {page for page in event.pages if self._watched.get(page)}
            self._events.append(event)
            self.condition.notify_all()
            return event

    def cancel_build(self, batch: int | None = None) -> None:
        with self.condition:
            self.building = False
            self._forget_early(self._batches if batch is None else batch)
            self.condition.notify_all()

    def _forget_early(self, batch: int) -> None:
        self._early = {url: b for url, b in self._early.items() if b > batch}
        self._early_files = {rel: v for rel, v in self._early_files.items() if v[0] > batch}

    def watch(self, page: str, delta: int) -> None:
        """An event stream of a tab showing ``page`` opened (+1) or closed (-1)."""
        with self.condition:
            count = self._watched.get(page, 0) + delta
            if count > 0:
                self._watched[page] = count
            else:
                self._watched.pop(page, None)

    def served(self, route: str) -> None:
        """A file was sent: a tab that reloads for an early event has it."""
        with self.condition:
            self._last_activity = time.monotonic()
            if route in self._awaited:
                self._awaited.discard(route)
                self.condition.notify_all()

    def change_waiting(self) -> bool:
        """Whether a change was recorded that no build has taken yet."""
        with self.condition:
            return self._change_waiting()

    def _change_waiting(self) -> bool:
        return bool(self._pending or self._in_early or self._ready)

    def wait_idle(self, quiet: float) -> bool:
        """Block until nothing was recorded or sent for ``quiet`` seconds and no change is
        waiting: True; False as soon as a change waits (or when stopping)."""
        with self.condition:
            while not self.stopping:
                if self._change_waiting():
                    return False
                left = self._last_activity + quiet - time.monotonic()
                if left <= 0:
                    return True
                self.condition.wait(left)
            return False

    def await_early_fetches(self, timeout: float) -> None:
        """Let tabs showing pages just published early fetch them before the build takes
        the processor (at most ``timeout``; not at all when no open tab shows them)."""
        with self.condition:
            self.condition.wait_for(lambda: not self._awaited or self.stopping, timeout)
            self._awaited = set()

    def early_file(self, relative: str) -> bytes | None:
        """The bytes published early for an output file, until a build covers them."""
        with self.condition:
            found = self._early_files.get(relative)
            return found[1] if found else None

    def wait_while_building(self, timeout: float = 120.0, route: str | None = None) -> None:
        """Hold a request until the running build is done, so no half-built site is
        served; except, once pages were published early, those pages and files other
        than pages (only content changed: assets are as they were)."""
        with self.condition:
            if self._early and route is not None and (route in self._early or _not_page(route)):
                return
            self.condition.wait_for(lambda: not self.building or self.stopping, timeout)

    def wait_for_events(self, since: int, timeout: float) -> tuple[list[LiveEvent], bool]:
        """Events newer than ``since`` (waiting up to ``timeout``), and whether stopping.

        A stream too far behind the kept history gets one event that reloads the tab.
        """
        with self.condition:
            self.condition.wait_for(lambda: self.version > since or self.stopping, timeout)
            if self.stopping or self.version <= since:
                return [], self.stopping
            if self._events[0].version > since + 1:
                latest = self._events[-1]
                return [dataclasses.replace(latest, reload_all=True)], False
            return [event for event in self._events if event.version > since], False

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify_all()

    def status(self) -> dict[str, Any]:
        with self.condition:
            return {
                "server": self.server_id,
                "version": self.version,
                "builds": self.builds,
                "building": self.building,
                # changed paths waiting for the next build
                "pending": len(self._pending) + len(self._in_early) + len(self._ready),
                "error": dataclasses.asdict(self.failure) if self.failure else None,
                "warnings": list(self.warnings),
                "last_seconds": self.last_seconds,
                "last_changes": self.last_changes,
            }

    def client_snippet(self, endpoint: str, script: str) -> bytes:
        """The <script> injected into HTML: current state, then the client itself."""
        with self.condition:
            state = {
                "endpoint": endpoint,
                "server": self.server_id,
                "version": self.version,
                "error": dataclasses.asdict(self.failure) if self.failure else None,
                "warnings": list(self.warnings),
            }
        data = json.dumps(state, ensure_ascii=True).replace("</", "<\\/")
        return (
            f'<script id="bulletin-livereload">window.__bulletinLive = {data};\n{script}</script>\n'
        ).encode()


# ---------------------------------------------------------------------------- terminal


def _say(message: str, stream: Any = None) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=stream or sys.stdout, flush=True)


def _report_build(event: LiveEvent, report: BuildReport | None, changes: str) -> None:
    """One line a build on stdout; errors and warnings on stderr, one line each."""
    if report is not None:
        count = len(report.written) + len(report.deleted)
        why = f" ← {changes}" if changes else ""
        _say(f"build {event.version}: {count} files changed in {report.seconds:.2f} s{why}")
        for note in report.notes:
            _say(note)
        for warning in report.warnings:
            _say(f"warning: {warning}", sys.stderr)
    if event.failure is not None:
        hint = " (rerun with --debug for the traceback)" if event.failure.internal else ""
        for line in event.failure.text.splitlines():
            _say(f"error: {line}{hint}", sys.stderr)


# ---------------------------------------------------------------------------- rebuilding


class Rebuilder:
    """Runs builds: once at start, then after each settled burst of changes."""

    def __init__(
        self,
        state: LiveState,
        build: BuildCallable,
        roots: WatchRoots,
        base_path: str,
        quiet: float = QUIET_SECONDS,
        debug: bool = False,
    ):
        self.state = state
        self.build = build
        self.roots = roots
        self.base_path = base_path
        self.quiet = quiet
        self.debug = debug  # print tracebacks of unexpected build failures

    def build_once(self, changes: ChangeSet) -> LiveEvent:
        """Publish what can be written early, build, then do the put-off work (at start,
        and in tests)."""
        self._publish_early(changes, changes.describe(self.roots.root))
        event = self._build(changes)
        self.idle()
        return event

    def _build(self, changes: ChangeSet, batch: int | None = None) -> LiveEvent:
        described = changes.describe(self.roots.root)
        report: BuildReport | None = None
        failure: BuildFailure | None = None
        started = time.perf_counter()
        try:
            report = self.build(changes)
        except BulletinError as error:
            failure = BuildFailure.from_exception(error, self.roots.root)
        except Exception as error:  # the server outlives any build failure
            failure = BuildFailure.from_exception(error, self.roots.root)
            if self.debug:
                traceback.print_exc()
        if report is not None and not report.seconds:
            report = dataclasses.replace(report, seconds=time.perf_counter() - started)
        if report is not None and report.errors:
            failure = BuildFailure.from_messages(report.errors, self.roots.root)
        event = self.state.finish_build(
            report, failure, self.base_path, described, changes.only_stylesheets, batch
        )
        _report_build(event, report, described)
        return event

    def idle(self) -> bool:
        """The build callable's put-off work (``idle``), if it has any; it gives up as
        soon as a change waits (the change's build comes first). False when it gave up."""
        idle = getattr(self.build, "idle", None)
        if idle is None:
            return True
        try:
            return idle(self.state.change_waiting) is not False
        except Exception:  # put-off cache writes: the next build tries them again
            if self.debug:
                traceback.print_exc()
            return True

    def _publish_early(self, changes: ChangeSet, described: str, batch: int | None = None) -> None:
        """Let open tabs show what the build can write at once, before the whole build."""
        early = getattr(self.build, "early", None)
        if early is None or not changes.needs_build:
            return
        try:
            report = early(changes)
        except Exception:  # the full build that follows reports what went wrong
            if self.debug:
                traceback.print_exc()
            return
        if report is not None and (report.written or report.deleted):
            event = self.state.publish_early(report, self.base_path, batch)
            count = len(report.written)
            _say(
                f"build {event.version}: {count} files early in {report.seconds:.3f} s ← {described}"
            )

    def run_early(self) -> None:
        """The early loop: settle each burst of saves into a batch, publish its early
        pages (even while a build runs) and hand it on to ``run``."""
        while True:
            taken = self.state.take_changes(self.quiet, MAX_DELAY_SECONDS)
            if taken is None:
                return
            paths, batch = taken
            changes = summarise_changes(paths, self.roots)
            self._publish_early(changes, changes.describe(self.roots.root), batch)
            self.state.hand_over(paths, batch)

    def run(self) -> None:
        """The rebuild loop: build every batch handed on since the last build, at once;
        when the server has been idle a while after a build, do its put-off work."""
        idle_due = False
        while True:
            if idle_due and self.state.wait_idle(IDLE_SECONDS):
                idle_due = not self.idle()  # given way to a change: again once idle
            taken = self.state.take_ready()
            if taken is None:
                return
            paths, batch = taken
            changes = summarise_changes(paths, self.roots)
            if not changes.needs_build:
                self.state.cancel_build(batch)
                continue
            self.state.await_early_fetches(EARLY_FETCH_SECONDS)
            self._build(changes, batch)
            idle_due = True


class _ChangeRecorder(FileSystemEventHandler):
    """The watchdog side: record paths and wake the rebuild loop, nothing else.
    ``on_new_folder``: told of each folder created or moved in (inotify watchers only)."""

    def __init__(self, state: LiveState, on_new_folder: Callable[[Path], None] | None = None):
        self.state = state
        self.on_new_folder = on_new_folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [Path(_as_text(event.src_path))]
        if event.dest_path:
            paths.append(Path(_as_text(event.dest_path)))
        self.state.record(paths)
        if self.on_new_folder is not None and isinstance(event, (DirCreatedEvent, DirMovedEvent)):
            self.on_new_folder(paths[-1])


def _as_text(path: bytes | str) -> str:
    return path.decode() if isinstance(path, bytes) else path


class Watcher:
    """The preview's file watcher over the roots, started. Where the system lets no more
    folders be watched (Linux allows each user a number of inotify watches, one a folder:
    a large site and an editor's own watches can use them up), the files are polled
    instead, with a warning; and a folder created later that could not be watched any
    more (watchdog leaves it unwatched without a word) is polled from then on."""

    def __init__(self, roots: WatchRoots, state: LiveState):
        self._lock = threading.Lock()
        self._poller: BaseObserver | None = None  # for folders added once watches ran out
        self._polled = _ChangeRecorder(state)
        self._stopped = False
        try:
            self.observer = _watch(Observer(), roots, _ChangeRecorder(state, self._new_folder))
        except OSError as error:
            limit = _INOTIFY_LIMITS.get(error.errno or 0)
            if limit is None:
                raise
            _say(
                f"warning: cannot watch every folder ({error.strerror}); looking for changes "
                f"every {POLL_SECONDS:g} s instead. {_RAISE_IT}{limit}",
                sys.stderr,
            )
            self.observer = _watch(PollingObserver(timeout=POLL_SECONDS), roots, self._polled)

    def _new_folder(self, folder: Path) -> None:
        """In the watcher's thread, after a folder appeared (its event, recorded, starts a
        build that reads what the folder holds already): when no watch was left for it,
        poll it from now on."""
        if _watch_room(folder):
            return
        with self._lock:
            if self._stopped:
                return
            if self._poller is None:
                _say(
                    f"warning: cannot watch {folder} (inotify watch limit reached); looking "
                    f"for changes there, and in any new folder that cannot be watched, every "
                    f"{POLL_SECONDS:g} s. {_RAISE_IT}{_INOTIFY_LIMITS[errno.ENOSPC]}",
                    sys.stderr,
                )
                self._poller = PollingObserver(timeout=POLL_SECONDS)
                self._poller.daemon = True
                self._poller.start()
            self._poller.schedule(
                self._polled, str(folder), recursive=True, event_filter=_EVENT_FILTER
            )

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            poller = self._poller
        self.observer.stop()
        if poller is not None:
            poller.stop()

    def join(self, timeout: float | None = None) -> None:
        self.observer.join(timeout)
        with self._lock:
            poller = self._poller
        if poller is not None:
            poller.join(timeout)


def _watch_room(folder: Path) -> bool:
    """Whether this user may add one more inotify watch now: a watch on ``folder`` is
    tried in an inotify instance of its own, closed at once. True where it cannot tell.
    (Watchdog's own ctypes helpers open the instance without close-on-exec: a build's
    workers forked meanwhile would keep the watch.)"""
    libc = _libc()
    if libc is None:
        return True
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0:  # no instance left: says nothing of the watcher's own instance
        return True
    try:
        if libc.inotify_add_watch(fd, os.fsencode(folder), _IN_CREATE) >= 0:
            return True
        return ctypes.get_errno() != errno.ENOSPC
    finally:
        os.close(fd)


_IN_CREATE = 0x100


@functools.cache
def _libc() -> Any:
    """The C library, where it has inotify (Linux); else None."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    except (OSError, AttributeError):
        return None
    return libc


def _watch(observer: BaseObserver, roots: WatchRoots, recorder: _ChangeRecorder) -> BaseObserver:
    for folder in roots.watched_dirs():
        folder.mkdir(parents=True, exist_ok=True)  # so a first raw bulletin is noticed
        observer.schedule(recorder, str(folder), recursive=True, event_filter=_EVENT_FILTER)
    observer.schedule(
        recorder, str(roots.config_file.parent), recursive=False, event_filter=_EVENT_FILTER
    )
    observer.daemon = True
    try:
        observer.start()
    except BaseException:
        with contextlib.suppress(Exception):  # the error to report is the one above
            observer.stop()  # the folders' watches it did add go with it
        raise
    return observer


# ---------------------------------------------------------------------------- HTTP


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        family: socket.AddressFamily,
        state: LiveState,
        output_dir: Path,
        base_path: str,
    ):
        self.address_family = family
        self.state = state
        self.output_dir = output_dir
        self.real_output_dir = output_dir.resolve()  # what resolve_request's files are under
        self.base_path = base_path
        self.client_script = _client_script()
        super().__init__(address, PreviewHandler)


def _client_script() -> str:
    return resources.files("generator").joinpath("data/livereload.js").read_text("utf-8")


class PreviewHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PreviewHTTPServer

    def version_string(self) -> str:
        return "bulletin-serve"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal reports builds, not requests."""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        route = self.path.partition("?")[0]
        if route == EVENTS_PATH:
            self._stream_events()
            return
        if route == STATUS_PATH:
            body = json.dumps(self.server.state.status(), ensure_ascii=False).encode()
            self._send(HTTPStatus.OK, body, "application/json", send_body)
            return
        self.server.state.wait_while_building(route=route)
        target = resolve_request(self.path, self.server.base_path, self.server.output_dir)
        if target.status is HTTPStatus.MOVED_PERMANENTLY:
            assert target.location is not None
            self._send(target.status, b"", "text/plain", send_body, {"Location": target.location})
        elif target.status is HTTPStatus.OK:
            assert target.file is not None
            self._send_file(target.file, send_body)
        elif target.status is HTTPStatus.NOT_FOUND:
            self._send_not_found(send_body)
        else:
            message = f"{target.status.value} {target.status.phrase}\n".encode()
            self._send(target.status, message, "text/plain; charset=utf-8", send_body)

    def _send_file(self, file: Path, send_body: bool) -> None:
        kind = content_type(file)
        # The snippet's build version is taken before reading, so a build finishing in
        # between makes the tab reload once more rather than miss a change.
        snippet = self._client_snippet() if kind.startswith("text/html") else b""
        relative = file.relative_to(self.server.real_output_dir).as_posix()
        data = self.server.state.early_file(relative)  # not what a running build wrote
        try:
            data = file.read_bytes() if data is None else data
        except OSError:  # deleted by a build since it was resolved
            self._send_not_found(send_body)
            return
        if snippet:
            data = inject_before_body_end(data, snippet)
        self._send(HTTPStatus.OK, data, kind, send_body)
        self.server.state.served(page_route(self.path.partition("?")[0]))

    def _send_not_found(self, send_body: bool) -> None:
        snippet = self._client_snippet()
        for page in not_found_pages(self.path, self.server.base_path, self.server.output_dir):
            try:
                data = page.read_bytes()
                break
            except OSError:
                continue
        else:
            data = _NOT_FOUND_PAGE
        body = inject_before_body_end(data, snippet)
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", send_body)

    def _client_snippet(self) -> bytes:
        return self.server.state.client_snippet(EVENTS_PATH, self.server.client_script)

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        kind: str,
        send_body: bool,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _stream_events(self) -> None:
        """Server-Sent Events: a hello with the server's identity, then one event a build."""
        state = self.server.state
        query = parse_qs(self.path.partition("?")[2])
        since = _as_int(self.headers.get("Last-Event-ID"), _as_int(query.get("since", [""])[0]))
        page = page_route(query.get("page", [""])[0])  # the tab's own page, as it says
        self.close_connection = True
        if page:
            state.watch(page, +1)
        try:
            self._stream(state, since)
        finally:
            if page:
                state.watch(page, -1)

    def _stream(self, state: LiveState, since: int) -> None:
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            hello = json.dumps({"server": state.server_id, "version": state.version})
            self._write_event(f"retry: 500\nevent: hello\ndata: {hello}\n\n")
            while True:
                events, stopping = state.wait_for_events(since, KEEPALIVE_SECONDS)
                if stopping:
                    return
                if not events:
                    self._write_event(": keep-alive\n\n")  # finds closed tabs
                for event in events:
                    data = json.dumps(event.to_json(), ensure_ascii=False)
                    self._write_event(f"id: {event.version}\nevent: build\ndata: {data}\n\n")
                    since = event.version
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def _write_event(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()


def _as_int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _is_loopback(host: str) -> bool:
    try:
        return all(
            ipaddress.ip_address(info[4][0]).is_loopback
            for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        )
    except (OSError, ValueError):
        return False


def bind_server(
    host: str, port: int, state: LiveState, output_dir: Path, base_path: str
) -> PreviewHTTPServer:
    """Listen on ``host:port``; a busy port moves on to the next free one (said by caller)."""
    try:
        family = socket.getaddrinfo(host, port or None, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise BulletinError(f"cannot listen on {host}: {error.strerror}") from None
    candidates = [port] if port == 0 else range(port, min(port + PORT_TRIES, 65536))
    for candidate in candidates:
        try:
            return PreviewHTTPServer((host, candidate), family, state, output_dir, base_path)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                continue
            raise BulletinError(f"cannot listen on {host}:{candidate}: {error.strerror}") from None
    raise BulletinError(
        f"port {port} on {host} is in use, and so are the next {PORT_TRIES - 1}; "
        "choose another with --port"
    )


# ---------------------------------------------------------------------------- the preview


class Preview:
    """Build, serve, watch; ``stop`` undoes all of it. Usable from tests without signals."""

    def __init__(
        self,
        build: BuildCallable,
        roots: WatchRoots,
        base_path: str,
        host: str = "127.0.0.1",
        port: int = 8000,
        quiet: float = QUIET_SECONDS,
        debug: bool = False,
    ):
        self.roots = roots
        self.base_path = base_path
        self.host = host
        self.port = port
        self.state = LiveState()
        self.rebuilder = Rebuilder(self.state, build, roots, base_path, quiet, debug)
        self._server: PreviewHTTPServer | None = None
        self._watcher: Watcher | None = None
        self._threads: list[threading.Thread] = []
        self._serving = False

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}{self.base_path}"

    def start(self) -> str:
        self.rebuilder.build_once(ChangeSet({}))
        self._server = bind_server(
            self.host, self.port, self.state, self.roots.output_dir, self.base_path
        )
        bound = self._server.server_address[1]
        if self.port and bound != self.port:
            _say(f"port {self.port} is in use; using port {bound} instead")
        if not _is_loopback(self.host):
            _say(f"warning: listening on {self.host}: other machines can see this preview")
        self._watcher = Watcher(self.roots, self.state)
        self._threads = [
            threading.Thread(target=self.rebuilder.run_early, name="early"),
            threading.Thread(target=self.rebuilder.run, name="rebuild"),
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="http"
            ),
        ]
        for thread in self._threads:
            thread.start()
        self._serving = True
        return self.url

    def stop(self) -> None:
        """Stop watching, let a running build finish (no half-written files), close."""
        if self.state.building:
            _say("stopping after the current build…")
        self.state.stop()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher.join(timeout=5)
        if self._serving:
            self._server.shutdown()  # type: ignore[union-attr]
        for thread in self._threads:
            thread.join()
        if self._server is not None:
            self._server.server_close()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so either stops the preview cleanly."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class SiteBuilder:
    """The build callable for the real site: ``build_site``, rereading site.yaml on change.

    The served folder and base path are fixed at start; a site.yaml edit that moves them
    is applied to everything else, with a warning to restart. The search index is
    updated in the background (``BackgroundIndexer``), so a reload never waits for
    Pagefind; searches use the previous index until the new one is swapped in.
    """

    def __init__(self, config_file: Path, config: SiteConfig, search: bool):
        self.config_file = config_file
        self.config = config
        self.search = search
        # Set while no build runs: the indexer writes its documents between builds, not
        # during one (both are Python in this process; a build alongside took 2-3 times as
        # long, 2.5-4.4 s instead of 1.0-1.4 s at 10,000 bulletins).
        self._not_building = threading.Event()
        self._not_building.set()
        self._indexer = (
            BackgroundIndexer(on_done=_report_search, wait_turn=self._wait_for_builds)
            if search
            else None
        )
        # Kept for the whole run: parsed articles, manifest, templates and converters stay
        # in memory, so an edit costs only the work it causes.
        self._builder = site_build.Builder(config)
        # Files ``early`` wrote, until a build that started after it has finished. ``early``
        # runs in the early loop's thread, also while a build runs in the rebuild loop's.
        self._early: dict[str, bytes] = {}
        self._early_lock = threading.Lock()

    def early(self, changes: ChangeSet) -> BuildReport | None:
        """Edits of existing articles only: their own pages, rendered from the last build's
        site with just those files parsed again (``Builder.article_pages``)."""
        if changes.kinds != {ChangeKind.CONTENT}:
            return None
        started = time.perf_counter()
        # Watchers also report the folder a saved file sits in: only the files say what changed.
        paths = [path for path in changes.paths[ChangeKind.CONTENT] if not path.is_dir()]
        files = self._builder.article_pages(paths)
        if not files:
            return None
        with self._early_lock:
            self._early.update(files)
        return BuildReport(
            written=tuple(rel for rel, _ in files),
            seconds=time.perf_counter() - started,
            files=tuple(files),
        )

    def _wait_for_builds(self) -> None:
        self._not_building.wait(BUILD_WAIT_SECONDS)

    def __call__(self, changes: ChangeSet) -> BuildReport:
        self._not_building.clear()
        try:
            return self._rebuild(changes)
        finally:
            self._not_building.set()

    def _rebuild(self, changes: ChangeSet) -> BuildReport:
        notes: list[str] = []
        if changes.config_changed:
            fresh = load_config(self.config_file)
            if (fresh.output_dir, fresh.base_path) != (
                self.config.output_dir,
                self.config.base_path,
            ):
                notes.append("output_dir or base_url's path changed: restart `bulletin serve`")
                fresh = dataclasses.replace(
                    fresh, output_dir=self.config.output_dir, base_url=self.config.base_url
                )
            self.config = fresh
            self._builder.save()
            self._builder = site_build.Builder(fresh)
        with self._early_lock:
            early = dict(self._early)  # what this build covers: written before it started
        try:
            result = self._builder.build(search=False, defer_saving=True)
        finally:
            with self._early_lock:
                for rel, data in early.items():
                    if self._early.get(rel) is data:
                        del self._early[rel]
        # Pages the early event already showed, rewritten with the same bytes: not again.
        written = [
            rel
            for rel in result.written
            if not _same_as(self.config.output_dir / rel, early.get(rel))
        ]
        if self._indexer is not None and self.config.search:  # --no-search, `search: false`
            self._indexer.request(self.config)
        return BuildReport(
            written=tuple(written),
            deleted=tuple(result.deleted),
            warnings=(*notes, *result.warnings),
            seconds=result.seconds,
            errors=tuple(result.errors),
            notes=tuple(f"ingested {line}" for line in result.ingested),
        )

    def idle(self, stop: Callable[[], bool] | None = None) -> bool:
        """After the build's event went out: save the caches it put off, and make ready
        what the next edit needs (``Builder.prepare``). ``stop``: give up as soon as it
        says so (an edit waits), leaving the rest for the next time; then False. At 10,000
        bulletins the save takes 0.9 s, and an edit saved meanwhile waited for it."""
        if not self._builder.save(stop):
            return False
        self._builder.prepare()
        return True

    def close(self) -> None:
        """Save what is left to save; end a running index update (bundles and the index's
        state stay as they were, so the next start indexes again), then stop."""
        self._builder.save()
        if self._indexer is not None:
            self._indexer.close()


def _not_page(route: str) -> bool:
    return not route.endswith(("/", ".html", ".htm", ".xml"))


def _same_as(path: Path, data: bytes | None) -> bool:
    if data is None:
        return False
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _report_search(result: SearchReport | BulletinError) -> None:
    if isinstance(result, BulletinError):
        _say(f"error: search index: {result}", sys.stderr)
    elif result.indexed:
        _say(describe_report(result))


def run_serve(args: argparse.Namespace, config: SiteConfig) -> int:
    """`bulletin serve`: build, then serve on --host/--port until Ctrl-C."""
    roots = WatchRoots.from_config(config, args.config)
    builder = SiteBuilder(Path(args.config), config, search=not args.no_search)
    debug = bool(getattr(args, "debug", False))
    preview = Preview(builder, roots, config.base_path, args.host, args.port, debug=debug)
    with _sigterm_as_interrupt():
        try:
            url = preview.start()
            _say(f"serving {url} — watching content, seeds, theme, site.yaml (Ctrl-C stops)")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            preview.stop()
            builder.close()
    _say("stopped")
    return 0
