"""Place names at the start of a headline → regions, through the shipped gazetteer.

The data (generator/data/gazetteer.tsv, see its README) is read lazily, once per process;
each home province gets its own lookup tables, also built once.

Matching rules, ``home`` being the site's province (site.yaml ``province``):

- Full names (江宁区, 兴化市, 南京市, 江苏省, 江北新区) match for all of China.
- Short names (江宁, 兴化, 南京) match only for places in the home province, so that ordinary
  words elsewhere in China's place list do not turn lines into headlines. Provinces' short
  names (江苏, 浙江) and every name of a functional zone (淮海国际港务区, 徐州经开区) match for
  all of China: they are distinctive.
- Full names that read as common words need their city in front (阳泉城区, 西安市新城区): a
  district named one character plus 区 (城区, 郊区, 矿区) always; one named only with position
  words (新城区, 城关区, 河东区, 市中区) outside the home province.
- Qualified names: a province or city, by full or short name and in any province, followed
  directly by one of its own cities, counties or zones (full or short name, or a zone's local
  name such as 经开区): 盐城亭湖, 盐城市亭湖区, 江苏南京, 南京江北新区, 徐州淮海国际港务区,
  江苏省南京市江宁区.
- The longest match wins. Among equally long matches: the home province first, then full
  names before short ones, then the larger unit (province, city, county, zone: 淮安 is the
  city rather than its 淮安区). If what remains names more than one region, the match is
  ambiguous: ``region`` and ``place`` are None and ``candidates`` lists the regions (鼓楼区 in
  江苏 is in 南京 and in 徐州).

Regions: a county is (province, city, county); a city alone (province, city, None); a zone
(province, city, zone). A municipality is its own city (北京市 朝阳区 → 北京市, 北京市, 朝阳区).
A county-level unit directly under its province (仙桃市, 神农架林区, 石河子市) stands in the city
slot, like a city without counties (东莞市): (湖北省, 仙桃市, None).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum
from importlib import resources

from generator.collector import collector_paused
from generator.content import Region
from generator.errors import BulletinError

GAZETTEER_FILE = "data/gazetteer.tsv"

# Districts named only with these read as ordinary words (新城区, 城关区, 市中区, 河东区).
_POSITION_CHARACTERS = frozenset("东西南北中上下前后内外新老城关郊矿河市区")
_OTHER_PROVINCE = 100  # rank penalties: lower ranks win among equally long matches
_SHORT_NAME = 10


class PlaceKind(Enum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    ZONE = "zone"


_KINDS = {kind.value: kind for kind in PlaceKind}  # a dict lookup is 5x cheaper than PlaceKind()
_KIND_ORDER = {PlaceKind.PROVINCE: 0, PlaceKind.CITY: 1, PlaceKind.COUNTY: 2, PlaceKind.ZONE: 3}


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # official full name: 亭湖区, 兴化市, 江北新区
    kind: PlaceKind
    province: str  # full name of the provincial unit (itself for a province)
    city: str | None  # prefecture-level city; itself for a city or municipality; None if none
    adcode: str | None  # 6 digits; a zone's statistical code (xxxx7x), or None
    lat: float | None
    lon: float | None
    short_names: tuple[str, ...] = ()  # names that may stand alone: 亭湖, 徐州经开区
    local_names: tuple[str, ...] = ()  # zones: names that count only after the city: 经开区


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    text: str  # the exact prefix of the input that names the place: 盐城亭湖, 涟水县
    region: Region | None  # None when ambiguous
    place: Place | None  # the most specific place matched; None when ambiguous
    candidates: tuple[Region, ...]  # (region,) when unique; more than one when ambiguous


@functools.cache
def _read_places() -> tuple[Place, ...]:
    text = resources.files("generator").joinpath(GAZETTEER_FILE).read_text(encoding="utf-8")
    with collector_paused():
        return _parse_places(text)


def _parse_places(text: str) -> tuple[Place, ...]:
    places = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, adcode, name, province, city, lat, lon, shorts, locals_ = line.split("\t")
        places.append(
            Place(
                name=name,
                kind=_KINDS[kind],
                province=province,
                city=city or None,
                adcode=adcode or None,
                lat=float(lat) if lat else None,
                lon=float(lon) if lon else None,
                short_names=tuple(shorts.split(",")) if shorts else (),
                local_names=tuple(locals_.split(",")) if locals_ else (),
            )
        )
    return tuple(places)


# Lookup table entries are (rank, index into the places tuple).


@dataclass(frozen=True)
class _Index:
    """Province-independent tables: each parent's children by name, and every name."""

    places: tuple[Place, ...]
    regions: tuple[Region, ...]  # region_of(places[i]), made once
    children: dict[tuple[int, str], list[tuple[int, int]]]  # (parent index, name) → entries
    child_lengths: dict[tuple[int, str], tuple[int, ...]]  # (parent, first two chars) → lengths
    parents: frozenset[int]  # indexes of places that have children
    by_name: dict[str, list[int]]  # full and short names → place indexes
    provinces: dict[str, str]  # full or short province name → full name
    cities: frozenset[int]  # indexes of prefecture-level cities


