"""The benchmark corpus generator: deterministic, dated, seed-shaped, and parseable."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from benchmarks.corpus import (
    BlockKind,
    HeadlineForm,
    plan_corpus,
    write_corpus,
    write_project,
)
from benchmarks.vocabulary import ROLE_WORDS, SENTENCE_END
from generator.ingest.parse import parse_bytes
from generator.ingest.places import Gazetteer


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    first = write_corpus(tmp_path / "a", 4, seed=7)
    write_corpus(tmp_path / "b", 4, seed=7)
    write_corpus(tmp_path / "c", 4, seed=8)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [b.file_name for b in first]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / names[0]).read_bytes() != (tmp_path / "c" / names[0]).read_bytes()


def test_a_larger_corpus_extends_a_smaller_one():
    small = plan_corpus(2, seed=3)
    large = plan_corpus(5, seed=3)
    assert [b.text for b in small] == [b.text for b in large[:2]]


def test_n_files_with_one_iso_date_per_day_that_sort_by_date(tmp_path):
    write_corpus(tmp_path, 12)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 12
    dates = [dt.date.fromisoformat(re.match(r"(\d{4}-\d\d-\d\d)_\d+\.txt$", n)[1]) for n in names]
    assert dates == [dates[0] + dt.timedelta(days=i) for i in range(12)]


def test_bulletins_have_the_seed_shape():
    bulletins = plan_corpus(40)
    articles = [a for b in bulletins for a in b.articles]
    assert 5.5 <= len(articles) / len(bulletins) <= 6.5
    mean_chars = sum(a.chars for a in articles) / len(articles)
    assert 1250 <= mean_chars <= 1650, mean_chars
    assert {a.form for a in articles} == set(HeadlineForm)
    assert {len(a.authors) for a in articles} == {0, 1, 2, 3}
    assert any(a.byline and any(r in a.byline for r in ROLE_WORDS) for a in articles)
    assert sum(a.breaks for a in articles) > len(articles)
    assert any(a.repeated for a in articles)
    assert any(b.kind is BlockKind.SUBHEADING for a in articles for b in a.blocks)
    for article in articles:
        assert article.headline.startswith(article.place)
        paragraphs = [b.text for b in article.blocks if b.kind is BlockKind.PARAGRAPH]
        assert all(p[-1] in SENTENCE_END for p in paragraphs)
        subheadings = [b.text for b in article.blocks if b.kind is BlockKind.SUBHEADING]
        assert all(s[-1] not in SENTENCE_END for s in subheadings)


def test_every_planned_character_is_in_the_raw_text_in_order():
    for bulletin in plan_corpus(3):
        flat = re.sub(r"\s", "", bulletin.text)
        position = 0
        for article in bulletin.articles:
            for text in (article.headline, *(b.text for b in article.blocks)):
                found = flat.find(re.sub(r"\s", "", text), position)
                assert found >= 0, text
                position = found


def test_project_folder_is_ready_for_the_cli(tmp_path, root):
    write_project(tmp_path / "site", 2)
    assert (tmp_path / "site" / "site.yaml").read_text() == (root / "site.yaml").read_text()
    assert len(list((tmp_path / "site" / "seeds").glob("*.txt"))) == 2
    assert (tmp_path / "site" / "content").is_dir()
    assert (tmp_path / "site" / "themes" / "default").is_dir()


def test_corpus_command_writes_the_files(tmp_path, root):
    command = [str(root / ".venv/bin/python"), "-m", "benchmarks", "corpus"]
    result = subprocess.run(
        [*command, "--bulletins=3", f"--out={tmp_path}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "3 bulletins" in result.stdout
    assert len(list(tmp_path.glob("2025-01-0?_0000?.txt"))) == 3


def test_generated_bulletins_parse_to_the_planned_articles_bylines_and_text():
    gazetteer = Gazetteer.load("江苏省")
    for bulletin in plan_corpus(3):
        parsed = parse_bytes(bulletin.data, Path(bulletin.file_name), gazetteer, "江苏省")
        assert parsed.date == bulletin.date
        assert len(parsed.articles) == len(bulletin.articles)
        assert [p.authors for p in parsed.articles] == [list(a.authors) for a in bulletin.articles]
        # No lost or doubled text: the parse holds exactly the planned characters, in order
        # (the repeated runs dropped), whatever it decided about each line.
        planned = "".join(a.headline + "".join(b.text for b in a.blocks) for a in bulletin.articles)
        got = "".join(p.headline.text + "".join(b.text for b in p.blocks) for p in parsed.articles)
        assert re.sub(r"\s", "", got) == re.sub(r"\s", "", planned)
        assert parsed.dropped_repeats == sum(a.repeated for a in bulletin.articles)
