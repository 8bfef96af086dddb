"""A deterministic corpus of raw bulletins in the seed's shape.

Each bulletin is first *planned* (headlines, places, blocks, bylines: what a correct
parse must yield) and then *rendered* to raw text with the seed's hazards: headlines in
its three forms, in-article subheadings, bylines with and without role words, column
breaks mid-sentence (some leaving a very short second half), and runs of repeated
paragraphs. Bulletin n depends only on (seed, n), so a larger corpus extends a smaller
one and the same arguments always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass, replace
from enum import Enum
from functools import cache
from pathlib import Path

from benchmarks.places import HeadlinePlace, PlaceKind, home_places
from benchmarks.vocabulary import (
    GIVEN,
    LEADS,
    OFFICES,
    PUNCTUATION,
    ROLE_WORDS,
    SURNAMES,
    Vocabulary,
    load_vocabulary,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 20250101
FIRST_DATE = dt.date(2025, 1, 1)
ARTICLE_CHARS = 1450  # mean characters of body text per article
ZONE_SHARE = 0.1  # headlines naming a functional zone rather than a county
STAFF = 160  # distinct bylined names in a corpus: a newsroom's reporters and correspondents
BREAK_FIRST_HALF_MIN = 30  # the seed's shortest first half of a column break


class BlockKind(Enum):
    PARAGRAPH = "paragraph"
    SUBHEADING = "subheading"


class HeadlineForm(Enum):
    COLON = "colon"  # 兴化：“银发三长”助力文明城市创建
    PLACE_LEAD = "place-lead"  # 涟水县委巡察组推动巡察问题立行立改
    TWO_PARTS = "two-parts"  # 江宁区纪委监委推动社区纪检建设 强化小微权力监督


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class PlannedArticle:
    headline: str  # the headline line as written
    form: HeadlineForm
    place: str  # how the headline names the place
    region: tuple[str, str, str]  # province, city, county (or zone)
    authors: tuple[str, ...]
    byline: str | None  # the byline line as written, role words included
    blocks: tuple[Block, ...]  # what a correct parse yields: breaks rejoined, repeats dropped
    breaks: int  # column breaks written
    repeated: int  # paragraphs written twice (a correct parse keeps them once)

    @property
    def chars(self) -> int:
        return sum(len(block.text) for block in self.blocks)


@dataclass(frozen=True)
class PlannedBulletin:
    number: int
    date: dt.date
    articles: tuple[PlannedArticle, ...]
    text: str  # the raw bulletin

    @property
    def id(self) -> str:
        return f"{self.date.isoformat()}_{self.number:05d}"

    @property
    def file_name(self) -> str:
        return f"{self.id}.txt"

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


@dataclass(frozen=True)
class Material:
    vocabulary: Vocabulary
    counties: tuple[HeadlinePlace, ...]
    zones: tuple[HeadlinePlace, ...]
    staff: tuple[str, ...]  # every name a byline may carry


@cache
def material(seed: int, province: str = "江苏省") -> Material:
    places = home_places(province)
    prefixes = {name[:2] for p in places for name in (p.city, *p.names)}
    vocabulary = load_vocabulary(avoid_prefixes=frozenset(prefixes))
    return Material(
        vocabulary,
        counties=tuple(p for p in places if p.kind is PlaceKind.COUNTY),
        zones=tuple(p for p in places if p.kind is PlaceKind.ZONE),
        staff=plan_staff(random.Random(f"staff:{seed}")),
    )


def plan_staff(rng: random.Random) -> tuple[str, ...]:
    names: dict[str, None] = {}
    while len(names) < STAFF:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        names[rng.choice(SURNAMES) + given] = None
    return tuple(names)


def plan_bulletin(number: int, seed: int = DEFAULT_SEED) -> PlannedBulletin:
    """Bulletin ``number`` (1-based) of the corpus for ``seed``."""
    rng = random.Random(f"bulletin:{seed}:{number}")
    stuff = material(seed)
    count = rng.choices((5, 6, 7), weights=(1, 2, 1))[0]
    planned = tuple(plan_article(rng, stuff) for _ in range(count))
    articles, text = render_bulletin(rng, planned)
    return PlannedBulletin(number, FIRST_DATE + dt.timedelta(days=number - 1), articles, text)


def plan_corpus(count: int, seed: int = DEFAULT_SEED) -> list[PlannedBulletin]:
    return [plan_bulletin(number, seed) for number in range(1, count + 1)]


def write_corpus(folder: Path, count: int, seed: int = DEFAULT_SEED) -> list[PlannedBulletin]:
    """Write ``count`` raw bulletins into ``folder``; returns their plans."""
    folder.mkdir(parents=True, exist_ok=True)
    bulletins = plan_corpus(count, seed)
    for bulletin in bulletins:
        (folder / bulletin.file_name).write_bytes(bulletin.data)
    return bulletins


def write_project(
    folder: Path, count: int, seed: int = DEFAULT_SEED, themes: Path = REPO / "themes"
) -> list[PlannedBulletin]:
    """A project folder ready for ``bulletin ingest`` / ``bulletin build``: the repo's
    site.yaml (its paths are relative, so output lands inside ``folder``), the corpus in
    seeds/, an empty content/, and a copy of ``themes`` (a snapshot, so template edits in
    the checkout do not change a benchmark half-way)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "site.yaml", folder / "site.yaml")
    (folder / "content").mkdir(exist_ok=True)
    if not (folder / "themes").exists():
        shutil.copytree(themes, folder / "themes")
    return write_corpus(folder / "seeds", count, seed)


