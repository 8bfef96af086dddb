"""The quick reader of our own YAML agrees with PyYAML wherever it answers, and leaves
everything else (hand edits, odd forms, errors) to PyYAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import (
    _FRONT_MATTER_RE,
    ArticleSource,
    BulletinMeta,
    Region,
    _SafeLoader,
    dump_article,
    dump_bulletin_meta,
    parse_article,
    read_bulletin_meta,
)
from generator.errors import BulletinError
from generator.quickyaml import load_simple

REPO = Path(__file__).resolve().parent.parent


def front_matter(text: str) -> str:
    return text.split("---\n")[1]


def pyyaml(text: str) -> object:
    """What content.py read before the quick reader: libyaml's safe loader, when present."""
    return yaml.load(text, Loader=_SafeLoader)


def assert_same(quick: object, slow: object) -> None:
    assert quick == slow
    if isinstance(quick, dict):
        for key in quick:
            assert_same(quick[key], slow[key])  # type: ignore[index]
    elif isinstance(quick, list):
        for a, b in zip(quick, slow, strict=True):  # type: ignore[call-overload]
            assert_same(a, b)
    else:
        assert type(quick) is type(slow)


# Names and titles as editors write them, plus every character class YAML treats specially.
_TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "null",
    "Null",
    "~",
    "true",
    "0",
    "007",
    "1_000",
    "0x1F",
    "0o17",
    "1.5",
    ".inf",
    "-1",
    "+3",
    "1e3",
    "12:30",
    "2025-01-01",
    "2025-1-1",
    "2025-02-30",
    "2025-01-01T08:00:00Z",
    "<<",
    "=",
    "- a",
    "-a",
    "? a",
    ":a",
    "a:",
    "a: b",
    "a #b",
    "a#b",
    "#a",
    "&a",
    "*a",
    "!a",
    "|a",
    ">a",
    "%a",
    "@a",
    "`a",
    "'a'",
    '"a"',
    "it's",
    "[a]",
    "a]",
    "{a}",
    "[]",
    "{}",
    " a",
    "a ",
    "a\tb",
    "a\\b",
    "a,b",
    "江宁区：麒麟街道",
    "【区县传真】德清",
    "“双减”落地",
    "a\u2028b",
    "a\u3000b",
    "\u3000a",
    "a\x85b",
    "a\ufeffb",
    "a\x07b",
    "😀",
    "é",
    "",
]
_text = st.one_of(
    st.sampled_from(_TRICKY),
    st.text(
        alphabet=st.sampled_from(list("江北新区：，。、“”《》 -_:#'\"[]{}!&*?|>%@`,.0123456789aZ")),
        max_size=12,
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    title=_text.filter(bool),
    place=st.none() | _text,
    region=st.none() | st.tuples(_text.filter(bool), st.none() | _text, st.none() | _text),
    authors=st.lists(_text, max_size=3),
    bulletin=_text.filter(bool),
    order=st.integers(min_value=0, max_value=10_000),
    date=st.none() | st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    slug=_text.filter(bool),
)
def test_quick_reader_agrees_with_pyyaml_on_dumped_articles(
    title: str,
    place: str | None,
    region: tuple[str, str | None, str | None] | None,
    authors: list[str],
    bulletin: str,
    order: int,
    date: dt.date | None,
    slug: str,
) -> None:
    source = ArticleSource(
        title=title,
        body="正文。",
        bulletin=bulletin,
        order=order,
        slug=slug,
        place=place,
        region=Region(*region) if region else None,
        authors=authors,
        date=date,
    )
    front = front_matter(dump_article(source))
    quick = load_simple(front)
    if quick is not None:
        assert_same(quick, pyyaml(front))


def test_quick_reader_reads_the_usual_article_without_pyyaml() -> None:
    source = ArticleSource(
        title="盱眙县：分类抓住关键进行整改，努力盘活港澳侨资源",
        body="正文。",
        bulletin="2025-01-01_00001",
        order=1,
        slug="xu-yi-xian",
        place="盱眙县",
        region=Region("江苏省", "淮安市", "盱眙县"),
        authors=["罗海杰", "蔡娜红"],
        date=dt.date(2025, 1, 1),
    )
    quick = load_simple(front_matter(dump_article(source)))
    assert quick == {
        "title": "盱眙县：分类抓住关键进行整改，努力盘活港澳侨资源",
        "place": "盱眙县",
        "region": {"province": "江苏省", "city": "淮安市", "county": "盱眙县"},
        "authors": ["罗海杰", "蔡娜红"],
        "bulletin": "2025-01-01_00001",
        "order": 1,
        "date": dt.date(2025, 1, 1),
        "slug": "xu-yi-xian",
    }
    empty = load_simple(
        front_matter(
            dump_article(
                source.__class__(title="题", body="", bulletin="b", order=2, slug="s", authors=[])
            )
        )
    )
    assert empty == {
        "title": "题",
        "place": None,
        "region": None,
        "authors": [],
        "bulletin": "b",
        "order": 2,
        "slug": "s",
    }


@pytest.mark.parametrize(
    "text",
    [
        "title: a # a comment\n",
        "# a comment\ntitle: a\n",
        "title: a\n\nslug: b\n",  # a blank line
        "title: a\n  continued\n",  # a folded plain scalar
        'title: "double quoted"\n',
        "title: 'two\n  lines'\n",
        "title: a\ntitle: b\n",  # a repeated key: PyYAML keeps the last
        "authors:\n  - a\n",  # an indented sequence
        "region: {province: 江苏省}\n",  # flow style
        "region:\n    province: 江苏省\n",  # four spaces
        "region:\nslug: a\n",  # an empty value
        "order: 1.0\n",
        "order: 010\n",
        "flag: yes\n",
        "date: 2025-02-30\n",
        "date: 2025-01-01 08:00:00\n",
        "title: a\r\nslug: b\r\n",
        "title: a\tb\n",
        "? title\n: a\n",
        "'title': a\n",
        "title: &x a\nslug: *x\n",
        "title: !!str 1\n",
        "- a\n- b\n",
        "title: a",  # no final line break
        "",
    ],
)
def test_quick_reader_leaves_other_forms_to_pyyaml(text: str) -> None:
    assert load_simple(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: it''s\n", None),  # '' only means ' inside quotes: plain text is PyYAML's
        ("title: 'it''s'\n", {"title": "it's"}),
        ("title: ''\n", {"title": ""}),
        ("title: a:b\nslug: c-d\n", {"title": "a:b", "slug": "c-d"}),
        ("title: '2025-01-01'\n", {"title": "2025-01-01"}),
        ("place: ~\n", {"place": None}),
        ("articles: {}\n", {"articles": {}}),
        ("order: 0\n", {"order": 0}),
        ("date: 2025-1-5\n", {"date": "2025-1-5"}),  # not a YAML date: text
        ("date: 2025-01-05\n", {"date": dt.date(2025, 1, 5)}),
    ],
)
def test_quick_reader_answers_as_pyyaml_does(text: str, expected: object) -> None:
    quick = load_simple(text)
    if expected is None:
        assert quick is None or quick == pyyaml(text)
    else:
        assert_same(quick, expected)
        assert_same(quick, pyyaml(text))


