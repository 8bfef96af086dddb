"""Verify a built site without network: links, anchors, language counterparts, feeds,
sitemap, and that nothing loads from another host.

``check_site`` is pure: it reads the output folder and returns problems; the CLI glue
prints them. Each HTML page is parsed once (lexbor through selectolax: a full HTML5
parser, an order of magnitude faster than ``html.parser``) into a ``PageScan`` holding its
ids and references; every later question (does this link resolve, does that anchor
exist, does the page link its counterpart) is answered from those scans, and URL
resolution is cached per folder, so a site of thousands of pages is checked in seconds.
"""

from __future__ import annotations

import argparse
import html
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from generator.config import SiteConfig
from generator.errors import BulletinError

ATOM_NS = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"

# Per tag, the attributes that name a URL and whether the browser fetches it on load.
_URL_ATTRS: dict[str, tuple[tuple[str, bool], ...]] = {
    "a": (("href", False),),
    "area": (("href", False),),
    "form": (("action", False),),
    "link": (("href", False),),  # a resource or not depending on rel: _LINK_RESOURCE_RELS
    "script": (("src", True),),
    "img": (("src", True), ("srcset", True)),
    "source": (("src", True), ("srcset", True)),
    "iframe": (("src", True),),
    "video": (("src", True), ("poster", True)),
    "audio": (("src", True),),
    "track": (("src", True),),
    "embed": (("src", True),),
    "object": (("data", True),),
    "input": (("src", True),),
    "use": (("href", True), ("xlink:href", True)),
    "image": (("href", True), ("xlink:href", True)),
}
_URL_SELECTOR = ", ".join(["html", "base", "meta", *_URL_ATTRS])
# <link rel> values that make the browser fetch (or connect to) the URL.
_LINK_RESOURCE_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "apple-touch-icon",
        "mask-icon",
        "manifest",
        "preload",
        "prefetch",
        "modulepreload",
        "preconnect",
        "dns-prefetch",
        "prerender",
    }
)
# <meta property|name> values whose content is a URL of this site worth resolving.
_META_URL_KEYS = frozenset({"og:url", "og:image", "og:image:url", "twitter:image"})
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL_RE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT_RE = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_ROBOTS_SITEMAP_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


class ProblemKind(Enum):
    BROKEN_LINK = "broken link"
    OUTSIDE_BASE = "outside base path"
    MISSING_ANCHOR = "missing anchor"
    DUPLICATE_ID = "duplicate id"
    EXTERNAL_RESOURCE = "external resource"
    RELATIVE_IN_404 = "relative link in 404 page"
    MISSING_COUNTERPART = "missing counterpart"
    MISSING_LANGUAGE_LINK = "missing language link"
    WRONG_LANGUAGE = "wrong language"
    FEED_ENTRY = "feed entry"
    SITEMAP_ENTRY = "sitemap entry"
    BAD_XML = "malformed XML"


@dataclass(frozen=True)
class Problem:
    path: str  # output-relative posix path of the file the problem is in
    kind: ProblemKind
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    problems: list[Problem]
    pages: int
    feeds: int
    sitemaps: int


@dataclass(frozen=True)
class Ref:
    """One URL named by a page: by which element and attribute, and whether it loads on view."""

    tag: str
    attr: str  # the attribute holding it, or "style" for CSS in a style element or attribute
    value: str
    resource: bool
    hreflang: str | None = None


@dataclass
class PageScan:
    lang: str | None = None
    base_href: str | None = None
    ids: set[str] = field(default_factory=set)
    duplicate_ids: list[str] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """Where a URL leads: a file of the site (``path``), another host, or nowhere."""

    path: str | None = None  # output-relative file the URL resolves to
    fragment: str = ""
    external: bool = False  # another host, or this host outside the base path
    outside_base: bool = False  # a path on this host the site cannot serve
    missing: str | None = None  # the decoded site path that names no file


