"""The parser on the seed, on realistic bulletins from other cities (tests/data/ingest/),
and on small scenarios that each isolate one decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.content import Region
from generator.ingest.model import BlockKind, DropReason, ParsedBulletin
from generator.ingest.parse import parse_bytes, parse_text
from generator.ingest.places import Gazetteer

DATA = Path(__file__).parent / "data" / "ingest"
JIANGSU = "江苏省"
GAZETTEER = Gazetteer.load(JIANGSU)


def parse(text: str, bulletin_id: str = "test") -> ParsedBulletin:
    return parse_text(text, bulletin_id, GAZETTEER, JIANGSU)


def parse_fixture(path: Path) -> ParsedBulletin:
    return parse_bytes(path.read_bytes(), path, GAZETTEER, JIANGSU)


def subheadings(parsed: ParsedBulletin, index: int) -> list[str]:
    return [b.text for b in parsed.articles[index].blocks if b.kind is BlockKind.SUBHEADING]


def paragraphs(parsed: ParsedBulletin, index: int) -> list[str]:
    return [b.text for b in parsed.articles[index].blocks if b.kind is BlockKind.PARAGRAPH]


# --- the seed, exactly as the issue states it -------------------------------------------


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> ParsedBulletin:
    return parse_fixture(seed_path)


SEED_ARTICLES = [
    # (headline starts with, place, region, authors, subheadings)
    ("江北新区应急管理局：", "江北新区应急管理局", ("南京市", "江北新区"), ["李静"], 3),
    ("盐城亭湖：", "盐城亭湖", ("盐城市", "亭湖区"), [], 0),
    ("兴化：", "兴化", ("泰州市", "兴化市"), ["潘云祥", "崔年", "郭丽丽"], 0),
    ("邗江：", "邗江", ("扬州市", "邗江区"), [], 0),
    ("涟水县委第四巡察组", "涟水县", ("淮安市", "涟水县"), ["马群", "杨雅兰"], 0),
    ("徐州淮海国际港务区：", "徐州淮海国际港务区", ("徐州市", "淮海国际港务区"), [], 0),
    ("江宁区麒麟街道纪工委", "江宁区", ("南京市", "江宁区"), ["彭惠"], 0),
]


def test_seed_articles(seed: ParsedBulletin) -> None:
    assert len(seed.articles) == len(SEED_ARTICLES)
    for article, expected in zip(seed.articles, SEED_ARTICLES, strict=True):
        start, place, (city, county), authors, subs = expected
        assert article.headline.text.startswith(start)
        assert article.place == place
        assert article.region == Region(JIANGSU, city, county)
        assert article.authors == authors
        kinds = [b.kind for b in article.blocks]
        assert kinds.count(BlockKind.SUBHEADING) == subs


def test_seed_counts_and_no_warnings(seed: ParsedBulletin) -> None:
    assert seed.rejoined == 11
    assert seed.dropped_repeats == 3
    assert seed.warnings == []
    assert seed.id == "000_aa11cc3685d42101"
    assert seed.date is None
    assert seed.encoding == "utf-8"


def test_seed_rejoined_breaks_are_the_eleven_cut_paragraphs(seed: ParsedBulletin) -> None:
    joined = sorted(b.lines for a in seed.articles for b in a.blocks if len(b.lines) > 1)
    assert joined == [
        (13, 15),
        (33, 35),
        (43, 45),
        (75, 77),
        (79, 81),
        (83, 85),
        (91, 93),
        (103, 105),
        (107, 109),
        (135, 137),
        (149, 151),
    ]
    short_tail = next(b for a in seed.articles for b in a.blocks if b.lines == (135, 137))
    assert short_tail.text.endswith("提供实体化阵地。")


def test_seed_drops_the_repeated_run(seed: ParsedBulletin) -> None:
    repeats = [d for d in seed.dropped if d.reason is DropReason.REPEAT]
    assert [(d.lines, d.repeats_line) for d in repeats] == [((63,), 55), ((65,), 57), ((67,), 59)]


def test_seed_subheadings_and_headline_forms(seed: ParsedBulletin) -> None:
    assert [s.lines for a in seed.articles for s in a.blocks if s.kind is BlockKind.SUBHEADING] == [
        (7,),
        (27,),
        (47,),
    ]
    assert seed.articles[6].headline.text == "江宁区麒麟街道纪工委推动社区纪检建设 强化小微权力监督"
    assert seed.articles[6].bylines[0].lines == (155,)  # the last line, no final newline


def test_seed_lead_phrase_stays_in_its_paragraph(seed: ParsedBulletin) -> None:
    assert any(p.startswith("聚焦“便民化”，紧扣在线申请复议。该局") for p in paragraphs(seed, 1))


# --- realistic bulletins from other cities ----------------------------------------------


def test_suzhou_gb18030_crlf_single_newlines_indented() -> None:
    parsed = parse_fixture(DATA / "2023-05-18_suzhou.txt")
    assert parsed.encoding == "gb18030"
    assert parsed.date == dt.date(2023, 5, 18)  # from the masthead line
    assert [d.reason for d in parsed.dropped] == [DropReason.MASTHEAD]
    headlines = [a.headline.text for a in parsed.articles]
    assert headlines == [
        "吴江区：“一网统管”让城市治理更聪明",
        "张家港:长江岸线“生态颜值”持续提升",
        "老旧小区加装电梯惠及千户居民",
    ]
    first, second, third = parsed.articles
    assert first.region == Region(JIANGSU, "苏州市", "吴江区")
    assert first.authors == ["张晓明", "李红"]
    assert subheadings(parsed, 0) == [
        "一、数据汇聚打通“神经末梢”",
        "二、联动处置跑出“加速度”",
        "三、群众参与共建共享",
    ]
    # A break right before a subheading is not joined across it.
    assert paragraphs(parsed, 0)[3].endswith("推动形成")
    assert parsed.rejoined == 1
    assert all(not p.startswith("　") for a in parsed.articles for p in paragraphs(parsed, 0))
    assert second.place == "张家港"
    assert second.region == Region(JIANGSU, "苏州市", "张家港市")
    assert second.authors == ["王五", "赵丽", "钱七"]
    assert paragraphs(parsed, 1)[0].startswith("5月16日，记者在张家港湾")
    assert third.place is None and third.region is None
    assert third.authors == ["孙八"]
    assert paragraphs(parsed, 2)[-1].endswith("“上楼不再难”。")
    assert len(parsed.warnings) == 1 and "line 17" in parsed.warnings[0]


def test_wuxi_bom_two_line_headline_and_spaced_names() -> None:
    parsed = parse_fixture(DATA / "wuxi_bulletin.txt")
    assert parsed.encoding == "utf-8-sig"
    assert parsed.date is None
    first, second, third = parsed.articles
    assert first.headline.text == "宜兴：“紫砂+”点亮乡村振兴路"
    assert first.headline.lines == (1, 3)
    assert first.region == Region(JIANGSU, "无锡市", "宜兴市")
    assert first.authors == ["张丽娟", "王建国"]  # separated by a full-width space
    assert paragraphs(parsed, 0)[2].endswith("已实现全面覆盖。")  # very short second half
    assert paragraphs(parsed, 0)[3] == "“能在家门口就业，我们感到很幸福！”村民王大爷笑着说。"
    assert second.headline.text == "梁溪区持续优化营商环境 助企纾困见实效"
    assert second.region == Region(JIANGSU, "无锡市", "梁溪区")
    assert second.authors == ["陈晨"]
    assert len(paragraphs(parsed, 1)) == 3 and parsed.dropped_repeats == 2
    assert third.headline.text == "省文旅厅：全省乡村旅游重点村名单公布"
    assert third.region is None and third.authors == ["赵敏", "钱程"]
    assert parsed.rejoined == 2
    assert len(parsed.warnings) == 1 and "省文旅厅" in parsed.warnings[0]


def test_lianyungang_gbk_cr_date_line_and_bracketed_byline() -> None:
    parsed = parse_fixture(DATA / "lianyungang_cr.txt")
    assert parsed.encoding == "gb18030"
    assert parsed.date == dt.date(2024, 1, 8)
    assert [a.place for a in parsed.articles] == ["东海县", "沭阳县"]
    assert [a.region for a in parsed.articles] == [
        Region(JIANGSU, "连云港市", "东海县"),
        Region(JIANGSU, "宿迁市", "沭阳县"),
    ]
    assert [a.authors for a in parsed.articles] == [[], ["周伟"]]
    assert [len(a.blocks) for a in parsed.articles] == [2, 2]
    assert parsed.warnings == []


def test_same_text_in_every_encoding_and_line_ending_parses_the_same(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    reference = parse_fixture(seed_path)
    variants = [
        text.replace("\n", "\r\n").encode("gb18030"),
        b"\xef\xbb\xbf" + text.replace("\n", "\r").encode("utf-8"),
        text.replace("\n\n", "\n").encode("gbk"),  # single-newline paragraphs
        "\n".join("　　" + line for line in text.split("\n")).encode("utf-16"),
    ]
    for data in variants:
        parsed = parse_bytes(data, seed_path, GAZETTEER, JIANGSU)
        assert [a.headline.text for a in parsed.articles] == [
            a.headline.text for a in reference.articles
        ]
        assert [[b.text for b in a.blocks] for a in parsed.articles] == [
            [b.text for b in a.blocks] for a in reference.articles
        ]
        assert [a.authors for a in parsed.articles] == [a.authors for a in reference.articles]
        assert (parsed.rejoined, parsed.dropped_repeats) == (11, 3)


# --- single decisions -------------------------------------------------------------------

BODY = "近年来，该区持续推进基层治理现代化建设，取得明显成效。"
BODY2 = "下一步，该区将继续深化改革，推动各项工作落地见效。"


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("本报记者 张三 通讯员 李四", ["张三", "李四"]),
        ("（记者 王五）", ["王五"]),
        ("文/图 赵六", ["赵六"]),
        ("张三　李四", ["张三", "李四"]),
        ("张三、李四、欧阳明", ["张三", "李四", "欧阳明"]),
        ("记者张三 通讯员李四", ["张三", "李四"]),
        ("通讯员 李四 记者 张三 摄", ["李四", "张三"]),
        ("本报记者 孟凡华 通讯员 高 翔", ["孟凡华", "高翔"]),  # spaced to align a column
        ("通讯员 宋 佳 刘 阳", ["宋佳", "刘阳"]),
        ("（记者 王刚 通讯员 黄文 覃 琳）", ["王刚", "黄文", "覃琳"]),
        ("■ 记者 周杰", ["周杰"]),
        ("本报融媒体记者 张三 通讯员 李四", ["张三", "李四"]),
        ("新华社驻京记者 李四", ["李四"]),
        ("县融媒体中心记者 王五", ["王五"]),
        ("全媒体记者 赵 敏 实习生 钱多多", ["赵敏", "钱多多"]),
        ("撰稿：端木清扬", ["端木清扬"]),
        ("买买提·吐尔逊　吉克·阿依", ["买买提·吐尔逊", "吉克·阿依"]),
    ],
)
def test_byline_styles(byline: str, authors: list[str]) -> None:
    parsed = parse(f"江宁区：标题一\n{BODY}\n{byline}\n兴化：标题二\n{BODY2}")
    assert [a.authors for a in parsed.articles] == [authors, []]
    assert parsed.articles[0].bylines[0].text == byline.replace("　", " ")


def test_byline_right_under_the_headline() -> None:
    parsed = parse(f"江宁区：标题一\n本报记者 张三\n{BODY}\n{BODY2}")
    assert parsed.articles[0].authors == ["张三"]
    assert len(parsed.articles[0].blocks) == 2


def test_headline_without_place_after_a_byline_or_at_the_start() -> None:
    parsed = parse(f"老旧小区改造提速\n{BODY}\n张三\n社区食堂开进家门口\n{BODY2}")
    assert [a.headline.text for a in parsed.articles] == ["老旧小区改造提速", "社区食堂开进家门口"]
    assert [a.region for a in parsed.articles] == [None, None]
    assert len(parsed.warnings) == 2  # region left empty, once per article


def test_headline_with_ascii_colon_and_place_without_colon() -> None:
    parsed = parse(f"兴化:标题一\n{BODY}\n{BODY2}\n涟水县推进巡察整改\n{BODY}")
    assert [a.place for a in parsed.articles] == ["兴化", "涟水县"]


def test_subheadings_numbered_or_plain() -> None:
    text = f"江宁区：标题\n{BODY}\n（一）强化组织领导\n{BODY2}\n坚持问题导向，提升治理水平\n{BODY}"
    parsed = parse(text)
    assert subheadings(parsed, 0) == ["（一）强化组织领导", "坚持问题导向，提升治理水平"]
    assert len(parsed.articles) == 1


def test_break_before_subheading_headline_or_byline_is_not_joined() -> None:
    cut = "该区还将进一步完善工作机制，推动形成"
    for follower in ("强化组织保障水平", "兴化：新的标题"):
        parsed = parse(f"江宁区：标题\n{BODY}\n{cut}\n{follower}\n{BODY2}")
        assert cut in paragraphs(parsed, 0)
    parsed = parse(f"江宁区：标题\n{BODY}\n{cut}\n张三 李四\n兴化：标题二\n{BODY2}")
    assert paragraphs(parsed, 0)[-1] == cut and parsed.articles[0].authors == ["张三", "李四"]
    assert parsed.rejoined == 0


def test_break_with_very_short_halves() -> None:
    parsed = parse(f"江宁区：标题\n{BODY}\n该区新建口袋公园12个，实现\n全覆盖。\n{BODY2}")
    assert paragraphs(parsed, 0)[1] == "该区新建口袋公园12个，实现全覆盖。"
    parsed = parse(f"江宁区：标题\n{BODY}\n近日，为\n社区居民送去温暖。\n{BODY2}")
    assert paragraphs(parsed, 0)[1] == "近日，为社区居民送去温暖。"
    assert parsed.rejoined == 1


def test_break_that_leaves_a_paragraph_in_three_pieces() -> None:
    first = "今年以来，该区持续推进老旧小区改造，新开工项目38个，涉及楼栋"
    second = "426幢，预计年底前全部完工，惠及居"
    text = f"江宁区：标题\n{BODY}\n{first}\n{second}\n民3000余户。"
    assert paragraphs(parse(text), 0)[1] == f"{first}{second}民3000余户。"
    parsed = parse(text)
    assert parsed.rejoined == 2


@pytest.mark.parametrize(
    "caption",
    [
        "▲ 游客在南后街游览。林辉 摄",
        "图为志愿者在社区服务。林辉 摄影",
        "▲ 村民采摘草莓 记者 王五 摄",
    ],
)
def test_photo_caption_ending_in_its_credit_is_not_joined(caption: str) -> None:
    parsed = parse(f"江宁区：标题\n{BODY}\n{caption}\n{BODY2}")
    assert paragraphs(parsed, 0) == [BODY, caption, BODY2]
    assert parsed.rejoined == 0


def test_break_ending_in_a_word_with_she_is_still_joined() -> None:
    parsed = parse(f"江宁区：标题\n{BODY}\n近日，村里的老党员张大爷用手机拍摄\n记录了村里的变化。")
    assert paragraphs(parsed, 0) == [BODY, "近日，村里的老党员张大爷用手机拍摄记录了村里的变化。"]


def test_a_short_question_between_paragraphs_is_a_subheading() -> None:
    text = f"江宁区：标题\n{BODY}\n人才为何愿意来？\n{BODY2}\n“你们来了？”\n他笑着说。"
    parsed = parse(text)
    assert subheadings(parsed, 0) == ["人才为何愿意来？"]
    assert paragraphs(parsed, 0) == [BODY, BODY2, "“你们来了？”", "他笑着说。"]


def test_break_right_under_the_headline_is_no_headline_line_or_subheading() -> None:
    parsed = parse(f"江宁区：标题\n今年以来，全区累计投入资金\n3.2亿元，建成人才公寓12处。\n{BODY}")
    assert parsed.articles[0].headline.text == "江宁区：标题"
    assert paragraphs(parsed, 0) == ["今年以来，全区累计投入资金3.2亿元，建成人才公寓12处。", BODY]


def test_subtitle_under_the_headline_still_joins_it() -> None:
    parsed = parse(f"江宁区：筑牢安全防线\n——江宁区应急管理工作综述，一年来成效明显\n{BODY}")
    assert parsed.articles[0].headline.text.endswith("——江宁区应急管理工作综述，一年来成效明显")


@pytest.mark.parametrize(
    ("paragraph", "authors", "kept"),
    [
        (
            "本报讯 记者 张三 通讯员 李四 近日，该区召开会议。",
            ["张三", "李四"],
            "近日，该区召开会议。",
        ),
        ("新华社南京5月20日电 记者 王五 近日，该区召开会议。", ["王五"], "近日，该区召开会议。"),
        ("本报讯 近日，记者 张三 走访了该区。", [], "本报讯 近日，记者 张三 走访了该区。"),
    ],
)
def test_unbracketed_byline_after_the_dateline(
    paragraph: str, authors: list[str], kept: str
) -> None:
    parsed = parse(f"江宁区：标题\n{paragraph}\n{BODY}")
    assert parsed.articles[0].authors == authors
    assert paragraphs(parsed, 0) == [kept, BODY]


def test_unbracketed_byline_closing_the_last_paragraph() -> None:
    parsed = parse(f"江宁区：标题一\n{BODY}\n{BODY2}记者 张三 通讯员 李四\n兴化：标题二\n{BODY}")
    assert parsed.articles[0].authors == ["张三", "李四"]
    assert paragraphs(parsed, 0) == [BODY, BODY2]
    mid = parse(f"江宁区：标题一\n{BODY}记者 张三\n{BODY2}")  # not where the article ends
    assert mid.articles[0].authors == []


def test_numbered_list_items_are_not_joined() -> None:
    lead_in = "为推动各项工作落地落实，该区结合实际，制定了具体措施，主要包括"
    items = [lead_in, "（一）加强组织领导；", "（二）完善工作机制。"]
    parsed = parse("江宁区：标题\n" + "\n".join([BODY, *items]))
    assert paragraphs(parsed, 0)[1:] == items


def test_short_repeat_is_kept_unless_part_of_a_run() -> None:
    text = f"江宁区：标题\n他说：\n{BODY}\n他说：\n{BODY2}"
    assert paragraphs(parse(text), 0) == ["他说：", BODY, "他说：", BODY2]


def test_repeats_are_per_article() -> None:
    parsed = parse(f"江宁区：标题一\n{BODY}\n兴化：标题二\n{BODY}")
    assert [paragraphs(parsed, i) for i in (0, 1)] == [[BODY], [BODY]]
    assert parsed.dropped_repeats == 0


def test_text_before_the_first_headline_is_kept() -> None:
    parsed = parse(f"{BODY}\n{BODY2}\n江宁区：标题\n{BODY}")
    assert parsed.articles[0].headline.text == BODY
    assert "does not start with a headline" in parsed.warnings[0]
    assert parsed.articles[1].headline.text == "江宁区：标题"


def test_masthead_without_date_is_reported() -> None:
    parsed = parse(f"区域新闻\n江宁区：标题\n{BODY}")
    assert [a.headline.text for a in parsed.articles] == ["江宁区：标题"]
    assert parsed.dropped[0].text == "区域新闻"
    assert "masthead" in parsed.warnings[0]


@pytest.mark.parametrize("page", ["第05版：区域新闻", "第三版", "A3版 要闻", "07版｜地方"])
def test_page_lines_are_set_aside_without_warning(page: str) -> None:
    parsed = parse(f"{page}\n江宁区：标题\n近年来，该区持续推进\n{page}\n基层治理现代化建设。")
    assert [a.headline.text for a in parsed.articles] == ["江宁区：标题"]
    assert [d.text for d in parsed.dropped] == [page, page]
    assert paragraphs(parsed, 0) == ["近年来，该区持续推进基层治理现代化建设。"]
    assert parsed.warnings == []


@pytest.mark.parametrize(
    "desk", ["责任编辑：王五", "编辑 张三 校对 李四", "【责编：欧阳丽 美编：何平】"]
)
def test_the_page_editors_line_is_no_byline(desk: str) -> None:
    parsed = parse(f"江宁区：标题一\n{BODY}\n记者 张三\n兴化：标题二\n{BODY2}\n{desk}")
    assert [a.authors for a in parsed.articles] == [["张三"], []]
    assert [d.text for d in parsed.dropped] == [desk]
    assert paragraphs(parsed, 1) == [BODY2]


def test_page_like_words_in_text_stay() -> None:
    parsed = parse(f"江宁区：标题\n{BODY}\n教材已出到第五版\n第05版内容更新了吗")
    assert parsed.dropped == []


@pytest.mark.parametrize(
    ("first_line", "stem", "fallback", "expected"),
    [
        ("2022年10月20日", "x", None, dt.date(2022, 10, 20)),
        ("新华日报 2022年10月20日 星期四 第7版", "x", None, dt.date(2022, 10, 20)),
        ("", "bulletin-2021-03-04", dt.date(2020, 1, 1), dt.date(2021, 3, 4)),
        ("", "bulletin", dt.date(2020, 1, 1), dt.date(2020, 1, 1)),
        ("", "bulletin", None, None),
    ],
)
def test_date_sources_in_order(
    first_line: str, stem: str, fallback: dt.date | None, expected: dt.date | None
) -> None:
    text = f"{first_line}\n江宁区：标题\n自2019年5月1日起，{BODY}"
    parsed = parse_text(text, stem, GAZETTEER, JIANGSU, fallback_date=fallback)
    assert parsed.date == expected


def test_kicker_above_a_place_headline() -> None:
    parsed = parse(f"聚焦高质量发展\n涟水县委第四巡察组推动巡察问题立行立改\n{BODY}")
    assert (
        parsed.articles[0].headline.text == "聚焦高质量发展 涟水县委第四巡察组推动巡察问题立行立改"
    )
    assert parsed.articles[0].place == "涟水县"


def test_date_line_inside_the_text_stays_a_paragraph() -> None:
    parsed = parse(f"江宁区：标题\n{BODY}\n2022年10月20日")
    assert parsed.date == dt.date(2022, 10, 20)
    assert paragraphs(parsed, 0) == [BODY, "2022年10月20日"]


def test_bracketed_place_headlines() -> None:
    parsed = parse(
        f"【兴化】“银发三长”助力文明城市创建\n{BODY}\n[江宁区] 推动社区纪检建设\n{BODY2}"
    )
    assert [a.place for a in parsed.articles] == ["兴化", "江宁区"]
    assert parsed.articles[1].region == Region(JIANGSU, "南京市", "江宁区")


@pytest.mark.parametrize(
    "headline",
    [
        "【区县传真】兴化：“银发三长”助力文明城市创建",
        "文明创建进行时丨兴化：“银发三长”助力文明城市创建",
        "聚焦文明创建 | 兴化：“银发三长”助力文明城市创建",
    ],
)
def test_a_kicker_before_the_place_headline(headline: str) -> None:
    # No byline closes the first article: the kicked headline is found by its place.
    parsed = parse(f"江宁区：标题\n{BODY}\n{headline}\n{BODY2}")
    assert [a.headline.text for a in parsed.articles] == ["江宁区：标题", headline]
    assert parsed.articles[1].place == "兴化"
    assert parsed.articles[1].region == Region(JIANGSU, "泰州市", "兴化市")
    assert parsed.warnings == []


def test_a_bracketed_kicker_without_a_place_is_no_place() -> None:
    parsed = parse(f"【文明创建】“银发三长”助力城市创建\n{BODY}")
    assert parsed.articles[0].place is None


def test_region_comes_from_the_headline_never_the_body() -> None:
    parsed = parse(f"老旧小区改造提速\n江宁区{BODY}")
    assert parsed.articles[0].region is None


def test_ambiguous_place_is_left_empty_with_a_warning() -> None:
    parsed = parse(f"鼓楼区：标题\n{BODY}")
    assert parsed.articles[0].place is None or parsed.articles[0].region is None
    assert "ambiguous" in parsed.warnings[0]


def test_place_from_another_province() -> None:
    parsed = parse(f"杭州市余杭区：标题\n{BODY}")
    assert parsed.articles[0].region == Region("浙江省", "杭州市", "余杭区")


# --- generated bulletins of the seed's shape (benchmarks/corpus.py plans each parse) ------


def test_generated_bulletins_parse_as_planned() -> None:
    from benchmarks.corpus import plan_bulletin

    articles = exact = 0
    for number in range(1, 41):
        planned = plan_bulletin(number)
        parsed = parse_text(planned.text, planned.id, GAZETTEER, JIANGSU)
        assert [a.headline.text for a in parsed.articles] == [a.headline for a in planned.articles]
        assert parsed.dropped_repeats == sum(a.repeated for a in planned.articles)
        for got, want in zip(parsed.articles, planned.articles, strict=True):
            assert got.region == Region(*want.region)
            assert tuple(got.authors) == want.authors
            articles += 1
            exact += [(b.kind.value, b.text) for b in got.blocks] == [
                (b.kind.value, b.text) for b in want.blocks
            ]
    assert exact >= 0.97 * articles  # a column break's first half can pass for a subheading


@pytest.mark.parametrize(
    ("headline", "place"),
    [
        ("昆山市商务局：外贸企业订单回暖", "昆山市商务局"),  # an office keeps its full name
        ("盐城亭湖：数字赋能", "盐城亭湖"),
        ("江阴市委第二巡察组推动问题整改", "江阴市"),  # no colon: the place as matched
        ("【宜兴】陶都启动文旅季", "宜兴"),
    ],
)
def test_place_is_the_headlines_own_name_for_it(headline: str, place: str) -> None:
    text = f"{headline}\n近年来，当地持续推进各项工作，取得明显成效。\n"
    parsed = parse_text(text, "b", GAZETTEER, JIANGSU)
    assert parsed.articles[0].place == place


def test_the_package_offers_the_parser_and_the_ingest_entry_points() -> None:
    import generator.ingest as ingest

    assert ingest.parse_text is parse_text and ingest.parse_bytes is parse_bytes
    assert set(ingest.__all__) >= {"ingest_pending", "ingest_file", "parse_file", "seed_files"}
    assert all(callable(getattr(ingest, name)) for name in ingest.__all__)
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = ingest.no_such_thing  # type: ignore[attr-defined]
