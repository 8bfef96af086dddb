"""Shaped lines → blocks: which lines are headlines, subheadings, bylines or paragraphs.

One pass, left to right, each decision taken from the line's own shape and a look at
its neighbours (never from known headlines or names):

- The first line of the text opens the first article. Before it, date lines and
  masthead lines (报名 2022年10月20日) are set aside and reported, never guessed into an
  article; a first line that is prose still becomes the first headline, with a warning,
  so nothing is lost. A page line (第05版：区域新闻) is set aside wherever it stands: an
  export of several pages repeats it where a page turns. So is the page's editor line
  (责任编辑：王五 校对：赵六): page furniture, not the article's authors.
- A headline is headline-shaped (no sentence end, at most a few commas, not long) and
  either starts with a place and a colon (地区：标题), starts with a place and is followed
  by body text, or follows the byline that closed the previous article.
- A headline-shaped line right under a headline continues it (two-line headlines).
- A subheading is title-shaped (short, no sentence end, no place) and followed by body
  text inside an article.
- A byline is a line of names: anywhere if it carries role words (本报记者 …), otherwise
  only where an article ends (before a headline or the end of the text) or right under
  the headline. A bracketed byline leading or closing a paragraph is split off, and so
  is an unbracketed one after the dateline (本报讯 记者 张三 …) or, where the article
  ends, after its last sentence.
- A line right under the headline that opens with a clause (今年以来，…) is no second
  headline line or subheading: it is the first paragraph, perhaps cut by a column break.
- Everything else is a paragraph. Rejoining column breaks happens in the next stage, so
  a break is never joined across a headline, subheading or byline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.ingest.bylines import desk_credit, split_inline_byline
from generator.ingest.model import Block, BlockKind, Decision, DecisionKind, Dropped, DropReason
from generator.ingest.punctuation import comma_count
from generator.ingest.shapes import LineShape, PlaceMatch, masthead_date, page_line

HEADLINE_PARTS_MAX = 3  # 引题 + 主题 + 副题
PLACE_LEAD_MIN = 4
PLACE_LEAD_PART_MAX = 28
DESK_CREDIT_MAX = 40


@dataclass
class Classified:
    blocks: list[Block]  # every article opens with a HEADLINE block; the first block is one
    dropped: list[Dropped]
    decisions: list[Decision]
    warnings: list[str]
    date: dt.date | None  # from a date line in the text


@dataclass
class _Article:
    """What the classifier knows of the article it is inside."""

    headline: Block
    parts: int = 1  # lines in the headline
    body: int = 0  # paragraphs and subheadings so far
    bylines: int = 0


@dataclass
class _Classifier:
    shapes: list[LineShape]
    home_province: str
    blocks: list[Block] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    date: dt.date | None = None
    article: _Article | None = None
    last: BlockKind | None = None

    def run(self) -> Classified:
        for index in range(len(self.shapes)):
            if self.article is None:
                self._before_first_headline(index)
            else:
                self._inside_article(index)
        return Classified(self.blocks, self.dropped, self.decisions, self.warnings, self.date)

    # --- neighbours -----------------------------------------------------------------

    def _shape(self, index: int) -> LineShape | None:
        return self.shapes[index] if 0 <= index < len(self.shapes) else None

    def _body_follows(self, index: int, *, allow_title: bool = False) -> bool:
        """Body text follows line ``index`` (perhaps after a byline, or a second headline
        line when ``allow_title``)."""
        after = index + 1
        shape = self._shape(after)
        if (shape is not None and shape.byline is not None) or (
            allow_title and shape is not None and shape.headline and not shape.place_colon
        ):
            after += 1
        shape = self._shape(after)
        return shape is not None and _is_body(shape)

    def _fragment_then_body(self, index: int) -> bool:
        """A title-shaped line, then body text: the first half of a column break (it
        cannot be a second subheading) and its continuation."""
        after = self._shape(index + 1)
        return (
            after is not None
            and after.title
            and not after.enumerated
            and after.byline is None
            and not after.place_colon
            and self._body_follows(index + 1)
        )

    def _article_ends_after(self, index: int) -> bool:
        """Line ``index`` is the last of its article: the text ends or a headline follows."""
        shape = self._shape(index + 1)
        if shape is None:
            return True
        if shape.byline is not None and shape.byline.has_role:
            return False
        return shape.headline or shape.opens_headline or shape.date is not None

    # --- before the first headline --------------------------------------------------

    def _before_first_headline(self, index: int) -> None:
        shape = self.shapes[index]
        following = self._shape(index + 1)
        date = masthead_date(shape) if following is not None else None
        if date is not None and not shape.place_colon:
            self.date = self.date or date
            self._drop(shape, f"a date line before the first headline (date {date.isoformat()})")
            return
        if page_line(shape.text) and following is not None:
            self._drop(shape, "a page line (第05版：区域新闻) before the first headline")
            return
        strong_next = following is not None and (following.place_colon or following.opens_headline)
        if shape.headline and strong_next and not (shape.place_colon or shape.opens_headline):
            self._drop(shape, "a masthead line: a place headline follows")
            self.warnings.append(
                f"line {shape.number}: “{_clip(shape.text)}” before the first headline "
                "looks like a masthead; it is not part of any article"
            )
            return
        if shape.prose and not shape.opens_headline:
            self.warnings.append(
                f"line {shape.number}: the text does not start with a headline; "
                "took its first line as the first article's headline"
            )
            self._open_article(shape, "the text's first line (not headline-shaped)")
        else:
            self._open_article(shape, "the text's first line")

    # --- inside an article ----------------------------------------------------------

    def _inside_article(self, index: int) -> None:
        shape = self.shapes[index]
        if page_line(shape.text) and self._shape(index + 1) is not None:
            self._drop(shape, "a page line (第06版：区域新闻): the export turns a page")
            return
        if shape.length <= DESK_CREDIT_MAX and desk_credit(shape.text):
            self._drop(shape, "the page's editors (责任编辑：…), not the article's authors")
            return
        for rule in (self._byline, self._headline, self._continued_headline, self._subheading):
            if rule(index, shape):
                return
        self._paragraph(index, shape)

    def _byline(self, index: int, shape: LineShape) -> bool:
        article = self.article
        assert article is not None
        byline = shape.byline
        if byline is None:
            return False
        if byline.has_role:
            reason = "names with role words"
        elif article.body and self._article_ends_after(index):
            reason = "a line of names where the article ends"
        elif (
            self.last is BlockKind.HEADLINE
            and self._body_follows(index)
            and (len(byline.names) > 1 or len(byline.names[0]) <= 3)
        ):
            reason = "a line of names right under the headline"
        else:
            return False
        self._emit(BlockKind.BYLINE, shape, DecisionKind.BYLINE, reason, names=byline.names)
        article.bylines += 1
        return True

    def _headline(self, index: int, shape: LineShape) -> bool:
        article = self.article
        assert article is not None
        if shape.place_colon:
            reason = "place and colon (地区：标题)" if shape.place else "place-like name and colon"
        elif shape.opens_headline:
            reason = "a place and a colon; the title follows on the next line"
        elif shape.prose or not shape.headline:
            return False
        elif self.last is BlockKind.BYLINE and article.body:
            reason = "headline-shaped and follows the byline that closed the article before"
        elif (
            _place_lead_sized(shape)
            and self._counts_as_place(shape.place)
            and self.last is not BlockKind.HEADLINE
            and self._body_follows(index, allow_title=True)
        ):
            reason = "starts with a place, no final punctuation, body text follows"
        else:
            return False
        self._open_article(shape, reason)
        return True

    def _continued_headline(self, index: int, shape: LineShape) -> bool:
        article = self.article
        assert article is not None
        if self.last is not BlockKind.HEADLINE or article.parts >= HEADLINE_PARTS_MAX:
            return False
        opened = article.headline.text[-1:] in "：:"
        if shape.prose or not shape.headline or shape.enumerated:
            return False
        if not opened and not (shape.title and self._body_follows(index)):
            return False
        if not opened and _lead_clause(shape.text):
            return False  # 今年以来，全区累计投入资金 | 3.2亿元…: a first paragraph cut short
        joiner = "" if opened else " "
        article.headline.text = f"{article.headline.text}{joiner}{shape.text}"
        article.headline.lines += (shape.number,)
        article.parts += 1
        self.decisions.append(
            Decision(
                DecisionKind.HEADLINE_CONTINUED,
                (shape.number,),
                shape.text,
                "headline-shaped line right under the headline, body text follows",
            )
        )
        return True

    def _subheading(self, index: int, shape: LineShape) -> bool:
        if not shape.title:
            return False
        if self.last in (BlockKind.SUBHEADING, BlockKind.HEADLINE) and not shape.enumerated:
            return False  # right under a heading: the first half of a column break
        if not (self._body_follows(index) or self._fragment_then_body(index)):
            return False
        reason = "short, no final punctuation, no place, body text follows"
        if shape.enumerated:
            reason = "numbered, short, no final punctuation, body text follows"
        self._emit(BlockKind.SUBHEADING, shape, DecisionKind.SUBHEADING, reason)
        return True

    def _paragraph(self, index: int, shape: LineShape) -> None:
        if shape.date is not None and self.date is None:
            self.date = shape.date  # a date line inside the text (it stays a paragraph)
        inline = split_inline_byline(shape.text, names_only_tail=self._closes_article(index))
        if inline is None:
            self._emit(BlockKind.PARAGRAPH, shape, DecisionKind.PARAGRAPH, _paragraph_reason(shape))
            return
        byline_block = Block(
            BlockKind.BYLINE, inline.byline_text, (shape.number,), inline.byline.names
        )
        paragraph = Block(BlockKind.PARAGRAPH, inline.rest, (shape.number,))
        where = "leads" if inline.leading else "closes"
        order = [byline_block, paragraph] if inline.leading else [paragraph, byline_block]
        for block in order:
            self.blocks.append(block)
        assert self.article is not None
        self.article.body += 1
        self.article.bylines += 1
        self.last = order[-1].kind
        self.decisions.append(
            Decision(
                DecisionKind.BYLINE,
                (shape.number,),
                inline.byline_text,
                f"a byline {where} the paragraph; split off",
            )
        )

    def _closes_article(self, index: int) -> bool:
        following = self._shape(index + 1)
        return following is None or following.place_colon or following.opens_headline

    # --- helpers --------------------------------------------------------------------

    def _counts_as_place(self, place: PlaceMatch | None) -> bool:
        """A place opening a headline without a colon: a full name (涟水县, 江宁区), or a
        short one the home province resolves. A bare two-character name from elsewhere
        (平安, 和平) is too often an ordinary word."""
        if place is None:
            return False
        if place.region is not None and place.region.province == self.home_province:
            return True
        return len(place.text) >= 3

    def _open_article(self, shape: LineShape, reason: str) -> None:
        block = Block(BlockKind.HEADLINE, shape.text, (shape.number,))
        self.blocks.append(block)
        self.article = _Article(block)
        self.last = BlockKind.HEADLINE
        self.decisions.append(Decision(DecisionKind.HEADLINE, block.lines, shape.text, reason))

    def _emit(
        self,
        kind: BlockKind,
        shape: LineShape,
        decision: DecisionKind,
        reason: str,
        names: tuple[str, ...] = (),
    ) -> None:
        block = Block(kind, shape.text, (shape.number,), names)
        self.blocks.append(block)
        if kind in (BlockKind.PARAGRAPH, BlockKind.SUBHEADING) and self.article is not None:
            self.article.body += 1
        self.last = kind
        self.decisions.append(Decision(decision, block.lines, shape.text, reason))

    def _drop(self, shape: LineShape, reason: str) -> None:
        self.dropped.append(Dropped(DropReason.MASTHEAD, shape.text, (shape.number,)))
        self.decisions.append(Decision(DecisionKind.MASTHEAD, (shape.number,), shape.text, reason))


def classify(shapes: list[LineShape], home_province: str) -> Classified:
    return _Classifier(shapes, home_province).run()


def _place_lead_sized(shape: LineShape) -> bool:
    """涟水县委第四巡察组推动巡察问题立行立改, or two such parts separated by a space:
    each part headline-short, at most one comma (a column break's first half that
    happens to start with a place is usually longer or more broken up)."""
    parts = shape.text.split(" ")
    return (
        shape.length >= PLACE_LEAD_MIN
        and len(parts) <= HEADLINE_PARTS_MAX
        and all(len(part) <= PLACE_LEAD_PART_MAX for part in parts)
        and comma_count(shape.text) <= 1
    )


def _lead_clause(text: str) -> bool:
    """A line opening with a comma-closed clause (今年以来，…; 近日，…) starts a paragraph:
    a headline's second line is a phrase or a ——subtitle, not a sentence under way."""
    comma = next((i for i, char in enumerate(text) if char in "，,"), -1)
    return comma > 0 and not text.startswith(("—", "-"))


def _is_body(shape: LineShape) -> bool:
    """Body text: prose, or a line too long or uneven for a title (a column break's first
    half) that is no byline, date or place headline either."""
    return (
        (shape.prose or not shape.title)
        and shape.date is None
        and not shape.continues
        and shape.byline is None
        and not shape.place_colon
        and not shape.opens_headline
    )


def _paragraph_reason(shape: LineShape) -> str:
    if shape.closed:
        return "ends a sentence"
    if shape.runs_on:
        return "runs on (ends with a comma or an opening mark)"
    if shape.prose:
        return "body text"
    return "title-shaped but no body text follows it"


def _clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
