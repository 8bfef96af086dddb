"""Our generator, timed through its real command line in a generated project folder.

The command runs a snapshot of the generator package and themes taken when the harness
starts (put first on PYTHONPATH), from the working tree or a git revision, so the code
under test cannot change between runs while people keep working in the checkout; a
change there would also invalidate every page's fingerprint and turn a no-change
rebuild into a full one.
"""

from __future__ import annotations

import compileall
import io
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.contender import Phase
from benchmarks.convert import append_paragraph
from benchmarks.corpus import PlannedBulletin, write_project
from benchmarks.measure import Run, discard, run_measured

NAME = "ours"
SEARCHING_NAME = "ours, with search"  # the default: `bulletin build` and `serve` index

REPO = Path(__file__).resolve().parent.parent
# Everything a build leaves behind that a cold build must not find.
BUILD_STATE = ("_site", ".bulletin-cache")
SNAPSHOT = ("generator", "themes")


def snapshot_code(folder: Path, revision: str | None = None) -> Path:
    """Copy the generator package and the themes into ``folder``, from the working tree
    or, given a git ``revision`` (HEAD), from that commit, and compile the package as pip
    compiles an installed one. Returns ``folder``, to go first on PYTHONPATH.

    Compiled because Python would otherwise compile it on every run where the environment
    sets PYTHONDONTWRITEBYTECODE (this machine's does): 0.05-0.08 s of every timed build,
    cold or no-change, that Pelican, installed from a wheel, never pays, nor a user whose
    Python writes its bytecode on the first run."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    described = ["git", "describe", "--always", *([revision] if revision else ["--dirty"])]
    label = subprocess.run(described, capture_output=True, text=True, cwd=REPO).stdout.strip()
    (folder / "REVISION").write_text(label or "unknown", encoding="utf-8")
    if revision is None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        for part in SNAPSHOT:
            shutil.copytree(REPO / part, folder / part, ignore=ignore)
        return _compiled(folder)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, *SNAPSHOT],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # Our own commit's files. Extraction filters came in 3.11.4: Debian's 3.11.2,
        # which `make` prefers, has none.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(folder, **safe)
    return _compiled(folder)


def _compiled(folder: Path) -> Path:
    if not compileall.compile_dir(folder / "generator", quiet=1):
        raise RuntimeError(f"could not compile {folder / 'generator'}")
    return folder


@dataclass(frozen=True)
class OurSite:
    name: str
    root: Path
    search: bool
    edit: tuple[str, int]  # bulletin id, article order
    code: Path  # the generator snapshot to run

    @classmethod
    def create(
        cls,
        root: Path,
        count: int,
        seed: int,
        edit: tuple[PlannedBulletin, int],
        code: Path,
        *,
        search: bool = False,
    ) -> OurSite:
        discard(root)
        write_project(root, count, seed, themes=code / "themes")
        name = SEARCHING_NAME if search else NAME
        return cls(name, root, search, (edit[0].id, edit[1]), code)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "generator", "--config", str(self.root / "site.yaml"), *args]

    def ingest(self, round_number: int) -> Run:
        """Ingest every raw bulletin into an empty content/ (one process, as users run it)."""
        discard(self.root / "content")
        (self.root / "content").mkdir()
        log = self.root / "logs" / f"{round_number}-ingest.log"
        return self.measured(self.command("ingest"), log).check("ingest")

    def run(self, phase: Phase, round_number: int) -> Run:
        if phase is Phase.COLD:
            for stale in BUILD_STATE:
                discard(self.root / stale)
        elif phase is Phase.EDIT:
            append_paragraph(self.edit_file(), round_number)
        args = ["build"] if self.search else ["build", "--no-search"]
        log = self.root / "logs" / f"{round_number}-{phase.value}.log"
        return self.measured(self.command(*args), log).check(f"{self.name} {phase.value}")

    def measured(self, command: list[str], log: Path) -> Run:
        env = {**os.environ, "PYTHONPATH": str(self.code)}
        return run_measured(command, cwd=self.root, log=log, env=env)

    def edit_file(self) -> Path:
        bulletin, order = self.edit
        matches = sorted((self.root / "content" / bulletin).glob(f"{order:02d}-*.md"))
        if not matches:
            raise RuntimeError(f"ingest wrote no article {order:02d} in content/{bulletin}")
        return matches[0]

    def output(self) -> Path:
        return self.root / "_site"

    def version(self) -> str:
        return f"bulletin {(self.code / 'REVISION').read_text(encoding='utf-8')}"
