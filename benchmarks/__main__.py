"""``python -m benchmarks [compare] ...`` | ``corpus ...`` | ``ingest ...``.

With no command (or ``compare``) it runs the side-by-side harness, as ``make bench`` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.corpus import DEFAULT_SEED, write_corpus, write_project

COMMANDS = ("compare", "corpus", "ingest")


def corpus_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks corpus",
        description="Write N seed-shaped raw bulletins (deterministic for a given seed).",
    )
    parser.add_argument("--bulletins", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--project",
        action="store_true",
        help="write a project folder (site.yaml, seeds/, content/, themes/) instead",
    )
    return parser


def run_corpus(argv: list[str]) -> int:
    args = corpus_parser().parse_args(argv)
    write = write_project if args.project else write_corpus
    bulletins = write(args.out, args.bulletins, args.seed)
    size = sum(len(bulletin.data) for bulletin in bulletins)
    articles = sum(len(bulletin.articles) for bulletin in bulletins)
    where = args.out / "seeds" if args.project else args.out
    print(f"{len(bulletins)} bulletins, {articles} articles, {size / 1e6:.1f} MB in {where}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv and argv[0] in COMMANDS else "compare"
    if command == "corpus":
        return run_corpus(argv)
    if command == "ingest":
        from benchmarks.ingest_speed import run_ingest_benchmark

        return run_ingest_benchmark(argv)
    from benchmarks.compare import run_compare

    return run_compare(argv)


if __name__ == "__main__":
    raise SystemExit(main())
