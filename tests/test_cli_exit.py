"""The command's quick exit: everything printed arrives, exit handlers run, the exit code
is kept, and a thread still running is waited for as Python's usual exit would."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_entry(body: str) -> subprocess.CompletedProcess[str]:
    """Run ``generator.cli.entry`` with ``main`` replaced by ``body`` (a function body)."""
    script = textwrap.dedent(
        """
        import atexit, sys, threading, time
        import generator.cli as cli
        atexit.register(lambda: print("exit handler ran", flush=True))

        def main(argv=None):
        {body}

        cli.main = main
        cli.entry()
        """
    ).format(body=textwrap.indent(textwrap.dedent(body), "    "))
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


def test_output_exit_handlers_and_code_survive_the_quick_exit() -> None:
    done = run_entry(
        """
        sys.stdout.write("一行" * 50_000)  # left in the buffer: no newline, no flush
        sys.stderr.write("warning: kept")
        return 3
        """
    )
    assert done.returncode == 3
    assert done.stdout.startswith("一行" * 50_000)
    assert done.stdout.endswith("exit handler ran\n")
    assert done.stderr == "warning: kept"


def test_a_running_thread_is_waited_for() -> None:
    done = run_entry(
        """
        def late():
            time.sleep(0.5)
            print("thread finished", flush=True)
        threading.Thread(target=late).start()
        return 0
        """
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["thread finished", "exit handler ran"]


def test_the_module_and_the_command_exit_with_mains_code(tmp_path) -> None:
    missing = tmp_path / "nowhere" / "site.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(missing), "build"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("bulletin: error:") and str(missing) in done.stderr
