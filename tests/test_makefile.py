"""The Makefile's choice of interpreter for .venv: the distribution's Python 3.11+ (an
optimized build) when it can make virtual environments, else python3 from PATH."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def venv_command(tmp_path: Path, *args: str) -> str:
    """The command `make build` would create .venv with, in a checkout without one."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    dry = subprocess.run(
        ["make", "-n", "build", *args], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    [line] = [line for line in dry.stdout.splitlines() if "-m venv" in line]
    return line.split("||", 1)[1].strip()


def fake_python(folder: Path, name: str, exit_code: int) -> Path:
    """An interpreter that answers the Makefile's check (3.11+ with ensurepip) with ``exit_code``."""
    path = folder / name
    path.write_text(f"#!/bin/sh\nexit {exit_code}\n")
    path.chmod(0o755)
    return path


def test_a_usable_distribution_python_makes_the_venv(tmp_path: Path) -> None:
    distro = fake_python(tmp_path, "distro-python", 0)
    assert venv_command(tmp_path, f"DISTRO_PYTHON={distro}") == f"{distro} -m venv .venv"


@pytest.mark.parametrize("exit_code", [1, 127])  # too old or without venv; not runnable
def test_otherwise_python3_from_path(tmp_path: Path, exit_code: int) -> None:
    distro = fake_python(tmp_path, "distro-python", exit_code)
    assert venv_command(tmp_path, f"DISTRO_PYTHON={distro}") == "python3 -m venv .venv"


def test_a_missing_distribution_python_falls_back(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-python"
    assert venv_command(tmp_path, f"DISTRO_PYTHON={missing}") == "python3 -m venv .venv"


def test_python_given_on_the_command_line_wins(tmp_path: Path) -> None:
    assert venv_command(tmp_path, f"PYTHON={sys.executable}") == f"{sys.executable} -m venv .venv"


def test_this_machines_distribution_python_is_chosen(tmp_path: Path) -> None:
    """The real check, against the real /usr/bin/python3, where it qualifies."""
    check = "import sys, ensurepip; sys.exit(sys.version_info < (3, 11))"
    distro = Path("/usr/bin/python3")
    if not distro.exists() or subprocess.run([distro, "-c", check]).returncode != 0:
        pytest.skip("no Python 3.11+ with venv at /usr/bin/python3")
    assert venv_command(tmp_path) == "/usr/bin/python3 -m venv .venv"
