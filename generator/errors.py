"""The one error type users see: a message that names the file and, where known, the line."""

from __future__ import annotations

from pathlib import Path


class BulletinError(Exception):
    """A user-facing failure, printed as one line: ``path:line: message``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"
