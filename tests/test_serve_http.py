"""The preview server over real sockets, driven by a stand-in build callable.

The server knows nothing about the generator, so these tests hand it a tiny fake site
(content/*.md → _site/<stem>/index.html) and check what a browser or an attacker sees:
raw request lines the client cannot normalise, MIME types, waiting while a build runs,
the event stream, debouncing and error reporting.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import serve
from generator.changes import ChangeSet, WatchRoots
from generator.errors import BulletinError
from generator.serve import EVENTS_PATH, STATUS_PATH, BuildReport, Preview, bind_server

PAGE = (
    '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
    '<link rel="stylesheet" href="{base}static/style.css"><title>{title}</title></head>'
    "<body><h1>{title}</h1><p>{body}</p></body></html>"
)


class FakeSite:
    """content/<stem>.md (first line: title; "BROKEN" anywhere: a build error) → pages."""

    def __init__(self, project: Path, base: str = "/"):
        self.project = project
        self.base = base
        self.calls: list[ChangeSet] = []
        self.warnings: tuple[str, ...] = ()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, changes: ChangeSet) -> BuildReport:
        self.calls.append(changes)
        self.gate.wait(10)
        out = self.project / "_site"
        written: list[str] = []
        titles = []
        for source in sorted((self.project / "content").rglob("*.md")):
            text = source.read_text(encoding="utf-8")
            if "BROKEN" in text:
                raise BulletinError("invalid front matter: broken on purpose", source, 2)
            title, _, body = text.partition("\n")
            titles.append(title)
            page = PAGE.format(base=self.base, title=title, body=body.strip())
            self._write(out / source.stem / "index.html", page.encode(), written)
        home = PAGE.format(base=self.base, title="home", body=" ".join(titles))
        self._write(out / "index.html", home.encode(), written)
        for asset in (self.project / "themes/default/static").iterdir():
            self._write(out / "static" / asset.name, asset.read_bytes(), written)
        return BuildReport(written=tuple(written), warnings=self.warnings, seconds=0.01)

    def _write(self, path: Path, data: bytes, written: list[str]) -> None:
        if path.exists() and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path.relative_to(self.project / "_site").as_posix())


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    (project / "seeds").mkdir()
    (project / "themes/default/static").mkdir(parents=True)
    (project / "themes/default/templates").mkdir(parents=True)
    (project / "site.yaml").write_text("title: t\n", encoding="utf-8")
    (project / "content/alpha.md").write_text("兴化老年助餐\n第一段。\n", encoding="utf-8")
    (project / "content/beta.md").write_text("盐城亭湖\n第二段。\n", encoding="utf-8")
    (project / "themes/default/static/style.css").write_text("h1{color:black}", "utf-8")
    return project


def roots_for(project: Path) -> WatchRoots:
    return WatchRoots(
        root=project,
        config_file=project / "site.yaml",
        content_dir=project / "content",
        seeds_dir=project / "seeds",
        theme_dir=project / "themes/default",
        output_dir=project / "_site",
    )


def start_preview(project: Path, base: str = "/") -> tuple[Preview, FakeSite]:
    fake = FakeSite(project, base)
    preview = Preview(fake, roots_for(project), base, host="127.0.0.1", port=0)
    preview.start()
    return preview, fake


def address(preview: Preview) -> tuple[str, int]:
    return preview._server.server_address[:2]  # type: ignore[union-attr]


def raw_get(
    preview: Preview, target: str, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """Send the request line byte for byte, so nothing normalises the path first."""
    with socket.create_connection(address(preview), timeout=10) as sock:
        request = f"{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode("utf-8", "surrogateescape"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def status(preview: Preview) -> dict[str, Any]:
    return json.loads(raw_get(preview, STATUS_PATH)[2])


def wait_until(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


class EventReader:
    """Reads the Server-Sent Events stream in a thread, one (event, data) tuple a message."""

    def __init__(self, preview: Preview, since: int):
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        host, port = address(preview)
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.connection.request("GET", f"{EVENTS_PATH}?since={since}")
        self.response = self.connection.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    self.events.put((name, json.loads(data)))
                    name, data = "message", ""
        except (OSError, ValueError):
            return

    def next(self, name: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if found == name:
                return data

    def close(self) -> None:
        self.connection.close()


@pytest.fixture(scope="module")
def static_preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One server over a fixed output tree for the request-level tests."""
    tmp = tmp_path_factory.mktemp("static")
    project = make_project(tmp)
    preview, _ = start_preview(project)
    out = project / "_site"
    (out / "404.html").write_text(
        "<!doctype html><html><body><h1>站点的404页</h1></body></html>", encoding="utf-8"
    )
    (out / "中文.html").write_text("<html><body>中文页面</body></html>", encoding="utf-8")
    files = {
        "feed.xml": "<feed/>",
        "sitemap.xml": "<urlset/>",
        "robots.txt": "User-agent: *",
        "app.js": "1",
        "data.json": "{}",
        "pagefind/pagefind.wasm": "\0asm",
        "pagefind/pagefind-entry.json": "{}",
        "pagefind/wasm.unknown.pagefind": "x",
        "pagefind/index/zh_1.pf_index": "x",
        "pagefind/fragment/zh_1.pf_fragment": "x",
        "pagefind/zh_1.pf_meta": "x",
        "pagefind/filter/zh_1.pf_filter": "x",
    }
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    (tmp / "secret.txt").write_text("top secret", encoding="utf-8")
    (out / "leak.txt").symlink_to(tmp / "secret.txt")
    (out / "leakdir").symlink_to(tmp)
    yield preview
    preview.stop()


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsecret.txt",
        "/static%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/static\\..\\..\\secret.txt",
        "/..%5csecret.txt",
        "/index.html%00",
        "/leak.txt",
        "/leakdir/secret.txt",
    ],
)
def test_raw_requests_outside_the_output_are_refused(static_preview: Preview, target: str) -> None:
    code, _, body = raw_get(static_preview, target)
    assert code in (403, 404)
    assert b"top secret" not in body and b"root:" not in body