def scan_html(text: str) -> PageScan:
    """Parse one page (lexbor, through selectolax): its language, ids, and every URL it names.

    CSS queries pick out the few elements that matter in C, so Python touches only those;
    a group of plain tag selectors returns each element once, in document order.
    """
    tree = LexborHTMLParser(text)
    scan = PageScan()
    for node in tree.css("[id]"):
        ident = node.attributes.get("id")
        if ident:
            if ident in scan.ids:
                scan.duplicate_ids.append(ident)
            scan.ids.add(ident)
    for node in tree.css("a[name]"):  # the pre-HTML5 anchor form still scrolls
        scan.ids.add(node.attributes.get("name") or "")
    for node in tree.css(_URL_SELECTOR):
        tag, values = node.tag, node.attributes
        if tag == "html":
            scan.lang = values.get("lang")
        elif tag == "base":
            if values.get("href") and scan.base_href is None:
                scan.base_href = values["href"]
        elif tag == "meta":
            key = values.get("property") or values.get("name")
            if key in _META_URL_KEYS and values.get("content"):
                scan.refs.append(Ref(tag, "content", values["content"] or "", False))
        else:
            _add_url_refs(scan, tag or "", values)
    for node in tree.css("[style]"):
        urls = _css_urls(node.attributes.get("style") or "")
        scan.refs.extend(Ref(node.tag or "", "style", url, True) for url in urls)
    for node in tree.css("style"):
        scan.refs.extend(Ref("style", "style", url, True) for url in _css_urls(node.text()))
    return scan


def _add_url_refs(scan: PageScan, tag: str, values: dict[str, str | None]) -> None:
    for attr, resource in _URL_ATTRS.get(tag, ()):
        value = values.get(attr)
        if value is None:
            continue
        if tag == "link":
            rels = set((values.get("rel") or "").lower().split())
            resource = bool(rels & _LINK_RESOURCE_RELS)
        hreflang = values.get("hreflang")
        if attr == "srcset":
            scan.refs.extend(Ref(tag, attr, url, resource) for url in _srcset_urls(value))
        else:
            scan.refs.append(Ref(tag, attr, value, resource, hreflang))


class _Lines:
    """Line numbers for a page's problems, found in its text only when a problem needs one
    (the parser keeps no positions; problems are rare, so the file is read again lazily)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._text: str | None = None

    def of(self, needles: list[str], nth: int = 1) -> int | None:
        """The line of the ``nth`` occurrence of the first needle found in the page."""
        if self._text is None:
            self._text = _read(self.path)
        for needle in needles:
            at = -1
            for _ in range(nth):
                at = self._text.find(needle, at + 1)
                if at < 0:
                    break
            if at >= 0:
                return self._text.count("\n", 0, at) + 1
        return None

    def of_ref(self, ref: Ref, nth: int) -> int | None:
        written = {ref.value, html.escape(ref.value, quote=True), ref.value.replace("&", "&amp;")}
        needles = [f'{ref.attr}="{v}"' for v in written] + [f"{ref.attr}='{v}'" for v in written]
        return self.of([*needles, *written], nth)


def _srcset_urls(srcset: str) -> list[str]:
    """The URLs of a srcset: candidates separated by commas, each a URL and descriptors."""
    urls = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def _css_urls(css: str) -> list[str]:
    css = _CSS_COMMENT_RE.sub("", css)
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL_RE.finditer(css)]
    found += [m.group(1) or m.group(2) for m in _CSS_IMPORT_RE.finditer(css)]
    return [url.strip() for url in found if url.strip()]


class _Site:
    """The built files and how URLs of the configured base map onto them."""

    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self.files = _inventory(site_dir)
        self.base_url = config.base_url
        base = urlsplit(config.base_url)
        self.scheme = base.scheme.lower()
        self.host = base.netloc.lower()
        self.base_path = config.base_path
        self._cache: dict[tuple[str, str], Target] = {}

    def url_of(self, rel: str) -> str:
        return self.base_url + quote(rel)

    def resolve(self, value: str, doc_url: str) -> Target | None:
        """Where ``value`` leads from the document at ``doc_url``; None when no HTTP URL.

        Cached by what the result depends on: an absolute value (``/x``, ``https:``) only on
        itself, a relative path on the document's folder, so site-wide navigation and
        sibling links are resolved once per site or folder rather than once per page.
        """
        if value.startswith("/") or _SCHEME_RE.match(value):
            key = ("", value)
        elif value.startswith(("#", "?")) or not value:
            key = (doc_url, value)
        else:
            key = (doc_url[: doc_url.rfind("/") + 1], value)
        cached = self._cache.get(key)
        if cached is None and key not in self._cache:
            cached = self._cache[key] = self._resolve(value, key[0] or self.base_url)
        return cached

    def _resolve(self, value: str, doc_url: str) -> Target | None:
        absolute = urljoin(doc_url, value)
        parts = urlsplit(absolute)
        if parts.scheme.lower() not in ("http", "https"):
            return None  # mailto:, tel:, data:, javascript:
        if parts.netloc.lower() != self.host:
            return Target(external=True)
        if not parts.path.startswith(self.base_path):
            names_host = bool(urlsplit(value).netloc)
            return Target(external=True) if names_host else Target(outside_base=True)
        site_path = unquote(parts.path[len(self.base_path) :])
        fragment = unquote(parts.fragment)
        found = self.locate(site_path)
        if found is None:
            return Target(missing="/" + site_path, fragment=fragment)
        return Target(path=found, fragment=fragment)

    def locate(self, site_path: str) -> str | None:
        """The file a server returns for a path: directories serve their index.html."""
        if site_path == "" or site_path.endswith("/"):
            candidate = site_path + "index.html"
            return candidate if candidate in self.files else None
        if site_path in self.files:
            return site_path
        if site_path + "/index.html" in self.files:
            return site_path + "/index.html"
        return None

    def site_url_target(self, url: str) -> Target:
        """A full URL listed by a feed or sitemap: it must be a file of this site."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or parts.netloc.lower() != self.host:
            return Target(external=True)
        if not parts.path.startswith(self.base_path):
            return Target(outside_base=True)
        return self.resolve(url, self.base_url) or Target(external=True)


