"""What every contender gets from a planned article: a file stem, a Markdown body, and
region terms. The competitors are fed the plan (exactly what a correct parse of the raw
text yields), so all of them render the same articles."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from benchmarks.corpus import BlockKind, PlannedArticle, PlannedBulletin
from generator.slugs import slugify


@cache
def article_stem(order: int, headline: str) -> str:
    return f"{order:02d}-{slugify(headline)}"


def body_markdown(article: PlannedArticle) -> str:
    parts = [
        f"## {block.text}" if block.kind is BlockKind.SUBHEADING else block.text
        for block in article.blocks
    ]
    return "\n\n".join(parts) + "\n"


def region_terms(article: PlannedArticle) -> list[str]:
    """A city term and a county term, the two levels of our region pages."""
    _, city, county = article.region
    return [city, city + county]


def edit_target(bulletins: list[PlannedBulletin]) -> tuple[PlannedBulletin, int]:
    """The article every contender edits: the second of the middle bulletin."""
    bulletin = bulletins[len(bulletins) // 2]
    return bulletin, min(2, len(bulletin.articles))


def append_paragraph(path: Path, round_number: int) -> None:
    """The one-article edit: a new closing paragraph, different every round."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n第{round_number + 1}轮修改：补充一段新的内容。\n", encoding="utf-8")
