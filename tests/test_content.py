"""The content format: an article dumped to Markdown loads back to the same article."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import (
    ArticleSource,
    BulletinMeta,
    Region,
    dump_article,
    dump_bulletin_meta,
    parse_article,
    read_bulletin_meta,
    recorded_source_digest,
)
from generator.errors import BulletinError
from generator.ingest.markdown import parse_body, render_body
from generator.ingest.model import BlockKind


def article(**changes: object) -> ArticleSource:
    fields: dict[str, object] = {
        "title": "江宁区麒麟街道纪工委推动社区纪检建设 强化小微权力监督",
        "body": "为充分发挥基层纪检组织前哨作用。\n\n## 统一社区纪检工作制度\n\n通过对社区纪委职责权限进一步明确规范。",
        "bulletin": "000_x",
        "order": 7,
        "slug": "jiang-ning-qu",
        "place": "江宁区",
        "region": Region("江苏省", "南京市", "江宁区"),
        "authors": ["彭惠"],
        "date": dt.date(2022, 10, 20),
    }
    fields.update(changes)
    return ArticleSource(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "source",
    [
        article(),
        article(place=None, region=None, authors=[], date=None),
        article(region=Region("江苏省", "南京市", None), title="南京：“标题”: 引号 # 与符号"),
        article(title="yes", slug="no", authors=["null", "true"]),  # YAML look-alikes stay strings
    ],
)
def test_article_round_trips(source: ArticleSource) -> None:
    assert parse_article(dump_article(source), src_path="") == source


def test_front_matter_is_hand_editable() -> None:
    text = dump_article(article())
    assert text.startswith("---\ntitle: 江宁区麒麟街道纪工委推动社区纪检建设 强化小微权力监督\n")
    assert "region:\n  province: 江苏省\n  city: 南京市\n  county: 江宁区\n" in text
    assert "authors:\n- 彭惠\n" in text
    assert "date: 2022-10-20\n" in text
    assert text.endswith(
        "---\n\n为充分发挥基层纪检组织前哨作用。\n\n## 统一社区纪检工作制度\n\n通过对社区纪委职责权限进一步明确规范。\n"
    )


def test_hand_edited_front_matter_errors_name_the_line() -> None:
    with pytest.raises(BulletinError, match="front matter"):
        parse_article("no front matter\n")
    with pytest.raises(BulletinError) as error:
        parse_article("---\ntitle: x\nbulletin: b\norder: one\nslug: s\n---\n\nbody\n")
    assert "order" in str(error.value)


texts = st.text(min_size=1).map(lambda t: " ".join(t.split())).filter(bool)


@settings(max_examples=150, deadline=None)
@given(
    title=texts,
    authors=st.lists(texts, max_size=3),
    blocks=st.lists(st.tuples(st.sampled_from(list(BlockKind)[1:3]), texts), max_size=5),
)
def test_any_article_round_trips(
    title: str, authors: list[str], blocks: list[tuple[BlockKind, str]]
) -> None:
    source = article(title=title, authors=authors, body=render_body(blocks))
    loaded = parse_article(dump_article(source))
    assert loaded.title == title
    assert loaded.authors == authors
    assert parse_body(loaded.body) == [(kind, text) for kind, text in blocks]


def bulletin_meta_file(folder: object) -> tuple[BulletinMeta, Path]:
    """A bulletin.yaml as ingest dumps it, in ``folder``."""
    path = Path(str(folder)) / "bulletin.yaml"
    meta = BulletinMeta(
        id="000_x",
        date=dt.date(2022, 10, 20),
        source="000_x.txt",
        source_sha256="ab" * 32,
        encoding="gb18030",
        articles={"01-a.md": "cd" * 32},
    )
    path.write_text(dump_bulletin_meta(meta), encoding="utf-8")
    return meta, path


def test_bulletin_meta_round_trips(tmp_path: object) -> None:
    meta, path = bulletin_meta_file(tmp_path)
    assert read_bulletin_meta(path) == meta


def test_recorded_seed_digest_is_read_from_the_dumped_line_or_the_whole_file(
    tmp_path: object,
) -> None:
    _, path = bulletin_meta_file(tmp_path)
    assert recorded_source_digest(path) == "ab" * 32
    # Hand-written in another shape: the whole file is read, as the loader reads it.
    path.write_text(f"id: 000_x\nsource_sha256: '{'ef' * 32}'\n", encoding="utf-8")
    assert recorded_source_digest(path) == "ef" * 32
    path.write_text(f"id: 000_x\nnotes:\n  source_sha256: {'ef' * 32}\n", encoding="utf-8")
    assert recorded_source_digest(path) == ""  # nested: not the bulletin's own key
    path.write_text("id: [000_x\n", encoding="utf-8")
    with pytest.raises(BulletinError, match="invalid YAML"):
        recorded_source_digest(path)