def _inventory(site_dir: Path) -> set[str]:
    files: set[str] = set()
    for folder, _dirs, names in os.walk(site_dir):
        rel_folder = os.path.relpath(folder, site_dir).replace(os.sep, "/")
        prefix = "" if rel_folder == "." else rel_folder + "/"
        files.update(prefix + name for name in names)
    return files


def check_site(site_dir: Path, config: SiteConfig) -> list[Problem]:
    """Every problem in the built site at ``site_dir``, sorted by file and line."""
    return check_site_report(site_dir, config).problems


def check_site_report(site_dir: Path, config: SiteConfig) -> CheckReport:
    site = _Site(site_dir, config)
    pages = {
        rel: scan_html(_read(site_dir / rel)) for rel in sorted(site.files) if rel.endswith(".html")
    }
    languages = _languages(config)
    problems: list[Problem] = []
    for rel, scan in pages.items():
        lines = _Lines(site_dir / rel)
        linked: set[str] = set()
        problems.extend(_page_problems(rel, scan, site, pages, linked, lines))
        problems.extend(_language_problems(rel, scan, pages, linked, languages, lines))
    for rel in sorted(f for f in site.files if f.endswith(".css")):
        problems.extend(_stylesheet_problems(rel, _read(site_dir / rel), site))
    feeds = sitemaps = 0
    for rel in sorted(f for f in site.files if f.endswith(".xml")):
        found, kind = _xml_problems(rel, site_dir / rel, site)
        problems.extend(found)
        feeds += kind == "feed"
        sitemaps += kind == "sitemap"
    if "robots.txt" in site.files:
        problems.extend(_robots_problems(_read(site_dir / "robots.txt"), site))
    problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return CheckReport(problems, len(pages), feeds, sitemaps)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")  # a bad byte is vnu's to report


def _page_problems(
    rel: str,
    scan: PageScan,
    site: _Site,
    pages: dict[str, PageScan],
    linked: set[str],
    lines: _Lines,
) -> Iterator[Problem]:
    """Links, anchors and resources of one page; fills ``linked`` with the pages it reaches."""
    doc_url = site.url_of(rel)
    if scan.base_href:
        doc_url = urljoin(doc_url, scan.base_href)
    is_404 = posixpath.basename(rel) == "404.html"
    for ident in scan.duplicate_ids:
        line = lines.of([f'id="{ident}"', f"id='{ident}'", f"id={ident}"], nth=2)
        yield Problem(rel, ProblemKind.DUPLICATE_ID, f"id '{ident}' is used twice", line)
    seen: dict[tuple[str, str], int] = {}
    for ref in scan.refs:
        nth = seen[ref.attr, ref.value] = seen.get((ref.attr, ref.value), 0) + 1
        value = ref.value.strip()
        if not value:
            continue
        if value[0] == "#" and not scan.base_href:
            target: Target | None = Target(path=rel, fragment=unquote(value[1:]))
        else:
            target = site.resolve(value, doc_url)
        for kind, message in _ref_problems(ref, value, target, site, pages, is_404):
            yield Problem(rel, kind, message, lines.of_ref(ref, nth))
        if target is not None and target.path is not None:
            linked.add(target.path)


