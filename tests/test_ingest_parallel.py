"""Ingesting many seeds across processes writes the same content and the same report, in
seed order, as ingesting them one by one; a worker's failure still reaches the caller."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.config import load_config
from generator.ingest import run as ingest_run
from generator.ingest.run import IngestReport, ingest_pending

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_aa11cc3685d42101.txt"


def make_project(root: Path, seeds: int) -> Path:
    """A project whose seeds/ holds ``seeds`` copies of the sample bulletin, one of them
    empty (an error) and one already ingested and then edited by hand (a warning)."""
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    (root / "seeds").mkdir()
    for number in range(seeds):
        shutil.copy(SEED, root / "seeds" / f"{number:03d}.txt")
    (root / "seeds" / "004.txt").write_bytes(b"")
    return root


def hand_edit_one(root: Path) -> None:
    """Ingest seed 007 alone, edit its Markdown, then change the seed."""
    config = load_config(root / "site.yaml")
    ingest_run.ingest_file(root / "seeds" / "007.txt", config)
    article = sorted((root / "content" / "007").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\n编辑部补充。\n", "utf-8")
    seed = root / "seeds" / "007.txt"
    seed.write_bytes(seed.read_bytes() + "\n补充一行。\n".encode())


def content_files(root: Path) -> dict[str, bytes]:
    """content/'s files, without the time each bulletin was first ingested."""
    files = {}
    for path in sorted((root / "content").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "bulletin.yaml":
                data = b"\n".join(x for x in data.split(b"\n") if not x.startswith(b"ingested:"))
            files[path.relative_to(root).as_posix()] = data
    return files


def summary(report: IngestReport, root: Path) -> list[list[str]]:
    """The report's lines, with the project's folder left out."""
    lines = [
        [
            f"{result.id} {result.write.written} {result.summary} {result.warnings}"
            for result in report.ingested
        ],
        report.skipped,
        report.warnings,
        report.errors,
    ]
    return [[line.replace(str(root), "<root>") for line in part] for part in lines]


def test_pooled_ingest_writes_and_reports_what_a_serial_one_does(tmp_path: Path) -> None:
    reports, summaries, trees = [], [], []
    for jobs in (1, 2):
        root = make_project(tmp_path / f"jobs{jobs}", seeds=12)
        hand_edit_one(root)
        reports.append(ingest_pending(load_config(root / "site.yaml"), jobs=jobs))
        summaries.append(summary(reports[-1], root))
        trees.append(content_files(root))
    pooled = reports[1]
    assert summaries[0] == summaries[1]
    ids = [f"{n:03d}" for n in range(12) if n not in (4, 7)]
    assert [result.id for result in pooled.ingested] == ids
    assert len(pooled.errors) == 1 and "004.txt" in pooled.errors[0]
    assert len(pooled.warnings) == 1 and "hand edits" in pooled.warnings[0]
    assert trees[0] == trees[1]
    assert len([name for name in trees[1] if name.endswith(".md")]) == 11 * 7


def test_the_seeds_are_shared_among_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "project", seeds=16)
    log = tmp_path / "pids"
    real_ingest = ingest_run.ingest_file

    def ingest_file(path: Path, *args: object, **kwargs: object) -> object:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(0.05)  # long enough that a worker slow to start still gets seeds
        return real_ingest(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_run, "ingest_file", ingest_file)
    report = ingest_pending(load_config(root / "site.yaml"), jobs=2)
    assert len(report.ingested) == 15
    pids = log.read_text("utf-8").split()
    assert (
        len(pids) == 16 and str(os.getpid()) not in pids
    )  # the empty seed too and len(set(pids)) == 2


def test_an_unexpected_error_in_a_worker_reaches_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "project", seeds=10)
    parent = os.getpid()
    real_ingest = ingest_run.ingest_file

    def ingest_file(path: Path, *args: object, **kwargs: object) -> object:
        if os.getpid() != parent and path.name == "006.txt":
            raise ZeroDivisionError("a bug in a worker")
        return real_ingest(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_run, "ingest_file", ingest_file)
    with pytest.raises(ZeroDivisionError, match="a bug in a worker"):
        ingest_pending(load_config(root / "site.yaml"), jobs=2)


def test_the_ingest_command_lists_many_seeds_in_order(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", seeds=10)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(root / "site.yaml"), "ingest"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1  # the empty seed
    folders = [line.split("→ ")[1] for line in done.stdout.splitlines() if "→ " in line]
    assert folders == [f"content/{n:03d}/" for n in range(10) if n != 4]
    assert done.stderr.count("bulletin: error:") == 1 and "004.txt" in done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(root / "site.yaml"), "ingest"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "9 bulletins already ingested and unchanged" in again.stdout


def test_a_build_with_one_job_ingests_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bulletin build --jobs 1`` keeps to one process, its ingest included."""
    from generator.build import build_site

    root = make_project(tmp_path / "project", seeds=9)
    (root / "seeds" / "004.txt").unlink()
    shutil.copytree(ROOT / "themes", root / "themes")
    pids: list[int] = []
    real_ingest = ingest_run.ingest_file

    def ingest_file(path: Path, *args: object, **kwargs: object) -> object:
        pids.append(os.getpid())  # only this process's list sees calls made here
        return real_ingest(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_run, "ingest_file", ingest_file)
    result = build_site(load_config(root / "site.yaml"), search=False, jobs=1)
    assert len(result.ingested) == 8 and not result.errors
    assert pids == [os.getpid()] * 8
