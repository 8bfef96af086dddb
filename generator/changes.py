"""Sort file-system changes by kind, so the preview server knows whether (and why) to rebuild.

Pure functions over paths: no disk access, no watcher, so a table of cases tests them.
Editor droppings (swap, backup, lock and temp files), hidden folders and everything
inside the output folder are IGNORED: they must never trigger a rebuild, or a build
that writes its own output would rebuild forever.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from generator.config import SiteConfig


class ChangeKind(enum.Enum):
    CONTENT = "content"  # Markdown or bulletin.yaml under content/
    SEED = "seed"  # a raw bulletin under seeds/: the build ingests it
    TEMPLATE = "template"  # a theme template (or any non-static theme file)
    STATIC = "static"  # a theme asset copied as is (CSS, JS, images, fonts)
    CONFIG = "config"  # site.yaml: settings change, so the config is read again
    IGNORED = "ignored"


# Names editors and tools write next to the file being saved, then rename or delete.
_IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini", "4913"}  # 4913: vim's probe file
_IGNORED_SUFFIXES = (
    "~",  # emacs, gedit, kate backups
    ".swp",
    ".swo",
    ".swx",
    ".swpx",  # vim swap files
    ".kate-swp",
    ".tmp",
    ".temp",
    ".bak",
    ".orig",
    ".rej",
    ".part",
    ".crdownload",
    "___jb_tmp___",
    "___jb_old___",  # JetBrains safe-write
)
_EMACS_AUTOSAVE_RE = re.compile(r"^#.*#$")
_SED_INPLACE_RE = re.compile(r"^sed[A-Za-z0-9]{6}$")  # `sed -i` writes sedXXXXXX, then renames
_SEED_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class WatchRoots:
    """The folders a change can fall in, absolute, as the classifier needs them."""

    root: Path  # project folder (holds site.yaml)
    config_file: Path
    content_dir: Path
    seeds_dir: Path
    theme_dir: Path
    output_dir: Path

    @classmethod
    def from_config(cls, config: SiteConfig, config_file: Path) -> WatchRoots:
        return cls(
            root=config.root,
            config_file=Path(config_file).absolute(),
            content_dir=config.content_dir,
            seeds_dir=config.seeds_dir,
            theme_dir=config.theme_dir,
            output_dir=config.output_dir,
        )

    def watched_dirs(self) -> list[Path]:
        """Folders to watch recursively; site.yaml is watched through its folder."""
        return [self.content_dir, self.seeds_dir, self.theme_dir]


def is_editor_temp(name: str) -> bool:
    """True for swap, backup, lock and temp files that editors create around a save."""
    lower = name.lower()
    return (
        lower in _IGNORED_NAMES
        or lower.endswith(_IGNORED_SUFFIXES)
        or name.startswith(".#")  # emacs lock link
        or bool(_EMACS_AUTOSAVE_RE.match(name))
        or bool(_SED_INPLACE_RE.match(name))
    )


def _relative(path: PurePath, folder: PurePath) -> PurePath | None:
    try:
        return path.relative_to(folder)
    except ValueError:
        return None


def _is_hidden(parts: Iterable[str]) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in parts)


def classify_change(path: PurePath, roots: WatchRoots) -> ChangeKind:
    """The kind of one changed path (absolute). Output and hidden paths are IGNORED."""
    if path == roots.config_file:
        return ChangeKind.CONFIG
    if _relative(path, roots.output_dir) is not None or is_editor_temp(path.name):
        return ChangeKind.IGNORED
    for folder, kind in (
        (roots.content_dir, ChangeKind.CONTENT),
        (roots.seeds_dir, ChangeKind.SEED),
        (roots.theme_dir, ChangeKind.TEMPLATE),
    ):
        inside = _relative(path, folder)
        if inside is None:
            continue
        if not inside.parts or _is_hidden(inside.parts):
            return ChangeKind.IGNORED
        if kind is ChangeKind.SEED and path.suffix.lower() not in _SEED_SUFFIXES:
            return ChangeKind.IGNORED
        if kind is ChangeKind.TEMPLATE and inside.parts[0] == "static":
            return ChangeKind.STATIC
        return kind
    return ChangeKind.IGNORED


@dataclass(frozen=True)
class ChangeSet:
    """What a burst of file events amounts to, once editor droppings are set aside."""

    paths: dict[ChangeKind, tuple[Path, ...]]

    @property
    def kinds(self) -> frozenset[ChangeKind]:
        return frozenset(self.paths)

    @property
    def needs_build(self) -> bool:
        return bool(self.paths)

    @property
    def only_stylesheets(self) -> bool:
        """Only theme CSS was saved: open pages can swap the sheet instead of reloading."""
        static = self.paths.get(ChangeKind.STATIC, ())
        return self.kinds == {ChangeKind.STATIC} and all(p.suffix == ".css" for p in static)

    @property
    def config_changed(self) -> bool:
        return ChangeKind.CONFIG in self.paths

    def describe(self, root: Path, limit: int = 3) -> str:
        """A short terminal summary: "content/x/01-a.md, themes/default/static/style.css"."""
        shown: list[str] = []
        for paths in self.paths.values():
            for path in paths:
                relative = _relative(path, root)
                shown.append((relative or path).as_posix())
        more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
        return ", ".join(sorted(shown)[:limit]) + more


def summarise_changes(paths: Iterable[PurePath], roots: WatchRoots) -> ChangeSet:
    """Group changed paths by kind, dropping the IGNORED ones."""
    grouped: dict[ChangeKind, set[Path]] = {}
    for path in paths:
        kind = classify_change(path, roots)
        if kind is not ChangeKind.IGNORED:
            grouped.setdefault(kind, set()).add(Path(path))
    return ChangeSet({kind: tuple(sorted(found)) for kind, found in grouped.items()})
