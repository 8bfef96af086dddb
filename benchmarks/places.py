"""Places for generated headlines: the home province's counties and zones.

Taken from the project's gazetteer (generator.ingest.places) when it is importable, so
generated headlines use the names the parser resolves, each checked to name exactly its
own region; otherwise from a small built-in list of Jiangsu divisions, enough to run the
benchmarks before the gazetteer exists.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

COUNTY_SUFFIXES = ("区", "县", "市")


class PlaceKind(Enum):
    COUNTY = "county"  # a county-level division: 区, 县, county-level 市
    ZONE = "zone"  # a functional zone that is no administrative unit: 江北新区


@dataclass(frozen=True)
class HeadlinePlace:
    province: str
    city: str  # 南京市
    name: str  # 江宁区, 兴化市, 江北新区: what region.county holds
    kind: PlaceKind
    names: tuple[str, ...]  # forms before a colon: 兴化, 泰州兴化, 兴化市
    lead: str  # the form that starts a headline without colon: 兴化市, 徐州鼓楼区


# Fallback only: a sample of Jiangsu's county-level divisions and zones, by city.
_BUILTIN = {
    "南京市": "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区",
    "无锡市": "锡山区 惠山区 滨湖区 梁溪区 新吴区 江阴市 宜兴市",
    "徐州市": "鼓楼区 云龙区 贾汪区 泉山区 铜山区 丰县 沛县 睢宁县 新沂市 邳州市",
    "常州市": "天宁区 钟楼区 新北区 武进区 金坛区 溧阳市",
    "苏州市": "虎丘区 吴中区 相城区 姑苏区 吴江区 常熟市 张家港市 昆山市 太仓市",
    "南通市": "崇川区 通州区 海门区 如东县 启东市 如皋市 海安市",
    "连云港市": "连云区 海州区 赣榆区 东海县 灌云县 灌南县",
    "淮安市": "淮安区 淮阴区 清江浦区 洪泽区 涟水县 盱眙县 金湖县",
    "盐城市": "亭湖区 盐都区 大丰区 响水县 滨海县 阜宁县 射阳县 建湖县 东台市",
    "扬州市": "广陵区 邗江区 江都区 宝应县 仪征市 高邮市",
    "镇江市": "京口区 润州区 丹徒区 丹阳市 扬中市 句容市",
    "泰州市": "海陵区 高港区 姜堰区 兴化市 靖江市 泰兴市",
    "宿迁市": "宿城区 宿豫区 沭阳县 泗阳县 泗洪县",
}
_BUILTIN_ZONES = {"南京市": "江北新区", "苏州市": "苏州工业园区", "徐州市": "淮海国际港务区"}


@dataclass(frozen=True)
class _Raw:
    city: str
    name: str
    kind: PlaceKind
    shorts: tuple[str, ...]
    city_shorts: tuple[str, ...]


def strip_suffix(name: str) -> str | None:
    """兴化市 → 兴化, 涟水县 → 涟水; None when too little would be left (丰县)."""
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def home_places(province: str = "江苏省") -> list[HeadlinePlace]:
    """Every place a generated headline may name, in a stable order."""
    found = _from_gazetteer(province)
    if found is None:
        raw = _from_builtin(province)
        found = _resolve(raw, province, _counting_resolver(raw))
    return found


def _resolve(
    raw: list[_Raw], province: str, resolves: Callable[[str, _Raw], bool]
) -> list[HeadlinePlace]:
    places = []
    for item in sorted(raw, key=lambda r: (r.city, r.name)):
        city_short = item.city_shorts[0] if item.city_shorts else item.city

        def qualified(name: str, city_short: str = city_short) -> str:
            return name if name.startswith(city_short) else city_short + name

        candidates = [
            *item.shorts,
            *(qualified(short) for short in item.shorts[:1]),
            item.name,
            qualified(item.name),
        ]
        names = tuple(dict.fromkeys(name for name in candidates if resolves(name, item)))
        leads = (item.name, qualified(item.name))
        lead = next((name for name in leads if resolves(name, item)), None)
        if names and lead:
            places.append(HeadlinePlace(province, item.city, item.name, item.kind, names, lead))
    return places


def _from_gazetteer(province: str) -> list[HeadlinePlace] | None:
    try:
        from generator.ingest.places import Gazetteer
        from generator.ingest.places import PlaceKind as GazetteerKind
    except ImportError:
        return None
    gazetteer = Gazetteer.load(province)
    places = gazetteer.places_in(province)
    city_shorts = {p.name: p.short_names for p in places if p.kind is GazetteerKind.CITY}
    kinds = {GazetteerKind.COUNTY: PlaceKind.COUNTY, GazetteerKind.ZONE: PlaceKind.ZONE}
    raw = [
        _Raw(p.city, p.name, kinds[p.kind], p.short_names, city_shorts.get(p.city, ()))
        for p in places
        if p.kind in kinds and p.city and p.city in city_shorts
    ]
    full_province = places[0].province if places else province

    def resolves(name: str, item: _Raw) -> bool:
        # The name must be all the gazetteer matches, and name exactly this region.
        match = gazetteer.match_start(name + "：")
        return (
            match is not None
            and match.text == name
            and match.region is not None
            and (match.region.province, match.region.city, match.region.county)
            == (full_province, item.city, item.name)
        )

    return _resolve(raw, full_province, resolves)


def _from_builtin(province: str) -> list[_Raw]:
    if province not in ("江苏省", "江苏"):
        raise ValueError(f"no built-in places for {province}; the gazetteer is needed")
    raw = []
    for city, names in _BUILTIN.items():
        city_short = (strip_suffix(city) or city,)
        for name in names.split():
            short = strip_suffix(name)
            raw.append(_Raw(city, name, PlaceKind.COUNTY, (short,) if short else (), city_short))
    raw += [
        _Raw(city, name, PlaceKind.ZONE, (), (strip_suffix(city) or city,))
        for city, name in _BUILTIN_ZONES.items()
    ]
    return raw


def _counting_resolver(raw: list[_Raw]) -> Callable[[str, _Raw], bool]:
    """Without a gazetteer: a name resolves when no other place of the list shares it."""
    counts: Counter[str] = Counter()
    for item in raw:
        city_short = item.city_shorts[0] if item.city_shorts else item.city
        counts.update({item.name, *item.shorts})
        counts.update({city_short + item.name, *(city_short + s for s in item.shorts)})

    def resolves(name: str, item: _Raw) -> bool:
        return counts[name] == 1

    return resolves
