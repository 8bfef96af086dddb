"""Ingest throughput (issue 2): MB/s of raw bulletins parsed, on one core.

Two figures on one generated corpus, medians of several runs:

- parse: ``generator.ingest.parse.parse_bytes`` over every file already in memory, in
  this process, writing nothing (the gazetteer is loaded before the clock starts);
- ingest: the real ``python -m generator ingest`` on a project folder with an empty
  content/, so process start-up, reading, and writing the Markdown are included.

It also compares every parse with the generator's plan and reports how many bulletins
came out exactly as planned, a free accuracy check on thousands of unseen bulletins.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.compare import OUT, machine, write_result
from benchmarks.corpus import DEFAULT_SEED, PlannedBulletin, write_project
from benchmarks.measure import run_measured
from benchmarks.ours import snapshot_code
from generator.ingest.model import ParsedBulletin
from generator.ingest.parse import parse_bytes
from generator.ingest.places import Gazetteer

PROVINCE = "江苏省"
TARGET_MB_S = 5.0


@dataclass
class Accuracy:
    """How many bulletins, and which parts of their articles, parsed as planned."""

    bulletins: int = 0
    exact: int = 0
    article_count: int = 0  # bulletins whose article count differs
    headlines: int = 0  # the remaining counts are per article
    blocks: int = 0
    authors: int = 0
    regions: int = 0
    rejoins: int = 0  # bulletins whose rejoined-break count differs
    repeats: int = 0  # bulletins whose dropped-repeat count differs

    def add(self, plan: PlannedBulletin, parsed: ParsedBulletin) -> None:
        self.bulletins += 1
        before = self.misses()
        if len(parsed.articles) != len(plan.articles):
            self.article_count += 1
        for got, want in zip(parsed.articles, plan.articles, strict=False):
            self.headlines += got.headline.text != want.headline
            blocks = [(b.kind.value, b.text) for b in got.blocks]
            self.blocks += blocks != [(b.kind.value, b.text) for b in want.blocks]
            self.authors += tuple(got.authors) != want.authors
            region = got.region and (got.region.province, got.region.city, got.region.county)
            self.regions += region != want.region
        self.rejoins += parsed.rejoined != sum(a.breaks for a in plan.articles)
        self.repeats += parsed.dropped_repeats != sum(a.repeated for a in plan.articles)
        self.exact += self.misses() == before

    def misses(self) -> int:
        return (
            self.article_count
            + self.headlines
            + self.blocks
            + self.authors
            + self.regions
            + self.rejoins
            + self.repeats
        )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks ingest", description="Ingest throughput in MB/s on one core."
    )
    parser.add_argument("--bulletins", type=int, default=2000, help="corpus size (2000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-cli", action="store_true", help="time the in-memory parse only")
    parser.add_argument("--code", metavar="REVISION", help="git revision for the CLI runs")
    parser.add_argument("--work", type=Path, default=OUT / "work", help="where the corpus goes")
    return parser


def run_ingest_benchmark(argv: list[str]) -> int:
    args = make_parser().parse_args(argv)
    project = args.work / f"ingest-{args.bulletins}-{args.seed}"
    if project.exists():
        shutil.rmtree(project)
    bulletins = write_project(project, args.bulletins, args.seed)
    files = [(project / "seeds" / b.file_name, b.data) for b in bulletins]
    size = sum(len(data) for _, data in files)
    articles = sum(len(b.articles) for b in bulletins)
    print(f"corpus: {len(files)} bulletins, {articles} articles, {size / 1e6:.1f} MB")

    gazetteer = Gazetteer.load(PROVINCE)
    parse_seconds: list[float] = []
    parse_cpu: list[float] = []
    parsed: list[ParsedBulletin] = []
    for round_number in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        parsed = [parse_bytes(data, path, gazetteer, PROVINCE) for path, data in files]
        parse_seconds.append(time.perf_counter() - start)
        parse_cpu.append(time.process_time() - start_cpu)
        report(round_number, "parse", parse_seconds[-1], parse_cpu[-1], size)

    cli_seconds: list[float] = []
    cli_cpu: list[float] = []
    code = snapshot_code(args.work / "code", args.code)
    if not args.skip_cli:
        for round_number in range(args.repeat):
            shutil.rmtree(project / "content", ignore_errors=True)
            (project / "content").mkdir()
            command = [sys.executable, "-m", "generator", "--config", project / "site.yaml"]
            log = project / "logs" / f"{round_number}-ingest.log"
            env = {**os.environ, "PYTHONPATH": str(code)}
            run = run_measured([*command, "ingest"], cwd=project, log=log, env=env)
            run.check("ingest")
            cli_seconds.append(run.seconds)
            cli_cpu.append(run.cpu_seconds)
            report(round_number, "ingest", run.seconds, run.cpu_seconds, size)

    accuracy = Accuracy()
    for plan, result in zip(bulletins, parsed, strict=True):
        accuracy.add(plan, result)

    lines = summary(size, parse_seconds, parse_cpu, cli_seconds, cli_cpu, accuracy)
    print()
    print("\n".join(lines))
    result = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "corpus": {"bulletins": len(files), "articles": articles, "bytes": size},
        "parse_seconds": parse_seconds,
        "parse_cpu_seconds": parse_cpu,
        "ingest_cli_seconds": cli_seconds,
        "ingest_cli_cpu_seconds": cli_cpu,
        "accuracy": vars(accuracy),
        "summary": lines,
    }
    print(f"\nwritten to {write_result(result, 'ingest')}")
    return 0


def report(round_number: int, what: str, seconds: float, cpu: float, size: int) -> None:
    megabytes = size / 1e6
    print(
        f"  run {round_number + 1}  {what:<7} {seconds:6.2f} s wall {megabytes / seconds:5.1f} MB/s"
        f"  {cpu:6.2f} s CPU {megabytes / cpu:5.1f} MB/s",
        flush=True,
    )


def summary(
    size: int,
    parse_seconds: list[float],
    parse_cpu: list[float],
    cli_seconds: list[float],
    cli_cpu: list[float],
    accuracy: Accuracy,
) -> list[str]:
    """Rates by CPU time are the one-core figures: other processes on a busy machine
    stretch wall time, not the CPU time the parser needs."""
    megabytes = size / 1e6
    wall, cpu = statistics.median(parse_seconds), statistics.median(parse_cpu)
    rate = megabytes / cpu
    verdict = "met" if rate >= TARGET_MB_S else "MISSED"
    lines = [
        f"parse, in memory, one core: {rate:.1f} MB/s of CPU time, {megabytes / wall:.1f} MB/s "
        f"wall ({cpu:.2f} s CPU, {wall:.2f} s wall, medians for {megabytes:.1f} MB; "
        f"goal ≥ {TARGET_MB_S:g} MB/s: {verdict})"
    ]
    if cli_seconds:
        wall, cpu = statistics.median(cli_seconds), statistics.median(cli_cpu)
        lines.append(
            f"bulletin ingest, writing Markdown: {megabytes / cpu:.1f} MB/s of CPU time, "
            f"{megabytes / wall:.1f} MB/s wall ({cpu:.2f} s CPU, {wall:.2f} s wall)"
        )
    a = accuracy
    lines.append(
        f"parsed exactly as planned: {a.exact} of {a.bulletins} bulletins "
        f"(article counts off in {a.article_count}; articles with other headlines {a.headlines}, "
        f"blocks {a.blocks}, authors {a.authors}, regions {a.regions}; bulletins with other "
        f"rejoin counts {a.rejoins}, repeat counts {a.repeats})"
    )
    return lines
