"""The preview server's file watcher: what it asks the kernel for, and that an editor's
save is noticed however many files a build reads around it."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_http import roots_for
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from generator import serve
from generator.changes import WatchRoots
from generator.serve import LiveState, Watcher

IN_ACCESS, IN_MODIFY, IN_CLOSE_NOWRITE, IN_OPEN = 0x1, 0x2, 0x10, 0x20
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="inotify: the watcher the preview uses on Linux"
)


def make_project(root: Path, folders: int) -> WatchRoots:
    """A project whose content has ``folders`` bulletin folders of one article each."""
    content = root / "content"
    for number in range(folders):
        folder = content / f"2026-01-01_{number:05d}"
        folder.mkdir(parents=True)
        (folder / "01-article.md").write_text("标题\n\n正文。\n", encoding="utf-8")
    (root / "seeds").mkdir()
    (root / "themes/default").mkdir(parents=True)
    (root / "site.yaml").write_text("title: t\n", encoding="utf-8")
    return roots_for(root)


@pytest.fixture
def watching(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[WatchRoots, LiveState]]:
    roots = make_project(tmp_path / "project", getattr(request, "param", 3))
    state = LiveState()
    watcher = Watcher(roots, state)
    try:
        yield roots, state
    finally:
        watcher.stop()
        watcher.join(timeout=10)


def recorded(state: LiveState, path: Path, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with state.condition:
            if path in state._pending:
                return True
        time.sleep(0.02)
    return False


def inotify_masks(folders: list[Path]) -> dict[Path, int]:
    """The event mask this process's inotify watches have on each of ``folders``."""
    by_inode = {os.stat(folder).st_ino: folder for folder in folders}
    masks: dict[Path, int] = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            info = Path(f"/proc/self/fdinfo/{fd}").read_text()
        except OSError:
            continue
        for line in info.splitlines():
            if line.startswith("inotify "):
                fields = dict(part.split(":", 1) for part in line.split()[1:])
                folder = by_inode.get(int(fields["ino"], 16))
                if folder is not None:
                    masks[folder] = int(fields["mask"], 16)
    return masks


def test_the_kernel_reports_changes_but_not_reads(watching: tuple[WatchRoots, LiveState]) -> None:
    roots, _ = watching
    folders = [*roots.watched_dirs(), roots.root, *roots.content_dir.iterdir()]
    masks = inotify_masks(folders)
    assert set(masks) == set(folders)  # every folder is watched, the project's own too
    for folder, mask in masks.items():
        assert mask & (IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE) == 0, (folder, hex(mask))
        for wanted in (IN_CREATE, IN_MODIFY, IN_DELETE, IN_MOVED_FROM, IN_MOVED_TO):
            assert mask & wanted, (folder, hex(mask), hex(wanted))


def forget_recorded(state: LiveState) -> None:
    """Let the events of the last save arrive, then forget them, so the next check sees
    only what the next save reports."""
    time.sleep(0.3)
    with state.condition:
        state._pending.clear()


def test_saves_of_every_kind_are_noticed(watching: tuple[WatchRoots, LiveState]) -> None:
    roots, state = watching
    article = next(roots.content_dir.glob("*/01-article.md"))
    article.write_text("标题\n\n改过的正文。\n", encoding="utf-8")
    assert recorded(state, article)
    forget_recorded(state)
    # an editor that saves through a temporary file and a rename
    temporary = article.with_name(".01-article.md.swp")
    temporary.write_text("标题\n\n再改。\n", encoding="utf-8")
    os.replace(temporary, article)
    assert recorded(state, article)
    forget_recorded(state)
    new_folder = roots.content_dir / "2026-02-01_99999"
    new_folder.mkdir()
    new_article = new_folder / "01-new.md"
    new_article.write_text("新标题\n\n正文。\n", encoding="utf-8")
    assert recorded(state, new_article)
    seed = roots.seeds_dir / "today.txt"
    seed.write_text("原始快讯\n", encoding="utf-8")
    assert recorded(state, seed)
    forget_recorded(state)
    article.unlink()
    assert recorded(state, article)
    roots.config_file.write_text("title: changed\n", encoding="utf-8")
    assert recorded(state, roots.config_file)
    forget_recorded(state)
    new_article.write_text("新标题\n\n改过。\n", encoding="utf-8")  # its folder is new
    assert recorded(state, new_article)


def _queue_size() -> int:
    try:
        return int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    except (OSError, ValueError):
        return 16384


READ_EVERYTHING = """
import os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            handle.read()
"""