# --- planning -------------------------------------------------------------------------


def plan_article(rng: random.Random, stuff: Material) -> PlannedArticle:
    # Most news comes from counties; functional zones are the occasional exception.
    place = rng.choice(stuff.zones if stuff.zones and rng.random() < ZONE_SHARE else stuff.counties)
    form = rng.choices(list(HeadlineForm), weights=(6, 2, 2))[0]
    named, headline = plan_headline(rng, stuff.vocabulary, place, form)
    # Paragraphs are added until the target is passed, overshooting by about 110 on average.
    target = max(400, int(rng.gauss(ARTICLE_CHARS - 110, 350)))
    sections = plan_sections(rng, stuff.vocabulary, place, target)
    authors = plan_authors(rng, stuff.staff)
    return PlannedArticle(
        headline=headline,
        form=form,
        place=named,
        region=(place.province, place.city, place.name),
        authors=authors,
        byline=plan_byline(rng, authors),
        blocks=tuple(block for section in sections for block in section),
        breaks=0,
        repeated=0,
    )


def plan_headline(
    rng: random.Random, vocabulary: Vocabulary, place: HeadlinePlace, form: HeadlineForm
) -> tuple[str, str]:
    """(the place as named, the headline line)."""
    if form is HeadlineForm.COLON:
        named = rng.choice(place.names)
        office = rng.choice(OFFICES) if rng.random() < 0.2 else ""
        title = "，".join(rng.sample(vocabulary.titles, rng.choice((1, 1, 2))))
        return named, f"{named}{office}：{title}"
    lead = place.lead + rng.choice(OFFICES) + rng.choice(vocabulary.titles)
    if form is HeadlineForm.PLACE_LEAD:
        return place.lead, lead
    return place.lead, f"{lead} {rng.choice(vocabulary.titles)}"


def plan_sections(
    rng: random.Random, vocabulary: Vocabulary, place: HeadlinePlace, target: int
) -> list[list[Block]]:
    """Paragraphs, grouped under 0 or 2–4 subheadings (the first group has none)."""
    paragraphs = [plan_paragraph(rng, vocabulary)]
    if rng.random() < 0.5:  # the body names the place in full, as real leads do
        lead = f"{rng.choice(LEADS)}，{place.city}{place.name}{rng.choice(vocabulary.titles)}，"
        paragraphs[0] = lead + paragraphs[0]
    while sum(map(len, paragraphs)) < target:
        paragraphs.append(plan_paragraph(rng, vocabulary))
    subheadings = rng.choice((2, 3, 4)) if rng.random() < 0.3 and len(paragraphs) >= 5 else 0
    cuts = sorted(rng.sample(range(1, len(paragraphs)), min(subheadings, len(paragraphs) - 1)))
    sections: list[list[Block]] = []
    for start, end in zip([0, *cuts], [*cuts, len(paragraphs)], strict=True):
        section = [Block(BlockKind.PARAGRAPH, text) for text in paragraphs[start:end]]
        if start:
            section.insert(0, Block(BlockKind.SUBHEADING, plan_subheading(rng, vocabulary)))
        sections.append(section)
    return sections


