"""Validate the real seed site, built once per session with the real CLI: `bulletin check`,
the Nu Html Checker on every page type in every language, feedparser on every Atom feed,
and the sitemaps.org schema on the sitemap. Validators run offline; none is skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from test_validation_schemas import load_sitemap_schema

from generator.config import SiteConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PROJECT_FILES = ("site.yaml", "content", "seeds", "themes")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class BuiltSite:
    project: Path
    config: SiteConfig

    @property
    def output(self) -> Path:
        return self.config.output_dir

    @property
    def prefixes(self) -> list[str]:
        """The path prefix of each language: "" for the default, then "zh-hant/" etc."""
        return [""] + [variant.prefix + "/" for variant in self.config.variants]


def run_cli(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--config", str(project / "site.yaml"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def build_seed_site(project: Path, base_url: str | None = None) -> BuiltSite:
    """Copy the project's sources into ``project`` and build them with the real CLI."""
    project.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        elif source.exists():
            shutil.copy2(source, project / name)
    if base_url is not None:
        site_yaml = project / "site.yaml"
        lines = site_yaml.read_text(encoding="utf-8").splitlines()
        lines = [f"base_url: {base_url}" if ln.startswith("base_url:") else ln for ln in lines]
        site_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(project, "build", "--no-search")
    assert result.returncode == 0, (
        f"`bulletin build` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    config = load_config(project / "site.yaml")
    assert (config.output_dir / "index.html").is_file(), "the build wrote no index.html"
    return BuiltSite(project, config)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_seed_site(tmp_path_factory.mktemp("seed-site"))


def site_file_of(url: str, site: BuiltSite) -> Path:
    """The output file a full URL of the site is served from (directories: index.html)."""
    assert url.startswith(site.config.base_url), f"{url} is not under {site.config.base_url}"
    rel = unquote(url[len(site.config.base_url) :].split("#", 1)[0].split("?", 1)[0])
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return site.output / rel


def first_page(folder: Path, depth: int) -> Path | None:
    """The first index.html ``depth`` folders below ``folder``, skipping pagination."""
    pattern = "/".join(["*"] * depth) + "/index.html"
    for page in sorted(folder.glob(pattern)):
        if "page" not in page.relative_to(folder).parts[:-1]:
            return page
    return None


def pages_by_type(output: Path, prefix: str) -> dict[str, Path | None]:
    """One page of each type in the language under ``prefix``, found by the URL scheme."""
    root = output / prefix if prefix else output
    county = first_page(root / "regions", 2)
    return {
        "home": root / "index.html",
        "archive": root / "bulletins" / "index.html",
        "bulletin": first_page(root / "bulletins", 1),
        "article": first_page(root / "bulletins", 2),
        "regions index": root / "regions" / "index.html",
        "city": county.parent.parent / "index.html" if county else first_page(root / "regions", 1),
        "county": county,
        "authors index": root / "authors" / "index.html",
        "author": first_page(root / "authors", 1),
        "search": root / "search" / "index.html",
        "404": root / "404.html",
    }


def sample_pages(site: BuiltSite) -> list[Path]:
    missing: list[str] = []
    pages: list[Path] = []
    for prefix in site.prefixes:
        for page_type, page in pages_by_type(site.output, prefix).items():
            if page is None or not page.is_file():
                missing.append(f"{prefix or '/'} {page_type}: {page or 'none found'}")
            else:
                pages.append(page)
    assert not missing, "page types missing from the build:\n" + "\n".join(missing)
    return pages


def test_bulletin_check_passes_on_the_seed_site(seed_site: BuiltSite) -> None:
    result = run_cli(seed_site.project, "check")
    assert result.returncode == 0, f"`bulletin check` found problems:\n{result.stdout}"
    assert "no problems" in result.stdout
    assert result.stderr == ""


def test_bulletin_check_passes_on_a_site_served_from_a_subpath(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    site = build_seed_site(tmp_path_factory.mktemp("subpath-site"), "https://example.org/news/")
    result = run_cli(site.project, "check")
    assert result.returncode == 0, f"`bulletin check` under /news/ found:\n{result.stdout}"
    home = (site.output / "index.html").read_text(encoding="utf-8")
    assert 'href="/news/' in home or "https://example.org/news/" in home


@pytest.mark.slow
def test_every_page_type_validates_with_the_nu_html_checker(seed_site: BuiltSite) -> None:
    """Every page of the seed site (so at least one of each type in each language) and the
    theme's stylesheets: zero errors from the Nu Html Checker."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is not installed: run .ci/run (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: run `make test` (npm install vnu-jar)")
    pages = sorted(seed_site.output.rglob("*.html"))
    assert set(sample_pages(seed_site)) <= set(pages)
    stylesheets = [
        path
        for path in sorted(seed_site.output.rglob("*.css"))
        if not {"vendor", "pagefind"} & set(path.relative_to(seed_site.output).parts)
    ]
    assert stylesheets, "the theme ships no stylesheet"
    # One JVM for every file: its start-up costs more than checking the pages.
    command = [java, "-jar", str(VNU_JAR), "--errors-only", "--also-check-css", "--format", "json"]
    result = subprocess.run(
        [*command, *map(str, pages + stylesheets)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or "{}")  # vnu writes its JSON report to stderr
    assert "messages" in report, f"vnu gave no report:\n{result.stdout}\n{result.stderr}"
    errors = [
        f"{message.get('url', '?').removeprefix('file:')}:{message.get('lastLine', '?')}: "
        f"{message.get('message')}\n    {message.get('extract', '')!r}"
        for message in report["messages"]
        if message.get("type") in ("error", "non-document-error")
    ]
    assert not errors, f"Nu Html Checker: {len(errors)} errors\n" + "\n".join(errors)
    assert result.returncode == 0


def test_every_atom_feed_parses_and_lists_existing_pages(seed_site: BuiltSite) -> None:
    feeds = sorted(seed_site.output.rglob("*.xml"))
    feeds = [path for path in feeds if ET.parse(path).getroot().tag.endswith("}feed")]
    for prefix in seed_site.prefixes:
        root = seed_site.output / prefix if prefix else seed_site.output
        assert root / "feed.xml" in feeds, f"no site feed at {prefix}feed.xml"
        assert any(f.is_relative_to(root / "regions") for f in feeds), f"no {prefix} region feed"
        assert any(f.is_relative_to(root / "authors") for f in feeds), f"no {prefix} author feed"
    problems: list[str] = []
    for path in feeds:
        rel = path.relative_to(seed_site.output)
        feed = feedparser.parse(str(path))
        if feed.bozo:
            problems.append(f"{rel}: bozo: {feed.bozo_exception!r}")
        for key in ("title", "id", "updated"):
            if not feed.feed.get(key):
                problems.append(f"{rel}: the feed has no {key}")
        if not feed.entries:
            problems.append(f"{rel}: no entries")
        if not feed.feed.get("author") and not all(e.get("author") for e in feed.entries):
            problems.append(f"{rel}: neither the feed nor every entry names an author")
        for entry in feed.entries:
            for key in ("title", "id", "updated", "link"):
                if not entry.get(key):
                    problems.append(f"{rel}: entry {entry.get('id')} has no {key}")
            if entry.get("link") and not site_file_of(entry.link, seed_site).is_file():
                problems.append(f"{rel}: entry link {entry.link} names no page")
    assert not problems, "\n".join(problems)


def test_sitemap_validates_against_the_sitemaps_org_schema(seed_site: BuiltSite) -> None:
    sitemap = seed_site.output / "sitemap.xml"
    assert sitemap.is_file()
    errors = [
        f"{error.path}: {error.reason}" for error in load_sitemap_schema().iter_errors(str(sitemap))
    ]
    assert not errors, "sitemap.xml is not a valid sitemap:\n" + "\n".join(errors)


def test_sitemap_lists_every_page_with_its_language_alternates(seed_site: BuiltSite) -> None:
    config = seed_site.config
    urls = ET.parse(seed_site.output / "sitemap.xml").getroot().findall(SITEMAP_NS + "url")
    listed = {site_file_of(u.findtext(SITEMAP_NS + "loc", ""), seed_site) for u in urls}
    pages = {p for p in seed_site.output.rglob("*.html") if p.name != "404.html"}
    assert listed == pages, (
        f"missing: {sorted(map(str, pages - listed))}\nnot pages: {sorted(map(str, listed - pages))}"
    )
    codes = {config.default_language, *(variant.code for variant in config.variants)}
    for url in urls:
        loc = url.findtext(SITEMAP_NS + "loc", "")
        alternates = {
            link.get("hreflang"): link.get("href", "")
            for link in url.findall(XHTML_NS + "link")
            if link.get("rel") == "alternate"
        }
        assert codes <= set(alternates), f"{loc}: alternates {sorted(alternates)} lack {codes}"
        assert loc in alternates.values(), f"{loc} is not among its own alternates"
        for href in alternates.values():
            assert site_file_of(href, seed_site).is_file(), f"{loc}: alternate {href} is missing"