@functools.cache
def _index() -> _Index:
    places = _read_places()
    with collector_paused():
        return _build_index(places)


def _build_index(places: tuple[Place, ...]) -> _Index:
    provinces: dict[str, str] = {}
    city_parent: dict[tuple[str, str], int] = {}  # (province, city name) → city-like parent
    province_parent: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for i, place in enumerate(places):
        for name in (place.name, *place.short_names):
            by_name.setdefault(name, []).append(i)
        if place.kind is PlaceKind.PROVINCE:
            provinces.update(dict.fromkeys((place.name, *place.short_names), place.name))
            province_parent[place.name] = i
            if place.city:  # a municipality is its own city
                city_parent[(place.province, place.city)] = i
        elif place.kind is PlaceKind.CITY:
            city_parent[(place.province, place.name)] = i

    children: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for i, place in enumerate(places):
        if place.kind is PlaceKind.PROVINCE:
            continue
        kind_rank = _KIND_ORDER[place.kind]
        short_rank = kind_rank + _SHORT_NAME
        named = [(place.name, kind_rank), *((name, short_rank) for name in place.short_names)]
        province = province_parent[place.province]
        city = city_parent.get((place.province, place.city or ""))
        parents = [province]
        if place.kind is not PlaceKind.CITY and city is not None and city != province:
            parents.append(city)
        if place.local_names and city is not None:  # zones: only right after their city
            for name in place.local_names:
                children.setdefault((city, name), []).append((short_rank, i))
        for parent in parents:
            for name, rank in named:
                children.setdefault((parent, name), []).append((rank, i))
    lengths: dict[tuple[int, str], set[int]] = {}
    for (parent, name), entries in children.items():
        if len(entries) > 1:
            entries.sort()
        lengths.setdefault((parent, name[:2]), set()).add(len(name))
    child_lengths = {key: tuple(sorted(sizes, reverse=True)) for key, sizes in lengths.items()}
    parents_with_children = frozenset(parent for parent, _ in children)
    regions = tuple(region_of(place) for place in places)
    cities = frozenset(i for i, place in enumerate(places) if place.kind is PlaceKind.CITY)
    return _Index(
        places,
        regions,
        children,
        child_lengths,
        parents_with_children,
        by_name,
        provinces,
        cities,
    )


def _lengths_by_prefix(names: dict[str, object]) -> dict[str, tuple[int, ...]]:
    """First two characters → lengths of the names starting so, longest first: the only
    prefixes of a text worth looking up (every name has at least two characters)."""
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[:2], set()).add(len(name))
    return {start: tuple(sorted(sizes, reverse=True)) for start, sizes in lengths.items()}


def _full_name_alone(place: Place, home: bool) -> bool:
    """Whether a full name may match without its city: not 城区, 郊区, 矿区 (one character plus
    区), and not 新城区, 市中区 (position words only) outside the home province."""
    if place.kind is not PlaceKind.COUNTY or not place.name.endswith("区"):
        return True
    stem = place.name[:-1]
    if len(stem) < 2:
        return False
    return home or not set(stem) <= _POSITION_CHARACTERS


