"""The gazetteer and the place lookup the parser runs on headline openings."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.content import Region
from generator.errors import BulletinError
from generator.ingest.places import Gazetteer, Place, PlaceKind, region_of

ALL_PROVINCES = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]


def R(province: str, city: str | None, county: str | None = None) -> Region:
    return Region(province, city, county)


@pytest.fixture(scope="module")
def jiangsu() -> Gazetteer:
    return Gazetteer.load("江苏省")


def matched(home: str, text: str) -> tuple[str, Region | None] | None:
    match = Gazetteer.load(home).match_start(text)
    return None if match is None else (match.text, match.region)


# --- the seed's seven headline forms -------------------------------------------------------

SEED_FORMS = [
    ("江北新区应急管理局：筑牢安全防线", "江北新区", R("江苏省", "南京市", "江北新区")),
    ("盐城亭湖：数字赋能助力行政复议提速增效", "盐城亭湖", R("江苏省", "盐城市", "亭湖区")),
    ("兴化：“银发三长”助力文明城市建设", "兴化", R("江苏省", "泰州市", "兴化市")),
    ("邗江：全力打造循环经济", "邗江", R("江苏省", "扬州市", "邗江区")),
    ("涟水县委第四巡察组推动巡察问题立行立改", "涟水县", R("江苏省", "淮安市", "涟水县")),
    ("徐州淮海国际港务区：多措并举", "徐州淮海国际港务区", R("江苏省", "徐州市", "淮海国际港务区")),
    ("江宁区麒麟街道纪工委推动社区", "江宁区", R("江苏省", "南京市", "江宁区")),
]


@pytest.mark.parametrize(("text", "prefix", "region"), SEED_FORMS)
def test_places_seed_headline_forms(jiangsu: Gazetteer, text: str, prefix: str, region: Region):
    match = jiangsu.match_start(text)
    assert match is not None
    assert (match.text, match.region, match.candidates) == (prefix, region, (region,))
    assert match.place is not None and jiangsu.region_of(match.place) == region


# --- the matching rules, as a table ----------------------------------------------------------

RULES = [
    # full names
    ("江苏省", "江宁区", "江宁区", R("江苏省", "南京市", "江宁区")),
    ("江苏省", "兴化市", "兴化市", R("江苏省", "泰州市", "兴化市")),
    ("江苏省", "涟水县", "涟水县", R("江苏省", "淮安市", "涟水县")),
    ("江苏省", "南京市", "南京市", R("江苏省", "南京市")),
    ("江苏省", "江苏省", "江苏省", R("江苏省", None)),
    ("江苏省", "沛县：", "沛县", R("江苏省", "徐州市", "沛县")),  # one-character stem + 县
    # full names of other provinces also match
    ("江苏省", "谷城县召开", "谷城县", R("湖北省", "襄阳市", "谷城县")),
    ("江苏省", "杭州市：", "杭州市", R("浙江省", "杭州市")),
    # short names, suffix removed
    ("江苏省", "江宁：", "江宁", R("江苏省", "南京市", "江宁区")),
    ("江苏省", "兴化：", "兴化", R("江苏省", "泰州市", "兴化市")),
    ("江苏省", "涟水：", "涟水", R("江苏省", "淮安市", "涟水县")),
    ("江苏省", "亭湖：", "亭湖", R("江苏省", "盐城市", "亭湖区")),
    ("江苏省", "邗江：", "邗江", R("江苏省", "扬州市", "邗江区")),
    ("江苏省", "江苏：", "江苏", R("江苏省", None)),
    ("江苏省", "南京：", "南京", R("江苏省", "南京市")),
    # suffixes longer than one character
    ("海南省", "乐东：", "乐东", R("海南省", "乐东黎族自治县")),
    ("海南省", "乐东县：", "乐东县", R("海南省", "乐东黎族自治县")),
    ("湖北省", "神农架：", "神农架", R("湖北省", "神农架林区")),
    ("上海市", "浦东：", "浦东", R("上海市", "上海市", "浦东新区")),
    ("贵州省", "六枝：", "六枝", R("贵州省", "六盘水市", "六枝特区")),
    ("内蒙古自治区", "敖汉：", "敖汉", R("内蒙古自治区", "赤峰市", "敖汉旗")),
    ("内蒙古自治区", "鄂伦春旗：", "鄂伦春旗", R("内蒙古自治区", "呼伦贝尔市", "鄂伦春自治旗")),
    ("吉林省", "延边州：", "延边州", R("吉林省", "延边朝鲜族自治州")),
    ("江苏省", "广西：", "广西", R("广西壮族自治区", None)),
    ("江苏省", "新疆：", "新疆", R("新疆维吾尔自治区", None)),
    ("江苏省", "内蒙古：", "内蒙古", R("内蒙古自治区", None)),
    # a city followed by one of its counties or zones
    ("江苏省", "盐城亭湖：", "盐城亭湖", R("江苏省", "盐城市", "亭湖区")),
    ("江苏省", "盐城市亭湖区：", "盐城市亭湖区", R("江苏省", "盐城市", "亭湖区")),
    ("江苏省", "南京江宁：", "南京江宁", R("江苏省", "南京市", "江宁区")),
    ("江苏省", "南京江北新区：", "南京江北新区", R("江苏省", "南京市", "江北新区")),
    ("江苏省", "徐州经开区：", "徐州经开区", R("江苏省", "徐州市", "徐州经济技术开发区")),
    (
        "江苏省",
        "徐州市经济技术开发区",
        "徐州市经济技术开发区",
        R("江苏省", "徐州市", "徐州经济技术开发区"),
    ),
    ("江苏省", "镇江新区：", "镇江新区", R("江苏省", "镇江市", "镇江新区")),
    ("山西省", "阳泉城区：", "阳泉城区", R("山西省", "阳泉市", "城区")),
    # other provinces' cities qualify their own counties
    ("江苏省", "杭州西湖：", "杭州西湖", R("浙江省", "杭州市", "西湖区")),
    ("江苏省", "西安新城区：", "西安新城区", R("陕西省", "西安市", "新城区")),
    # a province followed by a city (or a county), down to three levels
    ("江苏省", "江苏南京：", "江苏南京", R("江苏省", "南京市")),
    ("江苏省", "江苏省南京市江宁区", "江苏省南京市江宁区", R("江苏省", "南京市", "江宁区")),
    ("江苏省", "浙江杭州：", "浙江杭州", R("浙江省", "杭州市")),
    ("江苏省", "江苏兴化：", "江苏兴化", R("江苏省", "泰州市", "兴化市")),
    # zones
    ("江苏省", "江北新区应急管理局", "江北新区", R("江苏省", "南京市", "江北新区")),
    ("江苏省", "苏州工业园区：", "苏州工业园区", R("江苏省", "苏州市", "苏州工业园区")),
    ("江苏省", "淮海国际港务区：", "淮海国际港务区", R("江苏省", "徐州市", "淮海国际港务区")),
    ("江苏省", "两江新区：", "两江新区", R("重庆市", "重庆市", "两江新区")),
    ("江苏省", "雄安新区：", "雄安新区", R("河北省", "保定市", "雄安新区")),
    ("浙江省", "天府新区：", "天府新区", R("四川省", "成都市", "四川天府新区")),
    # municipalities are their own city
    ("江苏省", "北京市：", "北京市", R("北京市", "北京市")),
    ("北京市", "北京：", "北京", R("北京市", "北京市")),
    ("江苏省", "北京朝阳区", "北京朝阳区", R("北京市", "北京市", "朝阳区")),
    ("北京市", "朝阳：", "朝阳", R("北京市", "北京市", "朝阳区")),
    ("江苏省", "上海市浦东新区", "上海市浦东新区", R("上海市", "上海市", "浦东新区")),
    ("江苏省", "天津滨海新区", "天津滨海新区", R("天津市", "天津市", "滨海新区")),
    ("江苏省", "重庆两江新区", "重庆两江新区", R("重庆市", "重庆市", "两江新区")),
    ("天津市", "天津经开区：", "天津经开区", R("天津市", "天津市", "天津经济技术开发区")),
    # county-level units directly under the province stand in the city slot
    ("江苏省", "仙桃市：", "仙桃市", R("湖北省", "仙桃市")),
    ("江苏省", "湖北仙桃：", "湖北仙桃", R("湖北省", "仙桃市")),
    ("海南省", "琼海：", "琼海", R("海南省", "琼海市")),
    ("江苏省", "石河子市", "石河子市", R("新疆维吾尔自治区", "石河子市")),
    # a city and its own same-named district: the city
    ("江苏省", "淮安：", "淮安", R("江苏省", "淮安市")),
    ("江苏省", "淮安区：", "淮安区", R("江苏省", "淮安市", "淮安区")),
    # collisions decided by the home province
    ("福建省", "鼓楼区：", "鼓楼区", R("福建省", "福州市", "鼓楼区")),
    ("河南省", "鼓楼区：", "鼓楼区", R("河南省", "开封市", "鼓楼区")),
    ("江苏省", "南京鼓楼区", "南京鼓楼区", R("江苏省", "南京市", "鼓楼区")),
    ("江苏省", "徐州鼓楼：", "徐州鼓楼", R("江苏省", "徐州市", "鼓楼区")),
    ("江苏省", "福州鼓楼区", "福州鼓楼区", R("福建省", "福州市", "鼓楼区")),
    ("江苏省", "通州区：", "通州区", R("江苏省", "南通市", "通州区")),
    ("北京市", "通州区：", "通州区", R("北京市", "北京市", "通州区")),
]


@pytest.mark.parametrize(("home", "text", "prefix", "region"), RULES)
def test_places_matching_rules(home: str, text: str, prefix: str, region: Region):
    assert matched(home, text) == (prefix, region)


AMBIGUOUS = [
    (
        "江苏省",
        "鼓楼区：",
        "鼓楼区",
        {R("江苏省", "南京市", "鼓楼区"), R("江苏省", "徐州市", "鼓楼区")},
    ),
    (
        "江苏省",
        "鼓楼：",
        "鼓楼",
        {R("江苏省", "南京市", "鼓楼区"), R("江苏省", "徐州市", "鼓楼区")},
    ),
    (
        "湖北省",
        "鼓楼区：",
        "鼓楼区",
        {
            R("江苏省", "南京市", "鼓楼区"),
            R("江苏省", "徐州市", "鼓楼区"),
            R("福建省", "福州市", "鼓楼区"),
            R("河南省", "开封市", "鼓楼区"),
        },
    ),
    (
        "江苏省",
        "朝阳区：",
        "朝阳区",
        {R("北京市", "北京市", "朝阳区"), R("吉林省", "长春市", "朝阳区")},
    ),
]


@pytest.mark.parametrize(("home", "text", "prefix", "candidates"), AMBIGUOUS)
def test_places_ambiguous_names_list_every_candidate(
    home: str, text: str, prefix: str, candidates: set[Region]
):
    match = Gazetteer.load(home).match_start(text)
    assert match is not None
    assert match.text == prefix
    assert match.region is None and match.place is None
    assert len(match.candidates) == len(candidates)
    assert set(match.candidates) == candidates


NOT_PLACES = [
    "数字赋能助力行政复议提速增效",
    "近日，记者从市应急管理局获悉",
    "近年来，南京江北新区树牢安全发展理念",
    "全力打造循环经济",
    "统筹应急力量建设，提升基础保障水平",
    "强化责任体系建设，全新探索“安全审计”模式",
    "新区理论中心组召开安全生产专题学习交流会",
    "城区改造提速",
    "郊区农业",
    "经开区召开会议",
    "高新区企业",
    "突出统筹协调。",
    "聚焦“便民化”，紧扣在线申请复议",
    "2022年以来，各部门累计组织",
    "“安全审计”就像是对企业安全生产的“全面体检”",
    "李静",
    "",
    "江",
]


@pytest.mark.parametrize("home", ALL_PROVINCES)
def test_places_ordinary_openings_match_nothing_in_any_province(home: str):
    gazetteer = Gazetteer.load(home)
    assert [text for text in NOT_PLACES if gazetteer.match_start(text)] == []


@pytest.mark.parametrize(
    ("home", "text"),
    [
        ("浙江省", "亭湖："),  # short names only for the home province
        ("浙江省", "兴化："),
        ("江苏省", "谷城："),
        ("江苏省", "杭州："),  # another province's city by short name, nothing after it
        ("江苏省", "新城区："),  # position words only: full name alone only at home
        ("江苏省", "市中区："),
        ("山西省", "城区："),  # one character + 区: never alone
        ("天津市", "和平："),  # short names that are everyday words are not derived
        ("四川省", "南部："),
        ("湖南省", "中方："),
    ],
)
def test_places_scoping_keeps_words_out(home: str, text: str):
    assert Gazetteer.load(home).match_start(text) is None


@pytest.mark.parametrize(
    ("home", "text", "prefix"),
    [
        ("湖北省", "谷城：", "谷城"),
        ("天津市", "和平区：", "和平区"),
        ("四川省", "南部县：", "南部县"),
        ("陕西省", "新城区：", "新城区"),
    ],
)
def test_places_full_names_still_match_where_short_ones_do_not(home: str, text: str, prefix: str):
    match = Gazetteer.load(home).match_start(text)
    assert match is not None and match.text == prefix and match.region is not None


def test_places_longest_match_wins(jiangsu: Gazetteer):
    # 南京 (city) < 南京江北新区 (city + zone); 涟水 < 涟水县; 苏州 < 苏州工业园区
    assert jiangsu.match_start("南京江北新区应急管理局").text == "南京江北新区"
    assert jiangsu.match_start("涟水县委").text == "涟水县"
    assert jiangsu.match_start("苏州工业园区管委会").text == "苏州工业园区"
    assert jiangsu.match_start("苏州：").text == "苏州"
    assert jiangsu.match_start("徐州经开").text == "徐州"  # a local name counts only whole


def test_places_full_name_beats_short_name_of_equal_length():
    # No real province has a name that is one place's full name and another's short name,
    # so this tie-break is shown on made-up places.
    def place(name: str, kind: PlaceKind, city: str | None, *shorts: str) -> Place:
        return Place(name, kind, "甲省", city, None, None, None, shorts)

    places = (
        place("甲省", PlaceKind.PROVINCE, None, "甲"),
        place("乙丙市", PlaceKind.CITY, "乙丙市", "乙丙"),
        place("丁戊", PlaceKind.COUNTY, "乙丙市"),
        place("丁戊区", PlaceKind.COUNTY, "乙丙市", "丁戊"),
    )
    gazetteer = Gazetteer.from_places(places, "甲省")
    assert gazetteer.match_start("丁戊：").region == R("甲省", "乙丙市", "丁戊")
    assert gazetteer.match_start("丁戊区：").region == R("甲省", "乙丙市", "丁戊区")
    assert gazetteer.match_start("乙丙丁戊区").text == "乙丙丁戊区"
    assert [p.name for p in gazetteer.places_in("甲省")] == ["甲省", "乙丙市", "丁戊", "丁戊区"]


# --- lookups by name, regions, names for OpenCC ----------------------------------------------


def test_places_find_puts_home_province_first():
    places = Gazetteer.load("福建省").find("鼓楼区")
    assert (places[0].province, places[0].city) == ("福建省", "福州市")
    assert {p.city for p in places} == {"南京市", "徐州市", "福州市", "开封市"}
    assert [p.name for p in Gazetteer.load("江苏省").find("亭湖")] == ["亭湖区"]
    assert Gazetteer.load("江苏省").find("经开区") == []  # local names are not names
    assert Gazetteer.load("江苏省").find("不存在的地方") == []


def test_places_region_of_each_kind(jiangsu: Gazetteer):
    def one(name: str, kind: PlaceKind) -> Place:
        [place] = [p for p in jiangsu.find(name) if p.kind is kind]
        return place

    assert region_of(one("江苏省", PlaceKind.PROVINCE)) == R("江苏省", None)
    assert region_of(one("上海市", PlaceKind.PROVINCE)) == R("上海市", "上海市")
    assert region_of(one("盐城市", PlaceKind.CITY)) == R("江苏省", "盐城市")
    assert region_of(one("亭湖区", PlaceKind.COUNTY)) == R("江苏省", "盐城市", "亭湖区")
    assert region_of(one("潜江市", PlaceKind.COUNTY)) == R("湖北省", "潜江市")
    assert region_of(one("江北新区", PlaceKind.ZONE)) == R("江苏省", "南京市", "江北新区")
    assert jiangsu.region_of(one("江北新区", PlaceKind.ZONE)) == R("江苏省", "南京市", "江北新区")


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("亭湖区", 33.39, 120.20),
        ("南京市", 32.06, 118.80),
        ("谷城县", 32.26, 111.65),
        ("北京市", 39.90, 116.41),
        ("石河子市", 44.31, 86.08),
    ],
)
def test_places_coordinates_of_known_places(jiangsu: Gazetteer, name: str, lat: float, lon: float):
    [place] = jiangsu.find(name)
    assert place.lat == pytest.approx(lat, abs=0.05)
    assert place.lon == pytest.approx(lon, abs=0.05)


def test_places_all_names_cover_the_home_province_only():
    hubei = Gazetteer.load("湖北省").all_names()
    jiangsu = Gazetteer.load("江苏省").all_names()
    assert {"谷城县", "谷城", "湖北省", "湖北", "襄阳市", "神农架林区"} <= hubei
    assert "谷城县" not in jiangsu and "谷城" not in jiangsu
    assert {
        "江苏省",
        "江苏",
        "南京市",
        "南京",
        "亭湖区",
        "亭湖",
        "江北新区",
        "淮海国际港务区",
    } <= jiangsu
    assert "鼓楼区" in jiangsu and "经开区" not in jiangsu  # local names are generic words


# --- loading and the shape of the data -------------------------------------------------------


def test_places_load_is_cached_and_accepts_short_province_names():
    assert Gazetteer.load("江苏") is Gazetteer.load("江苏省")
    assert Gazetteer.load("江苏省").province == "江苏省"
    assert Gazetteer.load("广西").province == "广西壮族自治区"


def test_places_unknown_province_is_a_user_error():
    with pytest.raises(BulletinError, match="unknown province '江南省'"):
        Gazetteer.load("江南省")
    with pytest.raises(BulletinError):
        Gazetteer.load("江苏省").places_in("火星")


def test_places_gazetteer_shape():
    gazetteer = Gazetteer.load("江苏省")
    places = [place for province in ALL_PROVINCES for place in gazetteer.places_in(province)]
    kinds = {kind: [p for p in places if p.kind is kind] for kind in PlaceKind}
    assert len(kinds[PlaceKind.PROVINCE]) == 31
    assert 330 <= len(kinds[PlaceKind.CITY]) <= 340
    assert 2800 <= len(kinds[PlaceKind.COUNTY]) <= 2900
    assert len(kinds[PlaceKind.ZONE]) >= 150
    cities = {(p.province, p.name) for p in kinds[PlaceKind.CITY]}
    cities |= {(p.province, p.city) for p in kinds[PlaceKind.PROVINCE] if p.city}
    for place in kinds[PlaceKind.COUNTY] + kinds[PlaceKind.ZONE]:
        assert place.city is None or (place.province, place.city) in cities, place
    assert all(p.city for p in kinds[PlaceKind.ZONE])
    codes = [p.adcode for p in places if p.kind is not PlaceKind.ZONE]
    assert all(code and re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    with_coordinates = [p for p in places if p.lat is not None]
    assert len(with_coordinates) > 0.9 * (len(places) - len(kinds[PlaceKind.ZONE]))
    assert all(3 < p.lat < 54 and 73 < p.lon < 136 for p in with_coordinates)  # 三沙市: 16.8
    for place in places:
        assert place.name not in place.short_names
        assert all(len(name) >= 2 for name in place.short_names + place.local_names)
    jiangsu_cities = {p.name for p in gazetteer.places_in("江苏") if p.kind is PlaceKind.CITY}
    assert len(jiangsu_cities) == 13 and "盐城市" in jiangsu_cities


def test_places_counties_have_short_names_where_at_least_two_characters_remain(
    jiangsu: Gazetteer,
):
    counties = [p for p in jiangsu.places_in("江苏省") if p.kind is PlaceKind.COUNTY]
    assert len(counties) == 95
    for place in counties:
        if len(place.name) == 2 or place.name == "新北区":  # 沛县; 新北 reads as a word
            assert place.short_names == (), place
        else:
            assert place.short_names == (place.name[:-1],), place


def test_places_first_load_builds_every_table_quickly_enough_to_not_matter():
    # A sanity bound, not a benchmark: a fresh province's tables build in well under a second.
    start = time.perf_counter()
    Gazetteer.load("西藏自治区").match_start("拉萨：")
    assert time.perf_counter() - start < 1.0


@given(
    st.text(
        alphabet=st.sampled_from("江苏南京鼓楼区县市盐城亭湖新经开北徐州淮海港务：，a 1"),
        max_size=20,
    )
)
def test_places_match_is_a_prefix_and_consistent(text: str):
    match = Gazetteer.load("江苏省").match_start(text)
    if match is None:
        return
    assert text.startswith(match.text) and len(match.text) >= 2
    if match.region is None:
        assert match.place is None and len(match.candidates) > 1
    else:
        assert match.candidates == (match.region,) and match.place is not None