def plan_paragraph(rng: random.Random, vocabulary: Vocabulary) -> str:
    target = rng.randint(50, 250)
    sentences: list[str] = []
    while sum(map(len, sentences)) < target:
        count = rng.choices((1, 2, 3, 4), weights=(1, 3, 3, 2))[0]
        clauses = rng.sample(vocabulary.clauses, count)
        text = clauses[0]
        for clause in clauses[1:]:
            text += rng.choices("，、；", weights=(12, 2, 1))[0] + clause
        sentences.append(text + "。")
    return "".join(sentences)


def plan_subheading(rng: random.Random, vocabulary: Vocabulary) -> str:
    return "，".join(rng.sample(vocabulary.titles, rng.choice((1, 2, 2))))


def plan_authors(rng: random.Random, staff: tuple[str, ...]) -> tuple[str, ...]:
    count = rng.choices((0, 1, 2, 3), weights=(7, 6, 4, 3))[0]
    return tuple(rng.sample(staff, count))


def plan_byline(rng: random.Random, authors: tuple[str, ...]) -> str | None:
    if not authors:
        return None
    space = rng.choices((" ", "\u3000", "  "), weights=(4, 2, 1))[0]
    if rng.random() < 0.6:
        return space.join(authors)
    first, second = rng.sample(ROLE_WORDS, 2)
    if len(authors) > 1 and rng.random() < 0.5:
        cut = rng.randint(1, len(authors) - 1)
        parts = [first, *authors[:cut], second, *authors[cut:]]
    else:
        parts = [first, *authors]
    return space.join(parts)


# --- rendering ------------------------------------------------------------------------


def render_bulletin(
    rng: random.Random, planned: tuple[PlannedArticle, ...]
) -> tuple[tuple[PlannedArticle, ...], str]:
    """Raw text like the seed (two blank lines, then blank-line separated lines), and the
    articles with the breaks and repeats that rendering put in recorded."""
    lines: list[str] = []
    articles: list[PlannedArticle] = []
    for article in planned:
        article_lines, breaks, repeated = render_article(rng, article)
        lines += article_lines
        articles.append(replace(article, breaks=breaks, repeated=repeated))
    return tuple(articles), "\n\n" + "\n\n".join(lines) + "\n"


def render_article(rng: random.Random, article: PlannedArticle) -> tuple[list[str], int, int]:
    """(lines, column breaks, repeated paragraphs)."""
    blocks = [block.text for block in article.blocks]
    kinds = [block.kind for block in article.blocks]
    repeat = pick_repeat(rng, kinds)
    lines = [article.headline]
    breaks = 0
    for index, text in enumerate(blocks):
        in_run = repeat is not None and repeat[0] <= index < repeat[1]
        if kinds[index] is BlockKind.PARAGRAPH and not in_run and rng.random() < 0.2:
            halves = break_paragraph(rng, text)
            lines += halves
            breaks += len(halves) - 1
        else:
            lines.append(text)
        if repeat is not None and index == repeat[2]:
            lines += blocks[repeat[0] : repeat[1]]
    if article.byline:
        lines.append(article.byline)
    repeated = repeat[1] - repeat[0] if repeat else 0
    return lines, breaks, repeated


def pick_repeat(rng: random.Random, kinds: list[BlockKind]) -> tuple[int, int, int] | None:
    """(start, end, insert after index) of a run of 2–3 paragraphs written again later
    in the same section, or None. Most articles have none."""
    if rng.random() >= 0.12:
        return None
    length = rng.choice((2, 3))
    gap = rng.choice((0, 1))
    starts = [
        start
        for start in range(len(kinds) - length - gap + 1)
        if all(kind is BlockKind.PARAGRAPH for kind in kinds[start : start + length + gap])
    ]
    if not starts:
        return None
    start = rng.choice(starts)
    return start, start + length, start + length - 1 + gap


def break_paragraph(rng: random.Random, text: str) -> list[str]:
    """Cut a paragraph mid-sentence, as a column break does; a third of the cuts leave
    a second half of only a few characters. Returns the paragraph whole if no cut fits."""
    if rng.random() < 0.33:
        candidates = range(max(BREAK_FIRST_HALF_MIN, len(text) - 8), len(text) - 2)
    else:
        candidates = range(BREAK_FIRST_HALF_MIN, len(text) - 8)
    cuts = [i for i in candidates if text[i - 1] not in PUNCTUATION and text[i] not in PUNCTUATION]
    if not cuts:
        return [text]
    cut = rng.choice(cuts)
    return [text[:cut], text[cut:]]
