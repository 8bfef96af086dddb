"""Simplified → Traditional conversion: proper names, overrides, quotes, configs, tokens."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from generator.config import SiteConfig, parse_config
from generator.ingest.places import Gazetteer
from generator.variants import (
    LANG,
    ROOT,
    TextConverter,
    converter_spec,
    current,
    keep,
    languages_of,
    localize,
    person,
    place,
    token,
)


def make_config(tmp_path: Path, **variant: object) -> SiteConfig:
    raw = {
        "title": "测试",
        "base_url": "https://example.org/news/",
        "province": "江苏省",
        "variants": [{"code": "zh-Hant", "prefix": "zh-hant", "opencc": "s2t", **variant}],
    }
    return parse_config(raw, tmp_path / "site.yaml")


def converter(tmp_path: Path, places: list[str] = (), **variant: object) -> TextConverter:
    config = make_config(tmp_path, **variant)
    spec = converter_spec(config.variants[0], config, places)
    return TextConverter(spec)


def test_plain_opencc_gets_these_names_wrong() -> None:
    """The reason protection exists: without it the place names change characters."""
    plain = opencc.OpenCC("s2t")
    assert plain.convert("谷城县") == "穀城縣"
    assert plain.convert("里水镇") == "裏水鎮"


def test_gazetteer_names_keep_their_characters_in_running_text(tmp_path: Path) -> None:
    hubei = sorted(Gazetteer.load("湖北省").all_names())
    assert "谷城县" in hubei
    convert = converter(tmp_path, places=[*hubei, "里水镇"]).convert
    # 縣 and 鎮 are converted, 谷 and 里 are how these names are written in Traditional too.
    assert convert("谷城县召开会议") == "谷城縣召開會議"
    assert convert("佛山里水镇的发展") == "佛山里水鎮的發展"
    # Elsewhere the characters still convert as usual.
    assert convert("山谷里面") == opencc.OpenCC("s2t").convert("山谷里面")


def test_marked_names_convert_character_by_character(tmp_path: Path) -> None:
    convert = converter(tmp_path).convert
    assert convert(place("里水镇")) == "里水鎮"
    assert convert(person("范志发")) == "范志發"  # surname 范 is not 範
    assert convert(person("余丽")) == "余麗"
    assert convert(keep("简体中文") + "简体中文") == "简体中文簡體中文"


def test_site_and_variant_overrides(tmp_path: Path) -> None:
    config = make_config(tmp_path, overrides={"信息": "資訊"})
    config = parse_config(
        {
            "title": "测试",
            "base_url": "https://example.org/",
            "province": "江苏省",
            "overrides": {"余姚市": "餘姚市", "软件": "软件"},
            "variants": [
                {
                    "code": "zh-Hant",
                    "prefix": "zh-hant",
                    "opencc": "s2t",
                    "overrides": {"信息": "資訊"},
                }
            ],
        },
        tmp_path / "site.yaml",
    )
    spec = converter_spec(config.variants[0], config, [])
    convert = TextConverter(spec).convert
    assert convert("软件信息") == "软件資訊"  # kept as written, converted differently
    assert convert(place("余姚市")) == "餘姚市"  # an override wins for marked names too


def test_corner_quotes_only_when_asked(tmp_path: Path) -> None:
    text = "他说：“这是‘银发’力量。”"
    assert converter(tmp_path / "a").convert(text) == "他說：“這是‘銀髮’力量。”"
    corner = converter(tmp_path / "b", corner_quotes=True).convert(text)
    assert corner == "他說：「這是『銀髮』力量。」"


def test_taiwan_standard_differs_from_opencc_standard(tmp_path: Path) -> None:
    s2t = converter(tmp_path / "a").convert("里面的软件")
    s2tw = converter(tmp_path / "b", opencc="s2tw").convert("里面的软件")
    s2twp = converter(tmp_path / "c", opencc="s2twp").convert("里面的软件")
    assert s2t == "裏面的軟件"
    assert s2tw == "裡面的軟件"
    assert s2twp == "裡面的軟體"


def test_markup_and_urls_are_untouched(tmp_path: Path) -> None:
    convert = converter(tmp_path).convert
    html = '<a href="/news/bulletins/a-b/" title="发展">发展</a>\n<p class="x">里</p>'
    assert (
        convert(html) == '<a href="/news/bulletins/a-b/" title="發展">發展</a>\n<p class="x">裏</p>'
    )


def test_localize_fills_tokens_per_language(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    languages = languages_of(config)
    spec = converter_spec(config.variants[0], config, [])
    text = f'<html lang="{LANG}"><a href="{ROOT}x/"{current("zh-Hant")}>{keep("简体中文")}发</a>'
    [simplified] = localize([text], languages[0], None, config)
    [traditional] = localize([text], languages[1], TextConverter(spec), config)
    assert simplified == '<html lang="zh-Hans"><a href="/news/x/">简体中文发</a>'
    assert traditional == (
        '<html lang="zh-Hant"><a href="/news/zh-hant/x/" aria-current="true">简体中文發</a>'
    )


def test_every_token_is_filled_and_unknown_ones_stay(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    languages = languages_of(config)
    links = "".join(f'<a href="{ROOT}p{n}/">{n}</a>' for n in range(50))
    unknown = token("LATER")
    [page] = localize([f"{links}{unknown}{LANG}"], languages[1], None, config)
    assert page.count('href="/news/zh-hant/p') == 50
    assert page.endswith(f"{unknown}zh-Hant")


def test_converter_is_rebuilt_from_its_spec_when_pickled(tmp_path: Path) -> None:
    import pickle

    original = converter(tmp_path, places=["谷城县"])
    copy = pickle.loads(pickle.dumps(original))
    assert copy.convert("谷城县") == original.convert("谷城县") == "谷城縣"


@pytest.mark.parametrize("bad", [{"": "x"}, {"a b": "c"}])
def test_overrides_with_spaces_are_rejected(tmp_path: Path, bad: dict[str, str]) -> None:
    from generator.errors import BulletinError

    config = make_config(tmp_path, overrides=bad)
    with pytest.raises(BulletinError):
        converter_spec(config.variants[0], config, [])


def test_text_runs_convert_like_whole_lines(tmp_path: Path) -> None:
    """Only runs of text reach OpenCC; cutting at markup must not change any conversion,
    and names with spaces or apostrophes stay protected inside their run."""
    convert = converter(tmp_path, places=["谷城县"]).convert
    plain = opencc.OpenCC("s2t").convert
    page = (
        '<p class="meta">2026年11月9日 发布 · 共20多个项目</p>\n'
        '<meta content="发展&amp;改革 里面">'
        f"<li>{person('Li 范志发')}、{person('O' + chr(39) + '余丽')}说：谷城县里面</li>"
    )
    assert convert(page) == (
        '<p class="meta">'
        + plain("2026年11月9日 发布 · 共20多个项目")
        + '</p>\n<meta content="'
        + plain("发展&amp;改革 里面")
        + '"><li>Li 范志發、O'
        + chr(39)
        + "余麗說：谷城縣"
        + plain("里面")
        + "</li>"
    )
    assert convert(page) == convert(page)  # the second time from the memo


def test_localize_leaves_unknown_tokens_alone(tmp_path: Path) -> None:
    from generator.variants import token

    config = make_config(tmp_path)
    languages = languages_of(config)
    text = f"{token('NOPE')}{ROOT}"
    assert localize([text], languages[0], None, config) == [token("NOPE") + "/news/"]


def test_a_full_memo_is_emptied_between_batches_never_within(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.variants as variants

    monkeypatch.setattr(variants, "_MEMO_LIMIT", 3)
    conv = converter(tmp_path)
    plain = opencc.OpenCC("s2t").convert
    pages = [f"<p>发展</p><p>第{n}个里面</p><p>软件{n}</p>" for n in range(6)]
    for _ in range(2):  # the second round starts with runs remembered, then a full memo
        assert conv.convert_many(pages) == [plain(page) for page in pages]
        assert [conv.convert(page) for page in pages] == [plain(page) for page in pages]


@pytest.mark.parametrize("prefix", ["search", "pagefind", "bulletins"])
def test_a_variant_cannot_take_a_folder_of_the_site_itself(tmp_path: Path, prefix: str) -> None:
    """Its pages would land among the default language's: zh-hant/ beside search/, not
    search/ itself (a variant named pagefind lost its pages to the search index)."""
    from generator.errors import BulletinError

    raw = {
        "title": "测试",
        "base_url": "https://example.org/",
        "province": "江苏省",
        "variants": [{"code": "zh-Hant", "prefix": prefix, "opencc": "s2t"}],
    }
    with pytest.raises(BulletinError, match=f"'{prefix}' is a folder of the site itself"):
        parse_config(raw, tmp_path / "site.yaml")
