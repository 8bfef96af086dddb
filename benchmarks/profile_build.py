"""Where a build's time goes: cold, no-change and one-article-edit builds of a generated
project, each timed with peak memory (``measure.run_measured``, the harness's method) and
the build's own stage timings; ``--profile`` also writes a cProfile of each and prints the
top functions by cumulative time.

    python -m benchmarks.profile_build --project /tmp/perf1000 [--jobs 2] [--profile]

The project must exist (``python -m benchmarks corpus --bulletins N --out DIR --project``);
the first run ingests it. Not a timed target: it reports, it never asserts.
"""

from __future__ import annotations

import argparse
import io
import json
import pstats
import shutil
import sys
from pathlib import Path

from benchmarks.measure import run_measured

_STAGES_SCRIPT = """
import json, sys
from generator.build import build_site
from generator.config import load_config
jobs = int(sys.argv[2]) if sys.argv[2] != "0" else None
result = build_site(load_config(sys.argv[1]), search=False, jobs=jobs)
print("RESULT " + json.dumps({"written": len(result.written), "rendered": result.rendered,
    "skipped": result.skipped, "seconds": result.seconds, "timings": result.timings}))
"""


def measure_build(project: Path, jobs: int, label: str, profile: bool) -> dict:
    cache = project / ".bulletin-cache"
    cache.mkdir(exist_ok=True)
    log = cache / f"profile-{label}.log"
    prof = cache / f"profile-{label}.prof"
    script = cache / "profile_stages.py"  # cProfile runs a script file, not -c
    script.write_text(_STAGES_SCRIPT, "utf-8")
    command = [sys.executable, *(["-m", "cProfile", "-o", str(prof)] if profile else [])]
    command.append(str(script))
    command += [str(project / "site.yaml"), str(jobs)]
    run = run_measured(command, cwd=project, log=log).check(label)
    line = next(x for x in log.read_text("utf-8").splitlines() if x.startswith("RESULT "))
    row = {"label": label, "wall": run.seconds, "peak_mb": run.peak_rss / 2**20}
    row.update(json.loads(line[len("RESULT ") :]))
    if profile:
        out = io.StringIO()
        pstats.Stats(str(prof), stream=out).sort_stats("cumulative").print_stats(25)
        row["profile"] = out.getvalue()
    return row


def edit_one_article(project: Path) -> Path:
    path = sorted((project / "content").glob("*/*.md"))[len(list(project.glob("seeds/*"))) // 2]
    text = path.read_text("utf-8")
    path.write_text(text.replace("。", "，", 1), "utf-8")  # a body edit (excerpt changes)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=0, help="0: one per core")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    for folder in (project / "_site", project / ".bulletin-cache"):
        shutil.rmtree(folder, ignore_errors=True)
    rows = [measure_build(project, args.jobs, "first (ingest + cold)", args.profile)]
    shutil.rmtree(project / "_site")
    shutil.rmtree(project / ".bulletin-cache")
    rows.append(measure_build(project, args.jobs, "cold", args.profile))
    rows.append(measure_build(project, args.jobs, "no-change", args.profile))
    edited = edit_one_article(project)
    rows.append(measure_build(project, args.jobs, "one-edit", args.profile))
    print(f"edited {edited.relative_to(project)}")
    print(
        f"{'build':24} {'wall s':>7} {'in-build s':>10} {'peak MB':>8} {'rendered':>8} "
        f"{'written':>8}  stages"
    )
    for row in rows:
        stages = " ".join(f"{k}={v:.2f}" for k, v in row["timings"].items())
        print(
            f"{row['label']:24} {row['wall']:7.2f} {row['seconds']:10.2f} {row['peak_mb']:8.0f} "
            f"{row['rendered']:8} {row['written']:8}  {stages}"
        )
    for row in rows:
        if "profile" in row:
            print(f"\n--- {row['label']} ---\n{row['profile']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
