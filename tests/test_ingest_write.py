"""Writing content/<id>/: file names, slugs, checksums, edit detection, backups,
and ingest_pending as the build calls it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import parse_article, read_bulletin_meta
from generator.errors import BulletinError
from generator.ingest.markdown import parse_body
from generator.ingest.parse import parse_text
from generator.ingest.places import Gazetteer
from generator.ingest.run import ingest_pending
from generator.ingest.write import ChangeKind, back_up, hand_edits, write_bulletin

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = Gazetteer.load("江苏省")
BODY = "近年来，该区持续推进基层治理现代化建设，取得明显成效。"
TEXT = f"江宁区：推进治理\n{BODY}\n江宁区：推进治理\n{BODY}\n一、强化组织保障\n# 不是标题。\n张三"


def write(content: Path, text: str = TEXT, force: bool = False):
    parsed = parse_text(text, "b1", GAZETTEER, "江苏省", fallback_date=dt.date(2022, 1, 2))
    return write_bulletin(
        parsed, content_dir=content, source_name="b1.txt", source_sha256="0" * 64, force=force
    )


def test_files_slugs_and_round_trip(tmp_path: Path) -> None:
    result = write(tmp_path)
    names = sorted(p.name for p in result.folder.glob("*.md"))
    assert names == ["01-jiang-ning-qu-tui-jin-zhi-li.md", "02-jiang-ning-qu-tui-jin-zhi-li-2.md"]
    second = parse_article((result.folder / names[1]).read_text(encoding="utf-8"))
    assert second.slug == "jiang-ning-qu-tui-jin-zhi-li-2" and second.order == 2
    assert second.date == dt.date(2022, 1, 2) and second.authors == ["张三"]
    assert [text for _, text in parse_body(second.body)] == [
        BODY,
        "一、强化组织保障",
        "# 不是标题。",
    ]
    assert "\n\\# 不是标题。\n" in (result.folder / names[1]).read_text(encoding="utf-8")
    meta = read_bulletin_meta(result.folder / "bulletin.yaml")
    assert sorted(meta.articles) == names and meta.encoding == "utf-8"
    assert hand_edits(result.folder) == []


def test_rewrite_touches_only_changed_files_and_prunes_stale_ones(tmp_path: Path) -> None:
    first = write(tmp_path)
    again = write(tmp_path)
    assert again.written == [] and again.removed == []
    shorter = write(tmp_path, f"江宁区：推进治理\n{BODY}")
    assert shorter.removed == ["02-jiang-ning-qu-tui-jin-zhi-li-2.md"]
    assert sorted(p.name for p in first.folder.iterdir()) == [
        "01-jiang-ning-qu-tui-jin-zhi-li.md",
        "bulletin.yaml",
    ]


def test_edits_are_detected_refused_and_backed_up(tmp_path: Path) -> None:
    folder = write(tmp_path).folder
    article = folder / "01-jiang-ning-qu-tui-jin-zhi-li.md"
    article.write_text(article.read_text(encoding="utf-8") + "改\n", encoding="utf-8")
    (folder / "02-jiang-ning-qu-tui-jin-zhi-li-2.md").unlink()
    (folder / "extra.md").write_text("x", encoding="utf-8")
    (folder / ".extra.md.swp").write_text("editor temp", encoding="utf-8")
    changes = {(c.name, c.kind) for c in hand_edits(folder)}
    assert changes == {
        ("01-jiang-ning-qu-tui-jin-zhi-li.md", ChangeKind.EDITED),
        ("02-jiang-ning-qu-tui-jin-zhi-li-2.md", ChangeKind.REMOVED),
        ("extra.md", ChangeKind.ADDED),
    }
    with pytest.raises(BulletinError, match=r"01-jiang-ning-qu-tui-jin-zhi-li\.md \(edited\)"):
        write(tmp_path)
    result = write(tmp_path, force=True)
    assert result.backup is not None and result.backup.parent == tmp_path / ".backup"
    assert (
        (result.backup / "01-jiang-ning-qu-tui-jin-zhi-li.md").read_text("utf-8").endswith("改\n")
    )
    assert (result.backup / "extra.md").exists()
    assert hand_edits(folder) == []


def test_first_ingest_time_is_recorded_and_kept_on_reingest(tmp_path: Path) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    folder = write(tmp_path).folder
    first = read_bulletin_meta(folder / "bulletin.yaml").ingested
    assert first is not None and before <= first <= dt.datetime.now(dt.UTC)
    write(tmp_path, f"江宁区：推进治理\n{BODY}")  # the seed changed: re-ingested
    assert read_bulletin_meta(folder / "bulletin.yaml").ingested == first


def test_backup_names_are_unique(tmp_path: Path) -> None:
    now = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    paths = []
    for _ in range(2):
        folder = tmp_path / "b1"
        folder.mkdir(exist_ok=True)
        (folder / "a.md").write_text("a", encoding="utf-8")
        paths.append(back_up(folder, tmp_path, now))
    assert [p.name for p in paths] == ["b1-20240102T030405Z", "b1-20240102T030405Z-2"]


def test_ingest_pending_for_the_build(tmp_path: Path) -> None:
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "seeds" / "empty.txt").write_bytes(b"")
    config = load_config(tmp_path / "site.yaml")
    report = ingest_pending(config)
    assert [r.id for r in report.ingested] == ["000_aa11cc3685d42101"]
    assert len(report.errors) == 1 and "empty.txt" in report.errors[0]
    second = ingest_pending(config)
    assert second.ingested == [] and second.skipped == ["000_aa11cc3685d42101"]