@pytest.mark.parametrize(
    "target", ["http://evil.example/secret.txt", "C:\\secret.txt", "/etc/passwd"]
)
def test_absolute_targets_never_reach_the_disk(static_preview: Preview, target: str) -> None:
    code, _, body = raw_get(static_preview, target)
    assert code in (400, 403, 404)
    assert b"root:" not in body


def test_double_slash_cannot_escape(static_preview: Preview) -> None:
    code, headers, _ = raw_get(static_preview, "//etc/passwd")
    assert code == 404 and "location" not in headers


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/feed.xml", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/pagefind/pagefind-entry.json", "application/json"),
        ("/pagefind/pagefind.wasm", "application/wasm"),
        ("/pagefind/wasm.unknown.pagefind", "application/octet-stream"),
        ("/pagefind/index/zh_1.pf_index", "application/octet-stream"),
        ("/pagefind/fragment/zh_1.pf_fragment", "application/octet-stream"),
        ("/pagefind/zh_1.pf_meta", "application/octet-stream"),
        ("/pagefind/filter/zh_1.pf_filter", "application/octet-stream"),
    ],
)
def test_mime_types_and_no_caching(static_preview: Preview, target: str, kind: str) -> None:
    code, headers, body = raw_get(static_preview, target)
    assert code == 200
    assert headers["content-type"] == kind
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert int(headers["content-length"]) == len(body)


def test_percent_encoded_chinese_path(static_preview: Preview) -> None:
    code, _, body = raw_get(static_preview, "/%E4%B8%AD%E6%96%87.html")
    assert code == 200 and "中文页面" in body.decode()


def test_directory_redirect_and_index(static_preview: Preview) -> None:
    code, headers, _ = raw_get(static_preview, "/alpha")
    assert (code, headers["location"]) == (301, "/alpha/")
    code, _, body = raw_get(static_preview, "/alpha/")
    assert code == 200 and "兴化老年助餐" in body.decode()


def test_missing_page_serves_the_sites_404_with_status_404(static_preview: Preview) -> None:
    code, headers, body = raw_get(static_preview, "/no/such/page/")
    assert code == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "站点的404页" in body.decode() and b"__bulletinLive" in body