def _ref_problems(
    ref: Ref,
    value: str,
    target: Target | None,
    site: _Site,
    pages: dict[str, PageScan],
    is_404: bool,
) -> Iterator[tuple[ProblemKind, str]]:
    if target is None:
        return
    if target.external:
        if ref.resource:
            yield (
                ProblemKind.EXTERNAL_RESOURCE,
                f"<{ref.tag}> loads {value} from another host (the site must work offline)",
            )
        return
    if is_404 and _is_relative(value):
        yield (
            ProblemKind.RELATIVE_IN_404,
            f"relative URL {value} breaks when the 404 page is served for a missing URL",
        )
    if target.outside_base:
        yield ProblemKind.OUTSIDE_BASE, f"{value} is outside the base path {site.base_path}"
    elif target.path is None:
        yield ProblemKind.BROKEN_LINK, f"{value} → no file for {target.missing}"
    else:
        yield from _target_problems(ref, value, target, pages)


def _target_problems(
    ref: Ref, value: str, target: Target, pages: dict[str, PageScan]
) -> Iterator[tuple[ProblemKind, str]]:
    """The anchor and declared language of a resolved link, when it leads to a page."""
    page = pages.get(target.path or "")
    if page is None:
        return
    if target.fragment and target.fragment.lower() != "top" and target.fragment not in page.ids:
        yield ProblemKind.MISSING_ANCHOR, f"{value} → no id '{target.fragment}' in {target.path}"
    hreflang = (ref.hreflang or "x-default").lower()
    if hreflang != "x-default" and page.lang is not None and hreflang != page.lang.lower():
        yield (
            ProblemKind.WRONG_LANGUAGE,
            f"{value} is marked hreflang={ref.hreflang} but {target.path} is lang={page.lang}",
        )


def _is_relative(value: str) -> bool:
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc and not value.startswith(("/", "#"))


def _language_problems(
    rel: str,
    scan: PageScan,
    pages: dict[str, PageScan],
    linked: set[str],
    languages: list[tuple[str, str]],
    lines: _Lines,
) -> Iterator[Problem]:
    """The page says its language, exists in every other one, and links each counterpart."""
    prefix, code = _language_of(rel, languages)
    if scan.lang is None or scan.lang.lower() != code.lower():
        yield Problem(
            rel,
            ProblemKind.WRONG_LANGUAGE,
            f"<html lang={scan.lang or '(none)'}> but this is the {code} site",
            lines.of(["<html", "<HTML"]),
        )
    plain = rel[len(prefix) :]
    for other_prefix, other_code in languages:
        counterpart = other_prefix + plain
        if other_prefix == prefix:
            continue
        if counterpart not in pages:
            yield Problem(
                rel,
                ProblemKind.MISSING_COUNTERPART,
                f"no {other_code} counterpart: {counterpart} is missing",
            )
        elif counterpart not in linked:
            yield Problem(
                rel,
                ProblemKind.MISSING_LANGUAGE_LINK,
                f"does not link to its {other_code} counterpart {counterpart}",
            )


def _languages(config: SiteConfig) -> list[tuple[str, str]]:
    """(path prefix, language code) of the default site first, then of each variant."""
    return [("", config.default_language)] + [
        (variant.prefix + "/", variant.code) for variant in config.variants
    ]


def _language_of(rel: str, languages: list[tuple[str, str]]) -> tuple[str, str]:
    for prefix, code in languages[1:]:
        if rel.startswith(prefix):
            return prefix, code
    return languages[0]


def _stylesheet_problems(rel: str, css: str, site: _Site) -> Iterator[Problem]:
    """Fonts, images and imports named by a stylesheet: present, and none from elsewhere."""
    doc_url = site.url_of(rel)
    for value in _css_urls(css):
        if value.startswith("#"):
            continue  # an SVG reference into the page using the style
        target = site.resolve(value, doc_url)
        if target is None:
            continue
        if target.external:
            yield Problem(
                rel,
                ProblemKind.EXTERNAL_RESOURCE,
                f"stylesheet loads {value} from another host (the site must work offline)",
                None,
            )
        elif target.outside_base:
            yield Problem(
                rel, ProblemKind.OUTSIDE_BASE, f"{value} is outside {site.base_path}", None
            )
        elif target.path is None:
            yield Problem(
                rel, ProblemKind.BROKEN_LINK, f"{value} → no file for {target.missing}", None
            )


