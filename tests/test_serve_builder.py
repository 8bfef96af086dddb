"""The build callable `serve` hands its server: build_site on the real project files,
rereading site.yaml when it changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.changes import WatchRoots, summarise_changes
from generator.config import load_config
from generator.errors import BulletinError
from generator.serve import SiteBuilder


@pytest.fixture
def project(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for part in ("content", "seeds", "themes"):
        shutil.copytree(root / part, target / part)
    shutil.copy2(root / "site.yaml", target / "site.yaml")
    return target


def test_site_yaml_edits_apply_but_the_served_folder_stays(project: Path) -> None:
    config_file = project / "site.yaml"
    config = load_config(config_file)
    builder = SiteBuilder(config_file, config, search=False)
    roots = WatchRoots.from_config(config, config_file)
    first = builder(summarise_changes([], roots))
    assert "index.html" in first.written and not first.warnings
    home = config.output_dir / "index.html"
    assert "新标题测试站" not in home.read_text(encoding="utf-8")

    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace(f"title: {config.title}", "title: 新标题测试站").replace(
            "output_dir: _site", "output_dir: public"
        ),
        encoding="utf-8",
    )
    report = builder(summarise_changes([config_file], roots))
    assert "index.html" in report.written
    assert "新标题测试站" in home.read_text(encoding="utf-8")
    assert not (project / "public").exists()
    assert any("restart" in warning for warning in report.warnings)

    config_file.write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(BulletinError) as caught:
        builder(summarise_changes([config_file], roots))
    assert caught.value.path == config_file and caught.value.line is not None
