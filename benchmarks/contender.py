"""What the harness asks of each generator it times."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Protocol

from benchmarks.measure import Run


class Phase(Enum):
    COLD = "cold"  # output and caches removed first
    NO_CHANGE = "no-change"  # run again, nothing touched
    EDIT = "one-edit"  # one article's text changed, then run again


class Contender(Protocol):
    name: str

    def run(self, phase: Phase, round_number: int) -> Run:
        """Prepare the phase (clean, or edit one article) and time one build."""
        ...

    def output(self) -> Path:
        """The folder the build writes, for counting pages."""
        ...

    def version(self) -> str: ...