def test_missing_page_in_the_mirror_serves_the_mirrors_404(static_preview: Preview) -> None:
    mirror = static_preview.roots.output_dir / "zh-hant"
    mirror.mkdir(exist_ok=True)
    (mirror / "404.html").write_text("<html><body>找不到頁面</body></html>", "utf-8")
    code, _, body = raw_get(static_preview, "/zh-hant/no/such/")
    assert code == 404 and "找不到頁面" in body.decode()
    code, _, body = raw_get(static_preview, "/no/zh-hant/")
    assert code == 404 and "站点的404页" in body.decode()


def test_client_is_injected_into_served_html_only(static_preview: Preview) -> None:
    _, _, body = raw_get(static_preview, "/alpha/")
    html = body.decode()
    assert html.index('id="bulletin-livereload"') < html.index("</body>")
    assert "EventSource" in html
    _, _, css = raw_get(static_preview, "/static/style.css")
    assert b"bulletin-livereload" not in css
    on_disk = (static_preview.roots.output_dir / "alpha/index.html").read_text("utf-8")
    assert "bulletin-livereload" not in on_disk and "EventSource" not in on_disk


def test_head_sends_headers_without_body(static_preview: Preview) -> None:
    code, headers, body = raw_get(static_preview, "/static/style.css", method="HEAD")
    assert code == 200 and body == b"" and int(headers["content-length"]) > 0


def test_busy_port_moves_to_the_next_free_one(tmp_path: Path) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    state = serve.LiveState()
    try:
        server = bind_server("127.0.0.1", busy, state, tmp_path, "/")
        assert server.server_address[1] != busy
        server.server_close()
    finally:
        holder.close()


def test_busy_port_error_names_the_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "PORT_TRIES", 1)
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    try:
        with pytest.raises(BulletinError, match=f"port {busy} on 127.0.0.1 is in use"):
            bind_server("127.0.0.1", busy, serve.LiveState(), tmp_path, "/")
    finally:
        holder.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Preview, FakeSite, Path]]:
    project = make_project(tmp_path)
    preview, fake = start_preview(project)
    yield preview, fake, project
    preview.stop()


def test_saving_a_source_sends_its_page_url(live: tuple[Preview, FakeSite, Path]) -> None:
    preview, _, project = live
    reader = EventReader(preview, since=status(preview)["version"])
    try:
        assert reader.next("hello")["server"] == preview.state.server_id
        (project / "content/alpha.md").write_text("兴化新标题\n第一段。\n", encoding="utf-8")
        event = reader.next("build")
        assert event["error"] is None
        assert set(event["pages"]) == {"/alpha/", "/"}  # beta's page is untouched
        assert event["styles"] == []
        _, _, body = raw_get(preview, "/alpha/")
        assert "兴化新标题" in body.decode()
        (project / "themes/default/static/style.css").write_text("h1{color:red}", "utf-8")
        event = reader.next("build")
        assert (event["pages"], event["styles"]) == ([], ["/static/style.css"])
    finally:
        reader.close()


def test_rapid_saves_make_one_build(live: tuple[Preview, FakeSite, Path]) -> None:
    preview, fake, project = live
    before = status(preview)["builds"]
    for n in range(8):  # an editor saving several files at once
        (project / f"content/gamma{n}.md").write_text(f"标题{n}\n正文。\n", encoding="utf-8")
    wait_until(lambda: status(preview)["builds"] > before)
    time.sleep(0.5)  # a second build would have started by now
    assert status(preview)["builds"] == before + 1
    assert len(fake.calls[-1].paths[next(iter(fake.calls[-1].kinds))]) == 8


def test_editor_droppings_and_output_writes_build_nothing(
    live: tuple[Preview, FakeSite, Path],
) -> None:
    preview, fake, project = live
    calls = len(fake.calls)
    (project / "content/.alpha.md.swp").write_bytes(b"swap")
    (project / "content/4913").write_bytes(b"")
    (project / "content/alpha.md~").write_text("backup", encoding="utf-8")
    (project / "_site/extra.html").write_text("x", encoding="utf-8")
    (project / "notes.txt").write_text("x", encoding="utf-8")
    time.sleep(0.6)
    assert len(fake.calls) == calls
    assert status(preview)["building"] is False


