"""`bulletin ingest`: argument handling and what the editor reads on the terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import BulletinError
from generator.ingest.report import bulletin_json, explain_lines
from generator.ingest.run import (
    IngestReport,
    IngestResult,
    ingest_file,
    ingest_pending,
    parse_file,
    seed_files,
)


def run_ingest(args: argparse.Namespace, config: SiteConfig) -> int:
    fallback_date = _parse_date(args.date)
    if args.json or args.explain:
        return _show(args, config, fallback_date)
    if args.files:
        return _ingest_files(args.files, config, args.force, fallback_date)
    report = ingest_pending(config, force=args.force, fallback_date=fallback_date)
    return _print_report(report, config)


def _show(args: argparse.Namespace, config: SiteConfig, fallback_date: dt.date | None) -> int:
    """--json / --explain: parse and print, write nothing."""
    files: list[Path] = list(args.files) or seed_files(config)
    if not files:
        raise BulletinError("no raw bulletins given and none in seeds/", config.seeds_dir)
    parsed = [(path, parse_file(path, config, fallback_date=fallback_date)) for path in files]
    if args.json:
        documents = [bulletin_json(p, decisions=args.explain) for _, p in parsed]
        shown = documents[0] if len(documents) == 1 else documents
        _out(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    for path, bulletin in parsed:
        _out("\n".join(explain_lines(bulletin, str(path))))
    _out("(--explain writes nothing; run without it to ingest)")
    return 0


def _ingest_files(
    files: list[Path], config: SiteConfig, force: bool, fallback_date: dt.date | None
) -> int:
    failed = False
    for path in files:
        try:
            result = ingest_file(path, config, force=force, fallback_date=fallback_date)
        except BulletinError as error:
            _err(f"bulletin: error: {error}")
            failed = True
            continue
        _print_result(result, config)
    return 1 if failed else 0


def _print_report(report: IngestReport, config: SiteConfig) -> int:
    for result in report.ingested:
        _print_result(result, config)
    if report.skipped:
        noun = "bulletin" if len(report.skipped) == 1 else "bulletins"
        _out(f"{len(report.skipped)} {noun} already ingested and unchanged")
    if not (report.ingested or report.skipped or report.warnings or report.errors):
        _out(f"nothing to ingest: no raw bulletins in {config.seeds_dir}")
    for warning in report.warnings:
        _out(f"warning: {warning}")
    for error in report.errors:
        _err(f"bulletin: error: {error}")
    return 1 if report.errors else 0


def _print_result(result: IngestResult, config: SiteConfig) -> None:
    folder = _relative(result.write.folder, config.root)
    line = f"{result.summary} → {folder}/"
    if not result.write.written and not result.write.removed:
        line += " (unchanged)"
    _out(line)
    for warning in result.warnings:
        _out(f"  warning: {warning}")
    if result.write.backup is not None:
        backup = _relative(result.write.backup, config.root)
        _out(f"  hand edits moved to {backup}/ before re-ingesting")


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BulletinError(f"--date must be YYYY-MM-DD, not '{value}'") from None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _out(text: str) -> None:
    """UTF-8 whatever the locale: the output is Chinese."""
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stdout.flush()
    sys.stderr.buffer.write(text.encode("utf-8") + b"\n")
    sys.stderr.flush()
