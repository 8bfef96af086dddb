"""Pelican on the same articles: Markdown with metadata, and timed runs.

A bulletin is a category, regions are tags (a city tag and a county tag), authors are
Pelican authors. One language, the built-in ``simple`` theme, feeds where ours has them
(site, region, author), and the content cache on, so the no-change run is Pelican's best.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.contender import Phase
from benchmarks.convert import append_paragraph, article_stem, body_markdown, region_terms
from benchmarks.corpus import PlannedBulletin
from benchmarks.measure import Run, discard, run_measured

NAME = "Pelican"
CONFIG = """\
SITENAME = "江苏区域快讯"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
THEME = "simple"
DEFAULT_PAGINATION = 20
# The simple theme lists every category in every page's menu: with a category per
# bulletin that is 1,000 links on each of 8,000 pages, quadratic work (profiled: 250 of
# 300 s). Our pages and the Hugo theme link the archive instead.
DISPLAY_CATEGORIES_ON_MENU = False
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = False
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "mtime"
FEED_DOMAIN = "https://example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_RSS = None
AUTHOR_FEED_ATOM = "feeds/author-{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
"""


def write_content(folder: Path, bulletins: list[PlannedBulletin]) -> None:
    for bulletin in bulletins:
        section = folder / bulletin.id
        section.mkdir(parents=True, exist_ok=True)
        for order, article in enumerate(bulletin.articles, start=1):
            stem = article_stem(order, article.headline)
            meta = [
                f"Title: {article.headline}",
                f"Date: {bulletin.date.isoformat()} 08:{order:02d}",
                f"Category: {bulletin.id}",
                f"Tags: {', '.join(region_terms(article))}",
                f"Slug: {bulletin.id}-{stem}",
            ]
            if article.authors:
                meta.append(f"Authors: {', '.join(article.authors)}")
            text = "\n".join(meta) + "\n\n" + body_markdown(article)
            (section / f"{stem}.md").write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class PelicanSite:
    name: str
    root: Path
    edit_file: Path

    @classmethod
    def create(
        cls, root: Path, bulletins: list[PlannedBulletin], edit: tuple[PlannedBulletin, int]
    ) -> PelicanSite:
        discard(root)
        root.mkdir(parents=True)
        (root / "pelicanconf.py").write_text(CONFIG, encoding="utf-8")
        write_content(root / "content", bulletins)
        bulletin, order = edit
        stem = article_stem(order, bulletin.articles[order - 1].headline)
        return cls(NAME, root, root / "content" / bulletin.id / f"{stem}.md")

    def run(self, phase: Phase, round_number: int) -> Run:
        if phase is Phase.COLD:
            for stale in ("output", "cache"):
                discard(self.root / stale)
        elif phase is Phase.EDIT:
            append_paragraph(self.edit_file, round_number)
        command = [
            sys.executable,
            "-m",
            "pelican",
            "content",
            "-s",
            "pelicanconf.py",
            "-o",
            self.output(),
            "-q",
        ]
        log = self.root / "logs" / f"{round_number}-{phase.value}.log"
        return run_measured(command, cwd=self.root, log=log).check(f"{self.name} {phase.value}")

    def output(self) -> Path:
        return self.root / "output"

    def version(self) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "pelican", "--version"], capture_output=True, text=True
        )
        return f"Pelican {result.stdout.strip()}"