@pytest.mark.parametrize("watching", [_queue_size() // 2], indirect=True)
def test_a_save_after_a_build_read_every_file_is_noticed(
    watching: tuple[WatchRoots, LiveState], caplog: pytest.LogCaptureFixture
) -> None:
    """A build lists every folder and reads what changed, from worker processes: with
    reads reported, that filled inotify's queue at 10,000 bulletins (half its size in
    folders does it here) and the save that followed was lost."""
    roots, state = watching
    caplog.set_level(logging.WARNING, logger="watchdog")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", READ_EVERYTHING, str(roots.content_dir)], check=True)
    article = next(roots.content_dir.glob("*/01-article.md"))
    article.write_text("标题\n\n改过的正文。\n", encoding="utf-8")
    assert recorded(state, article, timeout=20)
    assert not [r for r in caplog.records if "overflow" in r.getMessage()]
    with state.condition:
        assert state._pending == {article}  # the reads recorded nothing


@pytest.mark.parametrize(
    ("code", "said_by_system", "setting"),
    [
        (errno.ENOSPC, "inotify watch limit reached", "max_user_watches"),
        (errno.EMFILE, "inotify instance limit reached", "max_user_instances"),
    ],
)
def test_without_inotify_watches_left_it_polls_and_says_how_to_fix_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: int,
    said_by_system: str,
    setting: str,
) -> None:
    class LimitReached(Observer):  # type: ignore[misc, valid-type]
        """An inotify watcher on a system whose watches are used up."""

        def start(self) -> None:
            raise OSError(code, said_by_system)

    roots = make_project(tmp_path / "project", 3)
    monkeypatch.setattr(serve, "Observer", LimitReached)
    monkeypatch.setattr(serve, "POLL_SECONDS", 0.2)
    state = LiveState()
    watcher = Watcher(roots, state)
    try:
        assert isinstance(watcher.observer, PollingObserver)
        said = capsys.readouterr().err
        assert f"warning: cannot watch every folder ({said_by_system})" in said
        assert "every 0.2 s" in said and f"sysctl fs.inotify.{setting}=" in said
        assert said.count("\n") == 1
        article = next(roots.content_dir.glob("*/01-article.md"))
        time.sleep(0.3)  # a poll's snapshot before the save: mtimes tick coarsely
        article.write_text("标题\n\n改过的正文。\n", encoding="utf-8")
        assert recorded(state, article)
    finally:
        watcher.stop()
        watcher.join(timeout=10)


def test_other_errors_of_the_watcher_are_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(Observer):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(serve, "Observer", Broken)
    with pytest.raises(PermissionError):
        Watcher(make_project(tmp_path / "project", 1), LiveState())


USED_UP = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_serve_watch import inotify_masks, make_project, recorded
from generator import serve
serve.POLL_SECONDS = 0.2
roots = make_project(Path(sys.argv[1]), 3)
state = serve.LiveState()
watcher = serve.Watcher(roots, state)
folders = [p for p in Path(sys.argv[1]).rglob("*") if p.is_dir()] + [Path(sys.argv[1])]
Path("/proc/sys/user/max_inotify_watches").write_text(str(len(inotify_masks(folders))))
new = roots.content_dir / "2026-02-01_00001"
new.mkdir()
assert recorded(state, new), "the new folder's creation"
time.sleep(0.5)  # the poll's first look (coarse mtimes)
article = new / "01-article.md"
article.write_text("标题\\n\\n正文。\\n", encoding="utf-8")
print("recorded" if recorded(state, article) else "lost", flush=True)
watcher.stop()
watcher.join(timeout=10)
"""


def _user_namespaces() -> bool:
    """Whether this system lets a user namespace set its own inotify limits."""
    probe = "echo 100 > /proc/sys/user/max_inotify_watches"
    try:
        run = subprocess.run(
            ["unshare", "--user", "--map-root-user", "sh", "-c", probe],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0


@pytest.mark.skipif(not _user_namespaces(), reason="needs unshare --user to lower the limit")
def test_a_folder_made_once_watches_ran_out_is_polled_and_said(tmp_path: Path) -> None:
    """The limit is lowered in a user namespace of the test's own (the machine's is left
    alone) to the watches the preview holds: watchdog then leaves the next folder
    unwatched without a word, and an article saved in it was never seen."""
    run = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            sys.executable,
            "-c",
            USED_UP,
            str(tmp_path / "project"),
            str(Path(__file__).parent),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "recorded"
    warning = [line for line in run.stderr.splitlines() if "warning:" in line]
    assert len(warning) == 1, run.stderr
    assert "cannot watch" in warning[0] and "2026-02-01_00001" in warning[0]
    assert "sysctl fs.inotify.max_user_watches=" in warning[0]
