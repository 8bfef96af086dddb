"""Our generator, timed through its real command line in a generated project folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.contender import Phase
from benchmarks.convert import append_paragraph
from benchmarks.corpus import PlannedBulletin, write_project
from benchmarks.measure import Run, run_measured

# Everything a build leaves behind that a cold build must not find.
BUILD_STATE = ("_site", ".bulletin-cache")


@dataclass(frozen=True)
class OurSite:
    name: str
    root: Path
    search: bool
    edit: tuple[str, int]  # bulletin id, article order

    @classmethod
    def create(
        cls,
        root: Path,
        count: int,
        seed: int,
        edit: tuple[PlannedBulletin, int],
        *,
        search: bool = False,
    ) -> OurSite:
        if root.exists():
            shutil.rmtree(root)
        write_project(root, count, seed)
        name = "ours, with search" if search else "ours"
        return cls(name, root, search, (edit[0].id, edit[1]))

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "generator", "--config", str(self.root / "site.yaml"), *args]

    def ingest(self, round_number: int) -> Run:
        """Ingest every raw bulletin into an empty content/ (one process, as users run it)."""
        shutil.rmtree(self.root / "content", ignore_errors=True)
        (self.root / "content").mkdir()
        log = self.root / "logs" / f"{round_number}-ingest.log"
        return run_measured(self.command("ingest"), cwd=self.root, log=log).check("ingest")

    def run(self, phase: Phase, round_number: int) -> Run:
        if phase is Phase.COLD:
            for stale in BUILD_STATE:
                shutil.rmtree(self.root / stale, ignore_errors=True)
        elif phase is Phase.EDIT:
            append_paragraph(self.edit_file(), round_number)
        args = ["build"] if self.search else ["build", "--no-search"]
        log = self.root / "logs" / f"{round_number}-{phase.value}.log"
        return run_measured(self.command(*args), cwd=self.root, log=log).check(
            f"{self.name} {phase.value}"
        )

    def edit_file(self) -> Path:
        bulletin, order = self.edit
        matches = sorted((self.root / "content" / bulletin).glob(f"{order:02d}-*.md"))
        if not matches:
            raise RuntimeError(f"ingest wrote no article {order:02d} in content/{bulletin}")
        return matches[0]

    def output(self) -> Path:
        return self.root / "_site"

    def version(self) -> str:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
        )
        return f"bulletin {head.stdout.strip() or 'unknown'}"