def _xml_problems(rel: str, path: Path, site: _Site) -> tuple[list[Problem], str]:
    """Problems of a feed or sitemap, and which of the two it is ("" for other XML)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        line = error.position[0] if error.position else None
        return [Problem(rel, ProblemKind.BAD_XML, f"cannot parse: {error}", line)], ""
    if root.tag == ATOM_NS + "feed":
        return list(_feed_problems(rel, root, site)), "feed"
    if root.tag in (SITEMAP_NS + "urlset", SITEMAP_NS + "sitemapindex"):
        return list(_sitemap_problems(rel, root, site)), "sitemap"
    return [], ""


def _feed_problems(rel: str, root: ET.Element, site: _Site) -> Iterator[Problem]:
    feed_url = site.url_of(rel)
    listed = [link.get("href", "") for link in root.iter(ATOM_NS + "link")]
    listed += [(el.text or "").strip() for el in root.iter(ATOM_NS + "icon")]
    listed += [(el.text or "").strip() for el in root.iter(ATOM_NS + "logo")]
    for value in listed:
        problem = _listed_url_problem(urljoin(feed_url, value.strip()), site)
        if problem:
            yield Problem(rel, ProblemKind.FEED_ENTRY, problem, None)
    # A person's uri may be any home page; only one on this site must exist.
    for el in root.iter(ATOM_NS + "uri"):
        target = site.site_url_target(urljoin(feed_url, (el.text or "").strip()))
        if not target.external and not target.outside_base and target.path is None:
            yield Problem(
                rel, ProblemKind.FEED_ENTRY, f"{el.text} → no file for {target.missing}", None
            )


def _sitemap_problems(rel: str, root: ET.Element, site: _Site) -> Iterator[Problem]:
    listed = [(el.text or "").strip() for el in root.iter(SITEMAP_NS + "loc")]
    listed += [link.get("href", "") for link in root.iter(XHTML_NS + "link")]
    for value in listed:
        if not urlsplit(value).scheme:
            yield Problem(rel, ProblemKind.SITEMAP_ENTRY, f"{value} is not a full URL", None)
            continue
        problem = _listed_url_problem(value, site)
        if problem:
            yield Problem(rel, ProblemKind.SITEMAP_ENTRY, problem, None)


def _robots_problems(text: str, site: _Site) -> Iterator[Problem]:
    for match in _ROBOTS_SITEMAP_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problem = _listed_url_problem(match.group(1), site)
        if problem:
            yield Problem("robots.txt", ProblemKind.SITEMAP_ENTRY, problem, line)


def _listed_url_problem(url: str, site: _Site) -> str | None:
    """Why a URL listed in a feed, sitemap or robots.txt is not a file of this site."""
    target = site.site_url_target(url)
    if target.external or target.outside_base:
        return f"{url} is not under the site's base_url {site.base_url}"
    if target.path is None:
        return f"{url} → no file for {target.missing}"
    return None


def format_summary(report: CheckReport, site_dir: Path) -> str:
    checked = (
        f"{_plural(report.pages, 'page')}, {_plural(report.feeds, 'feed')},"
        f" {_plural(report.sitemaps, 'sitemap')} in {site_dir}"
    )
    if not report.problems:
        return f"bulletin check: no problems ({checked})"
    count = len(report.problems)
    files = len({problem.path for problem in report.problems})
    return f"bulletin check: {_plural(count, 'problem')} in {_plural(files, 'file')} ({checked})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def run_check_command(args: argparse.Namespace, config: SiteConfig) -> int:
    site_dir = Path(args.site_dir) if getattr(args, "site_dir", None) else config.output_dir
    if not site_dir.is_dir():
        raise BulletinError("no built site here: run `bulletin build` first", site_dir)
    report = check_site_report(site_dir, config)
    for problem in report.problems:
        print(problem)
    print(format_summary(report, site_dir))
    return 1 if report.problems else 0