class Gazetteer:
    """Place lookup scoped to a home province. Get one with ``Gazetteer.load(province)``."""

    def __init__(self, index: _Index, home_province: str):
        self.province = home_province
        self._index = index
        # head name → (rank, place index, stands alone); heads that do not stand alone are
        # other provinces' city short names, which only count when a child follows (杭州西湖).
        heads: dict[str, list[tuple[int, int, bool]]] = {}
        for i, place in enumerate(index.places):
            home = place.province == home_province
            rank = _KIND_ORDER[place.kind] + (0 if home else _OTHER_PROVINCE)
            has_children = i in index.parents
            full_alone = _full_name_alone(place, home)
            short_alone = home or place.kind in (PlaceKind.PROVINCE, PlaceKind.ZONE)
            if full_alone or has_children:
                heads.setdefault(place.name, []).append((rank, i, full_alone))
            if short_alone or has_children:
                for name in place.short_names:
                    heads.setdefault(name, []).append((rank + _SHORT_NAME, i, short_alone))
        for entries in heads.values():
            if len(entries) > 1:
                entries.sort()
        self._heads = heads
        self._penalties = tuple(
            0 if place.province == home_province else _OTHER_PROVINCE for place in index.places
        )
        self._head_lengths = _lengths_by_prefix(heads)
        self._all_names = frozenset(
            name
            for place in index.places
            if place.province == home_province
            for name in (place.name, *place.short_names)
        )

    @classmethod
    def from_places(cls, places: tuple[Place, ...], home_province: str) -> Gazetteer:
        """A gazetteer over given places instead of the shipped data (for tests)."""
        return cls(_build_index(places), home_province)

    @classmethod
    def load(cls, home_province: str) -> Gazetteer:
        """The gazetteer for a home province given by full (江苏省) or short (江苏) name;
        built once per province and process. Unknown provinces raise BulletinError."""
        return _gazetteer(_province_name(home_province, _index()))

    def match_start(self, text: str) -> PlaceMatch | None:
        """The longest place name at the very start of text, or None."""
        lengths = self._head_lengths.get(text[:2])
        if lengths is None:
            return None
        found: list[tuple[int, int, int]] = []  # (length, rank, place index)
        size = len(text)
        heads = self._heads
        parents = self._index.parents
        for length in lengths:
            if length > size:
                continue
            entries = heads.get(text[:length])
            if entries is None:
                continue
            for rank, i, alone in entries:
                if alone:
                    found.append((length, rank, i))
                if i in parents:
                    self._extend(text, length, i, found)
        if not found:
            return None
        return self._decide(text, found)

    def _extend(self, text: str, start: int, parent: int, found: list) -> None:
        """Add matches of parent's children right after text[:start] (and a city's children
        after a province's city)."""
        lengths = self._index.child_lengths.get((parent, text[start : start + 2]))
        if lengths is None:
            return
        table = self._index.children
        penalties = self._penalties
        cities = self._index.cities
        room = len(text) - start
        for length in lengths:
            if length > room:
                continue
            entries = table.get((parent, text[start : start + length]))
            if entries is None:
                continue
            end = start + length
            for rank, i in entries:
                found.append((end, rank + penalties[i], i))
                if i in cities:
                    self._extend(text, end, i, found)

    def _decide(self, text: str, found: list[tuple[int, int, int]]) -> PlaceMatch:
        """Longest first, then lowest rank; several regions left make the match ambiguous."""
        best_length, best_rank, _ = found[0]
        winners: list[int] = []
        for length, rank, i in found:
            if length > best_length or (length == best_length and rank < best_rank):
                best_length, best_rank, winners = length, rank, [i]
            elif length == best_length and rank == best_rank:
                winners.append(i)
        regions = self._index.regions
        if len(winners) == 1:
            region = regions[winners[0]]
            return PlaceMatch(text[:best_length], region, self._index.places[winners[0]], (region,))
        candidates = tuple(dict.fromkeys(regions[i] for i in winners))
        if len(candidates) == 1:
            place = self._index.places[winners[0]]
            return PlaceMatch(text[:best_length], candidates[0], place, candidates)
        return PlaceMatch(text[:best_length], None, None, candidates)

    def find(self, name: str) -> list[Place]:
        """Places whose full or short name is exactly name, home province first."""
        places = [self._index.places[i] for i in self._index.by_name.get(name, ())]
        return sorted(
            places, key=lambda p: (p.province != self.province, _KIND_ORDER[p.kind], p.adcode or "")
        )

    def region_of(self, place: Place) -> Region:
        return region_of(place)

    def all_names(self) -> frozenset[str]:
        """Every full and short name of the home province's places (itself, its cities,
        counties and zones), e.g. to keep proper names out of Simplified → Traditional."""
        return self._all_names

    def places_in(self, province: str) -> list[Place]:
        """Every place of a province (full or short name), in gazetteer order."""
        full = _province_name(province, self._index)
        return [place for place in self._index.places if place.province == full]


def region_of(place: Place) -> Region:
    """The region a place names; see the module docstring for the shape of each kind."""
    if place.kind is PlaceKind.PROVINCE:
        return Region(place.province, place.city, None)
    if place.kind is PlaceKind.CITY:
        return Region(place.province, place.name, None)
    if place.city is None:  # a county-level unit directly under its province
        return Region(place.province, place.name, None)
    return Region(place.province, place.city, place.name)


def _province_name(name: str, index: _Index) -> str:
    provinces = index.provinces
    if name not in provinces:
        known = "、".join(sorted(set(provinces.values())))
        raise BulletinError(f"unknown province '{name}' (expected one of {known})")
    return provinces[name]


@functools.cache
def _gazetteer(province: str) -> Gazetteer:
    index = _index()
    with collector_paused():
        return Gazetteer(index, province)
