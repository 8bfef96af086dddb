"""Ctrl-C during a build that renders in worker processes: one clean stop, no traceback
from any worker, no worker left behind, and the next build finishes the site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import write_project
from tests.build_support import ctrl_c_reaches_children, run_cli


def test_ctrl_c_while_workers_render(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_project(project, 40)
    assert run_cli(project, "ingest").returncode == 0
    with ctrl_c_reaches_children():
        build = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "--config",
                str(project / "site.yaml"),
                "build",
                "--no-search",
                "--jobs",
                "2",
            ],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's job would be
        )
    progress = project / "_site"
    deadline = time.monotonic() + 60
    while not (progress.exists() or list(project.glob("._site.building"))):
        assert time.monotonic() < deadline and build.poll() is None
        time.sleep(0.01)
    time.sleep(0.2)  # the pool is rendering
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C does: the whole group
    _, stderr = build.communicate(timeout=60)
    assert build.returncode != 0
    assert "Traceback" not in stderr and stderr.count("\n") <= 2, stderr
    leftover = subprocess.run(["pgrep", "-g", str(build.pid)], capture_output=True, text=True)
    assert leftover.stdout == ""  # no worker outlives the build
    finished = run_cli(project, "build", "--no-search")
    assert finished.returncode == 0, finished.stderr
    assert (project / "_site" / "index.html").is_file()
