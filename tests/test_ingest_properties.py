"""Properties of the parser on arbitrary text: it never crashes, and no text is lost.

Every non-space character of the input lands in exactly one headline, subheading,
paragraph or byline, or in the reported ``dropped`` list (repeats, masthead lines).
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import BulletinError
from generator.ingest.decode import decode_bytes
from generator.ingest.lines import is_space
from generator.ingest.markdown import parse_body, render_body
from generator.ingest.model import BlockKind, ParsedBulletin
from generator.ingest.parse import parse_text
from generator.ingest.places import Gazetteer

GAZETTEER = Gazetteer.load("江苏省")

# Pieces that steer lines into every decision: places, colons, role words, names, dates,
# numbering, sentence ends, brackets, and indentation.
_PIECES = [
    "江宁区",
    "兴化",
    "盐城亭湖",
    "鼓楼区",
    "江北新区",
    "余杭区",
    "：",
    ":",
    "本报记者",
    "记者",
    "通讯员",
    "文/图",
    "摄",
    "本报讯",
    "张三",
    "李四",
    "欧阳修",
    "2022年10月20日",
    "星期四",
    "一、",
    "（一）",
    "1. ",
    "# ",
    "> ",
    "\\",
    "。",
    "，",
    "、",
    "！",
    "？",
    "“",
    "”",
    "（",
    "）",
    "(",
    ")",
    "　　",
    " ",
    "\t",
    "\u200b",
    "推动社区纪检建设",
    "强化小微权力监督",
    "近年来，该局持续推进",
    "实体化阵地",
]
_LINE_ENDS = ["\n", "\n\n", "\r\n", "\r", "\r\n\r\n", "\n \n"]


_NAMES = ["张三", "李四", "欧阳修", "王五"]
_ROLES = ["本报记者", "记者", "通讯员", "文/图", "本报讯"]


def _line() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(_PIECES), st.text(min_size=1, max_size=6))
    free = st.lists(piece, max_size=12).map("".join)
    name = st.sampled_from(_NAMES)
    role = st.sampled_from(_ROLES)
    byline = st.lists(st.tuples(role | st.just(""), name), min_size=1, max_size=3).map(
        lambda pairs: " ".join(f"{r} {n}" for r, n in pairs)
    )
    inline = st.tuples(byline, free).map(lambda pair: f"本报讯（{pair[0]}）{pair[1]}。")
    trailing = st.tuples(free, byline).map(lambda pair: f"{pair[0]}。（{pair[1]}）")
    place = st.sampled_from(["江宁区", "兴化", "盐城亭湖", "鼓楼区", "江北新区", "余杭区"])
    headline = st.tuples(place, st.sampled_from(["：", ":", "", " "]), free).map("".join)
    date = st.sampled_from(["2022年10月20日", "二〇二二年十月二十日 星期四", "报 2022-10-20 第7版"])
    return st.one_of(free, byline, inline, trailing, headline, date)


bulletins = st.one_of(
    st.text(),
    st.lists(st.tuples(_line(), st.sampled_from(_LINE_ENDS)), max_size=30).map(
        lambda pairs: "".join(line + end for line, end in pairs)
    ),
)


def _landed(parsed: ParsedBulletin) -> Counter[str]:
    """Characters of every headline, block, byline and dropped text."""
    texts = []
    for article in parsed.articles:
        texts.append(article.headline.text)
        texts += [block.text for block in article.blocks]
        texts += [byline.text for byline in article.bylines]
    texts += [drop.text for drop in parsed.dropped]
    return Counter(ch for text in texts for ch in text if not is_space(ch))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bulletins)
def test_every_character_lands_exactly_once(text: str) -> None:
    parsed = parse_text(text, "x", GAZETTEER, "江苏省")
    expected = Counter(ch for ch in text if not is_space(ch))
    assert _landed(parsed) == expected


@settings(max_examples=200, deadline=None)
@given(bulletins)
def test_structure_is_consistent(text: str) -> None:
    parsed = parse_text(text, "x", GAZETTEER, "江苏省")
    if any(not is_space(ch) for ch in text):
        assert parsed.articles, "text with characters yields at least one article"
    for article in parsed.articles:
        assert article.headline.kind is BlockKind.HEADLINE and article.headline.text
        kinds = {block.kind for block in article.blocks}
        assert kinds <= {BlockKind.PARAGRAPH, BlockKind.SUBHEADING}
        assert all(block.text and block.text == block.text.strip() for block in article.blocks)
        assert all(byline.kind is BlockKind.BYLINE for byline in article.bylines)
    numbers = [d.lines[0] for d in parsed.decisions]
    assert numbers == sorted(numbers)


@settings(max_examples=200, deadline=None)
@given(bulletins)
def test_markdown_body_round_trips(text: str) -> None:
    parsed = parse_text(text, "x", GAZETTEER, "江苏省")
    for article in parsed.articles:
        pairs = [(block.kind, block.text) for block in article.blocks]
        assert parse_body(render_body(pairs)) == pairs


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(), st.text().map(lambda t: t.encode("gb18030"))))
def test_any_bytes_decode_or_fail_with_one_clear_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "raw.txt")
    except BulletinError as error:
        assert error.path is not None and error.path.name == "raw.txt"
        assert "\n" not in str(error)
        return
    assert decoded.text.strip()
    parse_text(decoded.text, "raw", GAZETTEER, "江苏省")
