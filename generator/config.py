"""site.yaml → typed, validated settings. Every problem is collected, each naming its key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import BulletinError

OPENCC_CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk")
# What a variant's URL prefix may be (serve looks for a variant's 404 page by it too).
PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Folders at the root of the default language's output: a variant's folder must not be one.
_RESERVED_PREFIXES = ("authors", "bulletins", "pagefind", "regions", "search", "static")


@dataclass(frozen=True)
class Variant:
    """A Traditional Chinese mirror of the site, published under its own URL prefix."""

    code: str  # BCP 47 tag for <html lang>, e.g. zh-Hant, zh-TW
    prefix: str  # URL path segment, e.g. "zh-hant"
    opencc: str  # OpenCC config name without ".json"
    corner_quotes: bool = False  # “” → 「」, ‘’ → 『』
    overrides: dict[str, str] = field(default_factory=dict)  # phrase → its form in this variant


@dataclass(frozen=True)
class SiteConfig:
    root: Path  # folder holding site.yaml; relative paths below resolve against it
    title: str
    description: str
    base_url: str  # always ends with "/"
    province: str  # home province: decides gazetteer collisions such as 鼓楼区
    output_dir: Path
    content_dir: Path
    seeds_dir: Path
    theme_dir: Path
    default_language: str = "zh-Hans"
    variants: tuple[Variant, ...] = ()
    overrides: dict[str, str] = field(default_factory=dict)  # applied to every variant
    page_size: int = 20
    home_bulletins: int = 5
    markdown_html: bool = False  # raw HTML in Markdown is escaped unless this is on
    search: bool = True
    search_shard_pages: int = 1000  # about how many article pages one Pagefind run indexes

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, e.g. "/" or "/news/"."""
        after_scheme = self.base_url.split("://", 1)[-1]
        slash = after_scheme.find("/")
        return after_scheme[slash:] if slash >= 0 else "/"


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "base_url": str,
    "province": str,
    "output_dir": str,
    "content_dir": str,
    "seeds_dir": str,
    "theme": str,
    "default_language": str,
    "variants": list,
    "overrides": dict,
    "page_size": int,
    "home_bulletins": int,
    "markdown_html": bool,
    "search": bool,
    "search_shard_pages": int,
}
_REQUIRED = ("title", "base_url", "province")
_VARIANT_FIELDS = {
    "code": str,
    "prefix": str,
    "opencc": str,
    "corner_quotes": bool,
    "overrides": dict,
}


def load_config(path: Path | str = "site.yaml") -> SiteConfig:
    """Read and validate site.yaml; raise one BulletinError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BulletinError("site.yaml not found", path) from None
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BulletinError(
            f"invalid YAML: {getattr(error, 'problem', error)}", path, line
        ) from None
    if not isinstance(raw, dict):
        raise BulletinError("expected a mapping of settings", path)
    return parse_config(raw, path)


def parse_config(raw: dict[str, Any], path: Path) -> SiteConfig:
    problems: list[str] = []
    for key in raw:
        if key not in _FIELDS:
            problems.append(f"unknown key '{key}'")
    for key in _REQUIRED:
        if key not in raw:
            problems.append(f"missing key '{key}'")
    for key, expected in _FIELDS.items():
        if key in raw and not _is_type(raw[key], expected):
            problems.append(f"'{key}' must be {_type_name(expected)}")
    variants = _parse_variants(raw.get("variants", []), problems)
    if isinstance(raw.get("page_size"), int) and raw["page_size"] < 1:
        problems.append("'page_size' must be at least 1")
    if isinstance(raw.get("search_shard_pages"), int) and raw["search_shard_pages"] < 1:
        problems.append("'search_shard_pages' must be at least 1")
    if problems:
        raise BulletinError("; ".join(problems), path)

    root = path.resolve().parent
    base_url = raw["base_url"] if raw["base_url"].endswith("/") else raw["base_url"] + "/"
    return SiteConfig(
        root=root,
        title=raw["title"],
        description=raw.get("description", ""),
        base_url=base_url,
        province=raw["province"],
        output_dir=root / raw.get("output_dir", "_site"),
        content_dir=root / raw.get("content_dir", "content"),
        seeds_dir=root / raw.get("seeds_dir", "seeds"),
        theme_dir=root / raw.get("theme", "themes/default"),
        default_language=raw.get("default_language", "zh-Hans"),
        variants=variants,
        overrides={str(k): str(v) for k, v in raw.get("overrides", {}).items()},
        page_size=raw.get("page_size", 20),
        home_bulletins=raw.get("home_bulletins", 5),
        markdown_html=raw.get("markdown_html", False),
        search=raw.get("search", True),
        search_shard_pages=raw.get("search_shard_pages", 1000),
    )


def _parse_variants(raw_variants: Any, problems: list[str]) -> tuple[Variant, ...]:
    if not isinstance(raw_variants, list):
        return ()
    variants: list[Variant] = []
    seen_prefixes: set[str] = set()
    for index, item in enumerate(raw_variants):
        where = f"variants[{index}]"
        if not isinstance(item, dict):
            problems.append(f"'{where}' must be a mapping")
            continue
        before = len(problems)
        for key in item:
            if key not in _VARIANT_FIELDS:
                problems.append(f"unknown key '{where}.{key}'")
        for key in ("code", "prefix", "opencc"):
            if key not in item:
                problems.append(f"missing key '{where}.{key}'")
        for key, expected in _VARIANT_FIELDS.items():
            if key in item and not _is_type(item[key], expected):
                problems.append(f"'{where}.{key}' must be {_type_name(expected)}")
        if isinstance(item.get("opencc"), str) and item["opencc"] not in OPENCC_CONFIGS:
            problems.append(f"'{where}.opencc' must be one of {', '.join(OPENCC_CONFIGS)}")
        prefix = item.get("prefix")
        if isinstance(prefix, str):
            if not PREFIX_RE.match(prefix):
                problems.append(f"'{where}.prefix' must be lower-case ASCII letters, digits, '-'")
            elif prefix in _RESERVED_PREFIXES:
                problems.append(
                    f"'{where}.prefix' '{prefix}' is a folder of the site itself; not one of"
                    f" {', '.join(_RESERVED_PREFIXES)}"
                )
            elif prefix in seen_prefixes:
                problems.append(f"'{where}.prefix' '{prefix}' is used twice")
            seen_prefixes.add(prefix)
        if len(problems) == before:
            variants.append(
                Variant(
                    code=item["code"],
                    prefix=item["prefix"],
                    opencc=item["opencc"],
                    corner_quotes=item.get("corner_quotes", False),
                    overrides={str(k): str(v) for k, v in item.get("overrides", {}).items()},
                )
            )
    return tuple(variants)


def _is_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    if expected is int and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "a whole number",
        bool: "true or false",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(expected, str(expected))  # type: ignore[arg-type]