def test_hand_edited_front_matter_still_parses_as_before() -> None:
    text = (
        "---\n"
        "# fixed by the desk\n"
        "title: 'Title: with a colon'   # quoted\n"
        "region: {province: 江苏省, city: 南京市, county: null}\n"
        "authors: [张三, 李四]\n"
        "bulletin: b1\n"
        "order: 3\n"
        "date: 2025-03-04\n"
        "slug: fixed\n"
        "---\n\n正文。\n"
    )
    article = parse_article(text, "b1/03-fixed.md")
    assert article.title == "Title: with a colon"
    assert article.region == Region("江苏省", "南京市", None)
    assert article.authors == ["张三", "李四"]
    assert article.date == dt.date(2025, 3, 4)


def test_errors_in_odd_front_matter_still_name_file_and_line() -> None:
    text = "---\ntitle: a\nslug: [unclosed\nbulletin: b\n---\n\n正文。\n"
    with pytest.raises(BulletinError) as caught:
        parse_article(text, "b/01-a.md")
    assert caught.value.path is not None and str(caught.value.path) == "b/01-a.md"
    with pytest.raises(yaml.YAMLError) as pyyaml_error:
        pyyaml(front_matter(text))
    mark = pyyaml_error.value.problem_mark  # type: ignore[attr-defined]
    assert caught.value.line == mark.line + 2 == 4  # PyYAML's own mark, in file lines
    bad_date = "---\ntitle: a\nbulletin: b\norder: 1\ndate: 2025-13-01\nslug: a\n---\n\nx\n"
    with pytest.raises((BulletinError, ValueError)):
        parse_article(bad_date, "b/01-a.md")


def test_bulletin_meta_reads_the_same_quick_or_not(tmp_path: Path) -> None:
    meta = BulletinMeta(
        id="2025-01-01_00001",
        date=dt.date(2025, 1, 1),
        source="2025-01-01_00001.txt",
        source_sha256="ab" * 32,
        encoding="gb18030",
        articles={"01-a.md": "cd" * 32, "02-b.md": "ef" * 32},
        ingested=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    text = dump_bulletin_meta(meta)
    quick = load_simple(text)
    assert quick is not None
    assert_same(quick, pyyaml(text))
    path = tmp_path / "bulletin.yaml"
    path.write_text(text, "utf-8")
    assert read_bulletin_meta(path) == meta
    undated = dump_bulletin_meta(BulletinMeta("x", None, "x.txt", "00", "utf-8"))
    assert_same(load_simple(undated), pyyaml(undated))


def test_every_file_in_the_repository_reads_the_same_quick_or_not() -> None:
    """The seed's articles, the fixtures and every bulletin.yaml: our own writer's output."""
    paths = sorted((REPO / "content").glob("*/*.md")) + sorted((REPO / "tests/data").rglob("*.md"))
    metas = sorted((REPO / "content").glob("*/bulletin.yaml"))
    metas += sorted((REPO / "tests/data").rglob("bulletin.yaml"))
    assert len(paths) >= 7 and metas
    answered = 0
    for path in paths + metas:
        text = path.read_text("utf-8-sig")
        if path.suffix == ".md":
            match = _FRONT_MATTER_RE.match(text)
            assert match, path
            text = match.group(1)
        quick = load_simple(text)
        if quick is not None:
            answered += 1
            assert_same(quick, pyyaml(text))
    assert answered == len(paths) + len(metas)  # all written by dump_article/_bulletin_meta
