"""The harness's table and goal lines, from measured runs (no contender is run here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks import hugo, pelican
from benchmarks.compare import OURS, OURS_SEARCHING, Tally, check_goals, format_table
from benchmarks.contender import Phase
from benchmarks.measure import DISCARDED, Run, discard, empty_discarded


def tally(name: str, cold: float, cpu: float, rss_mb: int = 300) -> Tally:
    result = Tally(name, "v", pages=100)
    for phase, seconds in ((Phase.COLD, cold), (Phase.NO_CHANGE, 0.5), (Phase.EDIT, 1.0)):
        run = Run(seconds, rss_mb * 2**20, 0, Path("log"), cpu if phase is Phase.COLD else 0.1)
        result.runs[phase].append(run)
    return result


def test_table_shows_cpu_live_edits_and_ratios() -> None:
    ours = tally(OURS, 8.0, 14.0)
    ours.live, ours.live_all = [0.12, 0.2, 0.15], [0.6, 0.9, 0.7]
    hugo2 = tally(hugo.NAMES[2], 10.0, 16.0)
    table = format_table([ours, hugo2])
    assert "| 14.00 s | 0.15 s / 0.70 s |" in table  # cold CPU, live medians
    assert "| 0.80 |" in table  # ours ÷ Hugo's cold


def test_goal_lines_say_met_or_missed_with_the_figures() -> None:
    ours = tally(OURS, 8.0, 14.0, rss_mb=520)
    ours.live, ours.live_all = [0.4], [0.9]
    goals = check_goals(
        {
            OURS: ours,
            hugo.NAMES[2]: tally(hugo.NAMES[2], 10.0, 16.0),
            pelican.NAME: tally(pelican.NAME, 30.0, 30.0),
        }
    )
    text = "\n".join(goals)
    assert "met     cold build no slower than Hugo's two-language build: ratio 0.80" in text
    assert "MISSED  cold build at least 5× faster than Pelican: ratio 0.27" in text
    assert "MISSED  serve: edited page shown within 300 ms, slowest of 1 edits: 0.40 s" in text
    assert "met     serve: every dependent page within 1 s, slowest of 1 edits: 0.90 s" in text
    assert "MISSED  peak RSS under 500 MB" in text


def test_cold_goals_show_each_rounds_ratio_beside_the_ratio_of_medians() -> None:
    ours, hugo2 = tally(OURS, 12.0, 20.0), tally(hugo.NAMES[2], 10.0, 16.0)
    for mine, theirs in ((14.0, 13.0), (11.0, 9.0)):  # rounds 2 and 3, the host drifting
        ours.runs[Phase.COLD].append(Run(mine, 0, 0, Path("log"), 20.0))
        hugo2.runs[Phase.COLD].append(Run(theirs, 0, 0, Path("log"), 16.0))
    text = "\n".join(check_goals({OURS: ours, hugo.NAMES[2]: hugo2}))
    assert (
        "MISSED  cold build no slower than Hugo's two-language build: ratio 1.20"
        " (round by round: 1.20, 1.08, 1.22)" in text
    )


def test_goals_are_checked_only_at_the_size_they_are_set_for() -> None:
    ours = tally(OURS, 80.0, 130.0, rss_mb=1900)  # 10,000 bulletins: over 500 MB is expected
    assert check_goals({OURS: ours}, 10_000) == [
        "goals not checked: they are set at 1,000 bulletins, not 10,000"
    ]
    assert any("MISSED  peak RSS under 500 MB" in line for line in check_goals({OURS: ours}, 1000))


def test_the_live_goals_hold_for_every_edit_not_the_median() -> None:
    ours = tally(OURS, 8.0, 14.0)
    ours.live = [0.45, 0.1, 0.12, 0.09, 0.11]  # the first edit after start-up, slow
    ours.live_all = [1.3, 0.5, 0.6, 0.45, 0.5]
    text = "\n".join(check_goals({OURS: ours}))
    assert "MISSED  serve: edited page shown within 300 ms, slowest of 5 edits: 0.45 s" in text
    assert "MISSED  serve: every dependent page within 1 s, slowest of 5 edits: 1.30 s" in text
    assert "| 0.11 s / 0.50 s |" in format_table([ours])  # the table keeps the medians


def test_the_live_goals_are_checked_with_search_on_too() -> None:
    """Search is on by default, and Pagefind indexes in the background after each save."""
    ours = tally(OURS, 8.0, 14.0)
    ours.live, ours.live_all = [0.1, 0.12], [0.5, 0.6]
    searching = tally(OURS_SEARCHING, 60.0, 90.0)
    searching.live, searching.live_all = [0.11, 0.14], [0.6, 1.25]
    text = "\n".join(check_goals({OURS: ours, OURS_SEARCHING: searching}))
    assert "met     serve: every dependent page within 1 s, slowest of 2 edits: 0.60 s" in text
    assert (
        "MISSED  serve with search: every dependent page within 1 s, slowest of 2 edits: 1.25 s"
        in text
    )
    assert "met     serve with search: edited page shown within 300 ms" in text


def test_discarded_folders_leave_at_once_and_are_deleted_at_the_end(tmp_path: Path) -> None:
    site = tmp_path / "ours" / "_site"
    (site / "articles").mkdir(parents=True)
    (site / "articles" / "index.html").write_text("<p>旧</p>", encoding="utf-8")
    discard(site)
    discard(tmp_path / "ours" / "never-built")  # nothing there: nothing to do
    assert not site.exists()
    kept = list((tmp_path / "ours" / DISCARDED).iterdir())
    assert [path.name.split(".")[0] for path in kept] == ["_site"]
    assert (kept[0] / "articles" / "index.html").read_text(encoding="utf-8") == "<p>旧</p>"
    empty_discarded(tmp_path)
    assert not (tmp_path / "ours" / DISCARDED).exists()
    assert (tmp_path / "ours").is_dir()


def test_snapshot_of_a_commit_holds_its_generator_and_themes(tmp_path: Path) -> None:
    """``--code HEAD`` times a commit: its files, under any Python 3.11 (Debian's 3.11.2,
    which `make` prefers, has no tar extraction filters)."""
    from benchmarks.ours import REPO, snapshot_code

    folder = snapshot_code(tmp_path / "code", "HEAD")
    assert (folder / "generator" / "build.py").read_bytes() == subprocess.run(
        ["git", "show", "HEAD:generator/build.py"], cwd=REPO, capture_output=True, check=True
    ).stdout
    assert (folder / "themes" / "default" / "templates" / "base.html").is_file()
    assert (folder / "REVISION").read_text(encoding="utf-8").strip()


def test_snapshot_runs_from_bytecode_even_where_python_writes_none(tmp_path: Path) -> None:
    """The timed builds load compiled modules, as an installed package's would be, not
    compiling each module again on every run under PYTHONDONTWRITEBYTECODE."""
    from benchmarks.ours import snapshot_code

    folder = snapshot_code(tmp_path / "code")
    probe = (
        "import importlib.util, sys, generator.build as b; "
        "print(b.__file__, importlib.util.cache_from_source(b.__file__))"
    )
    env = {**os.environ, "PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,  # not the repository, whose generator/ would come first
        capture_output=True,
        text=True,
        check=True,
    )
    source, cached = done.stdout.split()
    assert Path(source).is_relative_to(folder)
    assert Path(cached).is_file()
    assert Path(cached).stat().st_mtime >= Path(source).stat().st_mtime
