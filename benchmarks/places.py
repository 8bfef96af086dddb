"""Places for generated headlines: the home province's counties and zones.

Taken from the project's gazetteer (generator.ingest.places) when it is importable, so
generated headlines name exactly what the parser can resolve; otherwise from a small
built-in list of Jiangsu divisions, enough to benchmark before the gazetteer exists.
"""

from __future__ import annotations

from collections import Counter
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
    short: str | None  # 江宁, 兴化; None when no unambiguous short form exists
    unique: bool  # the full name names one place in the province (鼓楼区 does not)

    @property
    def city_short(self) -> str:
        return strip_suffix(self.city) or self.city


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


def strip_suffix(name: str) -> str | None:
    """兴化市 → 兴化, 涟水县 → 涟水; None when too little would be left (丰县)."""
    for suffix in COUNTY_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def home_places(province: str = "江苏省") -> list[HeadlinePlace]:
    """Every place a generated headline may name, in a stable order."""
    raw = _from_gazetteer(province)
    if raw is None:
        raw = _from_builtin(province)
    return _with_short_names(sorted(set(raw), key=lambda item: (item[0], item[1])), province)


def gazetteer_available() -> bool:
    return _from_gazetteer("江苏省") is not None


def _from_gazetteer(province: str) -> list[tuple[str, str, PlaceKind]] | None:
    try:
        from generator.ingest.places import Gazetteer  # type: ignore[attr-defined]
    except ImportError:
        return None
    places = Gazetteer.load(province).places_in(province)
    found: list[tuple[str, str, PlaceKind]] = []
    for place in places:
        kind = str(getattr(place.kind, "value", place.kind)).lower()
        if not place.city or place.city == place.name:
            continue
        if "zone" in kind:
            found.append((place.city, place.name, PlaceKind.ZONE))
        elif "county" in kind or "district" in kind:
            found.append((place.city, place.name, PlaceKind.COUNTY))
    return found or None


def _from_builtin(province: str) -> list[tuple[str, str, PlaceKind]]:
    if province != "江苏省":
        raise ValueError(f"no built-in places for {province}; the gazetteer is needed")
    found = [
        (city, name, PlaceKind.COUNTY) for city, names in _BUILTIN.items() for name in names.split()
    ]
    found += [(city, name, PlaceKind.ZONE) for city, name in _BUILTIN_ZONES.items()]
    return found


def _with_short_names(raw: list[tuple[str, str, PlaceKind]], province: str) -> list[HeadlinePlace]:
    # A name or short form used twice in the province (鼓楼区) is ambiguous on its own:
    # such places only appear with their city in front.
    counts = Counter(name for _, name, _ in raw)
    counts.update(short for _, name, _ in raw if (short := strip_suffix(name)))
    places = []
    for city, name, kind in raw:
        short = strip_suffix(name) if kind is PlaceKind.COUNTY else None
        if short and (counts[short] > 1 or counts[name] > 1):
            short = None
        places.append(HeadlinePlace(province, city, name, kind, short, counts[name] == 1))
    return places
