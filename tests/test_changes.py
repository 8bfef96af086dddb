"""Sorting file changes by kind: what rebuilds, what the preview server ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.changes import ChangeKind, WatchRoots, classify_change, summarise_changes
from generator.config import load_config

ROOT = Path("/project")
ROOTS = WatchRoots(
    root=ROOT,
    config_file=ROOT / "site.yaml",
    content_dir=ROOT / "content",
    seeds_dir=ROOT / "seeds",
    theme_dir=ROOT / "themes" / "default",
    output_dir=ROOT / "_site",
)

CASES = [
    # content: Markdown, bulletin metadata, a removed bulletin folder
    ("content/000_x/02-xing-hua.md", ChangeKind.CONTENT),
    ("content/000_x/bulletin.yaml", ChangeKind.CONTENT),
    ("content/000_x", ChangeKind.CONTENT),
    ("content/新建/01-中文.md", ChangeKind.CONTENT),
    # raw bulletins
    ("seeds/001_new.txt", ChangeKind.SEED),
    ("seeds/001_NEW.TXT", ChangeKind.SEED),
    ("seeds/README.md", ChangeKind.IGNORED),
    # theme
    ("themes/default/templates/article.html", ChangeKind.TEMPLATE),
    ("themes/default/templates/partials/head.html", ChangeKind.TEMPLATE),
    ("themes/default/theme.yaml", ChangeKind.TEMPLATE),
    ("themes/default/static/style.css", ChangeKind.STATIC),
    ("themes/default/static/js/search.js", ChangeKind.STATIC),
    ("themes/default/static", ChangeKind.STATIC),
    # config
    ("site.yaml", ChangeKind.CONFIG),
    # editor droppings next to the file being saved
    ("content/000_x/.02-xing-hua.md.swp", ChangeKind.IGNORED),
    ("content/000_x/02-xing-hua.md.swp", ChangeKind.IGNORED),
    ("content/000_x/02-xing-hua.md.swx", ChangeKind.IGNORED),
    ("content/000_x/02-xing-hua.md~", ChangeKind.IGNORED),
    ("content/000_x/.#02-xing-hua.md", ChangeKind.IGNORED),
    ("content/000_x/#02-xing-hua.md#", ChangeKind.IGNORED),
    ("content/000_x/4913", ChangeKind.IGNORED),
    ("content/000_x/02-xing-hua.md.tmp", ChangeKind.IGNORED),
    ("content/000_x/.02-xing-hua.md.k2j3h4.tmp", ChangeKind.IGNORED),  # write_atomic
    ("content/000_x/02-xing-hua.md___jb_tmp___", ChangeKind.IGNORED),
    ("content/000_x/sedA1b2C3", ChangeKind.IGNORED),
    ("content/.DS_Store", ChangeKind.IGNORED),
    ("themes/default/static/.DS_Store", ChangeKind.IGNORED),
    ("themes/default/templates/base.html.swp", ChangeKind.IGNORED),
    ("seeds/001_new.txt~", ChangeKind.IGNORED),
    ("seeds/001_new.txt.part", ChangeKind.IGNORED),
    ("site.yaml.swp", ChangeKind.IGNORED),
    ("site.yaml~", ChangeKind.IGNORED),
    # hidden folders anywhere below a watched folder
    ("content/.git/index", ChangeKind.IGNORED),
    ("themes/default/.cache/x.html", ChangeKind.IGNORED),
    # output and everything outside the watched folders
    ("_site/index.html", ChangeKind.IGNORED),
    ("_site/static/style.css", ChangeKind.IGNORED),
    ("_site/bulletins/000_x/02-xing-hua/index.html", ChangeKind.IGNORED),
    ("README.md", ChangeKind.IGNORED),
    ("generator/serve.py", ChangeKind.IGNORED),
    (".bulletin-cache/state.json", ChangeKind.IGNORED),
    ("contents/x.md", ChangeKind.IGNORED),  # a sibling whose name starts like content/
    ("/elsewhere/content/x.md", ChangeKind.IGNORED),
]


@pytest.mark.parametrize(("path", "kind"), CASES)
def test_classify_change(path: str, kind: ChangeKind) -> None:
    assert classify_change(ROOT / path, ROOTS) is kind


def test_output_inside_content_is_still_ignored() -> None:
    roots = WatchRoots(
        root=ROOT,
        config_file=ROOT / "site.yaml",
        content_dir=ROOT / "content",
        seeds_dir=ROOT / "seeds",
        theme_dir=ROOT / "themes" / "default",
        output_dir=ROOT / "content" / "_site",
    )
    assert classify_change(ROOT / "content/_site/index.html", roots) is ChangeKind.IGNORED
    assert classify_change(ROOT / "content/x/01-a.md", roots) is ChangeKind.CONTENT


def test_roots_follow_site_yaml(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(
        "title: t\nbase_url: https://example.org/news/\nprovince: 江苏省\n"
        "output_dir: public\ncontent_dir: articles\ntheme: themes/plain\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "site.yaml")
    roots = WatchRoots.from_config(config, tmp_path / "site.yaml")
    root = config.root
    assert classify_change(root / "articles/a/01-x.md", roots) is ChangeKind.CONTENT
    assert classify_change(root / "content/a/01-x.md", roots) is ChangeKind.IGNORED
    assert classify_change(root / "themes/plain/static/a.css", roots) is ChangeKind.STATIC
    assert classify_change(root / "public/index.html", roots) is ChangeKind.IGNORED
    assert classify_change(root / "site.yaml", roots) is ChangeKind.CONFIG
    assert set(roots.watched_dirs()) == {
        root / "articles",
        root / "seeds",
        root / "themes/plain",
    }


def test_summarise_drops_ignored_and_groups_by_kind() -> None:
    changes = summarise_changes(
        [
            ROOT / "content/a/01-x.md",
            ROOT / "content/a/01-x.md",  # the same file saved twice counts once
            ROOT / "content/a/.01-x.md.swp",
            ROOT / "themes/default/static/style.css",
            ROOT / "_site/index.html",
        ],
        ROOTS,
    )
    assert changes.kinds == {ChangeKind.CONTENT, ChangeKind.STATIC}
    assert changes.paths[ChangeKind.CONTENT] == (ROOT / "content/a/01-x.md",)
    assert changes.needs_build
    assert not changes.config_changed
    assert changes.describe(ROOT) == "content/a/01-x.md, themes/default/static/style.css"


def test_only_editor_droppings_need_no_build() -> None:
    changes = summarise_changes(
        [ROOT / "content/a/4913", ROOT / "content/a/01-x.md~", ROOT / "_site/feed.xml"], ROOTS
    )
    assert not changes.needs_build
    assert changes.kinds == frozenset()


def test_describe_shortens_long_lists() -> None:
    changes = summarise_changes([ROOT / f"content/a/{n:02d}-x.md" for n in range(5)], ROOTS)
    assert changes.describe(ROOT, limit=2) == "content/a/00-x.md, content/a/01-x.md and 3 more"
    assert summarise_changes([ROOT / "site.yaml"], ROOTS).config_changed


def test_only_stylesheets() -> None:
    css = ROOT / "themes/default/static/style.css"
    assert summarise_changes(
        [css, ROOT / "themes/default/static/search.css"], ROOTS
    ).only_stylesheets
    assert not summarise_changes([css, ROOT / "themes/default/static/a.js"], ROOTS).only_stylesheets
    assert not summarise_changes([css, ROOT / "content/a/01-x.md"], ROOTS).only_stylesheets
    assert not summarise_changes(
        [ROOT / "themes/default/templates/base.html"], ROOTS
    ).only_stylesheets
    assert not summarise_changes([], ROOTS).only_stylesheets
