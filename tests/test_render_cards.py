"""Article cards are rendered once per distinct card and reused on every listing page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.errors import BulletinError
from generator.render import Renderer
from tests.build_support import ROOT

CARD = {
    "title": "兴化：开展安全检查",
    "url": "/bulletins/b/a/",
    "date": "2026年11月9日",
    "datetime": "2026-11-09",
    "regions": [{"name": "兴化市", "url": "/regions/tai-zhou-shi/xing-hua-shi/"}],
    "authors": [{"name": "王五", "url": "/authors/wang-wu/"}],
    "excerpt": "近日，兴化市开展安全检查。",
}


def test_a_card_is_rendered_once_and_an_edited_card_anew() -> None:
    renderer = Renderer(ROOT / "themes" / "default")
    first = renderer.article_card(dict(CARD), 2)
    assert renderer.article_card(dict(CARD), 2) is first  # the same card: from the cache
    assert "兴化：开展安全检查" in first and "<h2" in first
    edited = renderer.article_card({**CARD, "title": "兴化：开展安全大检查"}, 2)
    assert "兴化：开展安全大检查" in edited
    assert "<h3" in renderer.article_card(dict(CARD), 3)  # the level is part of the card


def test_an_error_in_the_card_macro_names_its_template(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    components = theme / "templates" / "partials" / "components.html"
    text = components.read_text("utf-8").replace("{{ card.title }}", "{{ card.no_such }}", 1)
    components.write_text(text, "utf-8")
    (theme / "templates" / "listing.html").write_text("{{ article_card(card) }}\n", "utf-8")
    renderer = Renderer(theme)
    with pytest.raises(BulletinError) as raised:
        renderer.render("listing.html", {"card": CARD})
    assert raised.value.path == components and raised.value.line == 3
    assert "no_such" in raised.value.message