def test_requests_wait_for_a_running_build(live: tuple[Preview, FakeSite, Path]) -> None:
    preview, fake, project = live
    fake.gate.clear()
    (project / "content/alpha.md").write_text("等构建完成\n正文。\n", encoding="utf-8")
    wait_until(lambda: status(preview)["building"])
    answers: list[bytes] = []
    request = threading.Thread(target=lambda: answers.append(raw_get(preview, "/alpha/")[2]))
    request.start()
    request.join(0.3)
    assert request.is_alive(), "a page was served mid-build"
    fake.gate.set()
    request.join(10)
    assert "等构建完成" in answers[0].decode()


def test_build_error_keeps_serving_and_clears_on_fix(
    live: tuple[Preview, FakeSite, Path],
) -> None:
    preview, _, project = live
    reader = EventReader(preview, since=status(preview)["version"])
    try:
        (project / "content/beta.md").write_text("盐城\nBROKEN\n", encoding="utf-8")
        event = reader.next("build")
        assert (
            event["error"]["text"] == "content/beta.md:2: invalid front matter: broken on purpose"
        )
        code, _, body = raw_get(preview, "/alpha/")  # the old page is still served...
        assert code == 200
        injected = body.decode()
        assert "content/beta.md:2" in injected  # ...with the error in its injected state
        (project / "content/beta.md").write_text("盐城亭湖修好\n第二段。\n", encoding="utf-8")
        event = reader.next("build")
        assert event["error"] is None and "/beta/" in event["pages"]
        assert status(preview)["error"] is None
    finally:
        reader.close()


def test_warnings_reach_the_stream_and_status(live: tuple[Preview, FakeSite, Path]) -> None:
    preview, fake, project = live
    reader = EventReader(preview, since=status(preview)["version"])
    try:
        fake.warnings = ("seeds/001.txt: content/001/01-a.md was edited by hand; not overwritten",)
        (project / "seeds/001.txt").write_text("raw", encoding="utf-8")
        event = reader.next("build")
        assert event["warnings"] == list(fake.warnings)
        assert status(preview)["warnings"] == list(fake.warnings)
    finally:
        reader.close()


def test_a_stream_that_missed_events_catches_up(live: tuple[Preview, FakeSite, Path]) -> None:
    preview, _, project = live
    start = status(preview)["version"]
    (project / "content/alpha.md").write_text("错过的标题\n正文。\n", encoding="utf-8")
    wait_until(lambda: status(preview)["version"] > start)
    reader = EventReader(preview, since=start)  # a tab served before the build connects late
    try:
        assert "/alpha/" in reader.next("build")["pages"]
    finally:
        reader.close()


def test_site_under_a_base_path(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    preview, _ = start_preview(project, base="/news/")
    try:
        assert preview.url.endswith("/news/")
        code, headers, _ = raw_get(preview, "/")
        assert (code, headers["location"]) == (301, "/news/")
        code, _, body = raw_get(preview, "/news/alpha/")
        assert code == 200 and "兴化老年助餐" in body.decode()
        reader = EventReader(preview, since=status(preview)["version"])
        (project / "content/alpha.md").write_text("新\n正文。\n", encoding="utf-8")
        assert set(reader.next("build")["pages"]) == {"/news/", "/news/alpha/"}
        reader.close()
    finally:
        preview.stop()


def test_stop_ends_open_streams_and_frees_the_port(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    preview, _ = start_preview(project)
    reader = EventReader(preview, since=0)
    reader.next("hello")
    host, port = address(preview)
    started = time.monotonic()
    preview.stop()
    assert time.monotonic() - started < 5
    reader.thread.join(5)
    assert not reader.thread.is_alive(), "the event stream was left open"
    with socket.socket() as again:  # nothing is left listening
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind((host, port))
        again.listen()
    reader.close()
