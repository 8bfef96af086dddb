"""`bulletin check` glue: one line per problem, a summary, exit 1 on any problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_check_site import rewrite, write_site

from generator.cli import main

SITE_YAML = """\
title: 测试
base_url: https://example.org/news/
province: 江苏省
output_dir: public
variants:
  - {code: zh-Hant, prefix: zh-hant, opencc: s2t}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    write_site(tmp_path / "public", "https://example.org/news/")
    return tmp_path


def test_clean_site_exits_zero_with_a_summary(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(project / "site.yaml"), "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("bulletin check: no problems (8 pages, 2 feeds, 1 sitemap in ")


def test_problems_are_printed_one_per_line_and_exit_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rewrite(project / "public", "bulletins/a/index.html", 'href="one/"', 'href="two/"')
    old = 'href="https://example.org/news/bulletins/a/one/"'
    rewrite(project / "public", "feed.xml", old, old.replace("one", "gone"))
    assert main(["--config", str(project / "site.yaml"), "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "bulletins/a/index.html:12: two/ → no file for /bulletins/a/two/",
        "feed.xml: https://example.org/news/bulletins/a/gone/ → no file for /bulletins/a/gone/",
    ]
    assert out[2].startswith("bulletin check: 2 problems in 2 files (8 pages, 2 feeds, ")
    assert len(out) == 3


def test_site_dir_argument_overrides_the_output_dir(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "public").rename(project / "elsewhere")
    assert main(["--config", str(project / "site.yaml"), "check", str(project / "elsewhere")]) == 0
    assert "no problems" in capsys.readouterr().out


def test_missing_site_is_one_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(project / "site.yaml"), "check", str(project / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bulletin: error: ")
    assert "run `bulletin build` first" in err
