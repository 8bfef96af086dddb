"""`bulletin ingest` end to end: the real CLI in a subprocess, in a tmp copy of the project."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.content import parse_article, sha256_bytes

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "ingest"
SEED_ID = "000_aa11cc3685d42101"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def bulletin(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(project / "site.yaml"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_ingest_writes_markdown_and_metadata_then_skips(project: Path) -> None:
    result = bulletin(project, "ingest")
    assert result.returncode == 0, result.stderr
    assert (
        f"{SEED_ID}: 7 articles, 11 rejoined breaks, 3 dropped repeats, 0 warnings" in result.stdout
    )
    folder = project / "content" / SEED_ID
    names = sorted(p.name for p in folder.glob("*.md"))
    assert [name[:3] for name in names] == [f"{n:02d}-" for n in range(1, 8)]
    meta = yaml.safe_load((folder / "bulletin.yaml").read_text(encoding="utf-8"))
    seed_bytes = (project / "seeds" / f"{SEED_ID}.txt").read_bytes()
    assert meta["source_sha256"] == sha256_bytes(seed_bytes)
    assert meta["source"] == f"{SEED_ID}.txt" and meta["date"] is None
    assert meta["articles"] == {n: sha256_bytes((folder / n).read_bytes()) for n in names}
    first = parse_article((folder / names[0]).read_text(encoding="utf-8"))
    assert first.title.startswith("江北新区应急管理局：") and first.authors == ["李静"]
    assert first.body.count("\n## ") == 3 and first.order == 1 and first.bulletin == SEED_ID
    assert len({parse_article((folder / n).read_text(encoding="utf-8")).slug for n in names}) == 7

    again = bulletin(project, "ingest")
    assert again.returncode == 0
    assert "1 bulletin already ingested and unchanged" in again.stdout
    assert SEED_ID + ":" not in again.stdout


def test_json_prints_the_parse_and_writes_nothing(project: Path) -> None:
    result = bulletin(project, "ingest", f"seeds/{SEED_ID}.txt", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["bulletin"] == {"id": SEED_ID, "date": None, "encoding": "utf-8"}
    assert document["warnings"] == []
    articles = document["articles"]
    assert [(a["place"], a["region"]["city"], a["region"]["county"]) for a in articles] == [
        ("江北新区应急管理局", "南京市", "江北新区"),
        ("盐城亭湖", "盐城市", "亭湖区"),
        ("兴化", "泰州市", "兴化市"),
        ("邗江", "扬州市", "邗江区"),
        ("涟水县", "淮安市", "涟水县"),
        ("徐州淮海国际港务区", "徐州市", "淮海国际港务区"),
        ("江宁区", "南京市", "江宁区"),
    ]
    assert all(a["region"]["province"] == "江苏省" for a in articles)
    assert [a["authors"] for a in articles] == [
        ["李静"],
        [],
        ["潘云祥", "崔年", "郭丽丽"],
        [],
        ["马群", "杨雅兰"],
        [],
        ["彭惠"],
    ]
    kinds = [[b["kind"] for b in a["blocks"]] for a in articles]
    assert [k.count("subheading") for k in kinds] == [3, 0, 0, 0, 0, 0, 0]
    assert all(set(k) <= {"paragraph", "subheading"} for k in kinds)
    assert articles[6]["headline"] == "江宁区麒麟街道纪工委推动社区纪检建设 强化小微权力监督"
    assert document["rejoined"] == 11
    assert [d["lines"] for d in document["dropped"]] == [[63], [65], [67]]
    assert not (project / "content").exists()


def test_json_date_from_file_name_or_flag(project: Path) -> None:
    plain = project / "plain.txt"
    plain.write_text("江宁区：标题\n近日，该区召开会议。\n", encoding="utf-8")
    dated = project / "2021-03-04.txt"
    shutil.copy(plain, dated)
    show = lambda path, *extra: json.loads(  # noqa: E731
        bulletin(project, "ingest", str(path), "--json", *extra).stdout
    )["bulletin"]["date"]
    assert show(plain) is None
    assert show(plain, "--date", "2020-01-02") == "2020-01-02"
    assert show(dated, "--date", "2020-01-02") == "2021-03-04"
    bad = bulletin(project, "ingest", str(plain), "--json", "--date", "20.1.2")
    assert bad.returncode != 0 and "--date" in bad.stderr


def test_explain_lists_decisions_with_line_numbers(project: Path) -> None:
    result = bulletin(project, "ingest", f"seeds/{SEED_ID}.txt", "--explain")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "line 3 " in out and "headline" in out
    assert "line 7 " in out and "subheading" in out
    for pair in ("13+15", "91+93", "135+137", "149+151"):
        assert f"lines {pair}" in out
    assert "发挥作用提供 | 实体化阵地。" in out
    assert "line 63" in out and "repeats line 55" in out
    assert "line 69" in out and "byline" in out
    assert not (project / "content").exists()


def test_edited_markdown_is_never_overwritten(project: Path) -> None:
    assert bulletin(project, "ingest").returncode == 0
    folder = project / "content" / SEED_ID
    edited = next(folder.glob("02-*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n编辑补充的一段。\n", "utf-8")
    (folder / "notes.md").write_text("mine\n", encoding="utf-8")
    seed = f"seeds/{SEED_ID}.txt"

    refused = bulletin(project, "ingest", seed)
    assert refused.returncode != 0
    assert f"{edited.name} (edited)" in refused.stderr and "notes.md (added)" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "编辑补充的一段" in edited.read_text(encoding="utf-8")

    forced = bulletin(project, "ingest", seed, "--force")
    assert forced.returncode == 0, forced.stderr
    backups = list((project / "content" / ".backup").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith(SEED_ID + "-")
    assert f"content/.backup/{backups[0].name}/" in forced.stdout
    assert "编辑补充的一段" in (backups[0] / edited.name).read_text(encoding="utf-8")
    assert "编辑补充的一段" not in edited.read_text(encoding="utf-8")
    assert not (folder / "notes.md").exists()


def test_pending_seeds_changed_or_edited(project: Path) -> None:
    assert bulletin(project, "ingest").returncode == 0
    seed = project / "seeds" / f"{SEED_ID}.txt"
    folder = project / "content" / SEED_ID
    seed.write_bytes(seed.read_bytes().replace("彭惠".encode(), "彭惠 张三".encode()))
    changed = bulletin(project, "ingest")
    assert changed.returncode == 0
    assert f"{SEED_ID}: 7 articles" in changed.stdout
    last = parse_article(next(folder.glob("07-*.md")).read_text(encoding="utf-8"))
    assert last.authors == ["彭惠", "张三"]

    first = next(folder.glob("01-*.md"))
    first.write_text(first.read_text(encoding="utf-8").replace("李静", "李静静"), "utf-8")
    seed.write_bytes(seed.read_bytes() + b"\n")
    kept = bulletin(project, "ingest")
    assert kept.returncode == 0
    assert "warning:" in kept.stdout and first.name in kept.stdout
    assert "李静静" in first.read_text(encoding="utf-8")


def test_other_encodings_and_the_report_of_several_files(project: Path) -> None:
    files = [str(DATA / name) for name in ("2023-05-18_suzhou.txt", "lianyungang_cr.txt")]
    result = bulletin(project, "ingest", *files)
    assert result.returncode == 0, result.stderr
    assert "2023-05-18_suzhou: 3 articles, 1 rejoined break, 0 dropped repeats, 1 warning" in (
        result.stdout
    )
    assert "warning: line 17: no known place" in result.stdout
    meta = yaml.safe_load(
        (project / "content" / "2023-05-18_suzhou" / "bulletin.yaml").read_text("utf-8")
    )
    assert meta["encoding"] == "gb18030" and str(meta["date"]) == "2023-05-18"
    assert (project / "content" / "lianyungang_cr" / "bulletin.yaml").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \r\n\r\n\xe3\x80\x80\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("broken.txt", "江宁区：标题\n".encode() + b"\xff\xfe\xfa\x80" * 3, "undecodable"),
    ],
)
def test_unreadable_input_is_one_line_error(
    project: Path, name: str, data: bytes, message: str
) -> None:
    path = project / name
    path.write_bytes(data)
    for extra in ((), ("--json",)):
        result = bulletin(project, "ingest", str(path), *extra)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and message in lines[0]
        assert "Traceback" not in result.stderr
    assert not (project / "content" / path.stem).exists()


def test_missing_file_is_one_line_error(project: Path) -> None:
    result = bulletin(project, "ingest", "nope.txt")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "nope.txt" in result.stderr


def test_explain_piped_into_a_reader_that_stops_early_ends_quietly(project: Path) -> None:
    command = [sys.executable, "-m", "generator", "--config", str(project / "site.yaml")]
    process = subprocess.Popen(
        # Eight copies print more than a pipe holds (64 KiB), so the writer must still be
        # writing when the reader goes away.
        [*command, "ingest", *[f"seeds/{SEED_ID}.txt"] * 8, "--explain"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"seeds/")  # like `| head -1`
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 141
    assert stderr == ""
