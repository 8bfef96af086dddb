"""The shipped sitemap schemas themselves: they accept a protocol-conforming sitemap with
language alternates and reject what the sitemaps.org protocol forbids, without network."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

SCHEMAS = Path(__file__).parent / "data" / "sitemap"
URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">{}</urlset>\n'
)
ALTERNATES = (
    '<xhtml:link rel="alternate" hreflang="zh-Hans" href="https://example.org/a/"/>'
    '<xhtml:link rel="alternate" hreflang="zh-Hant" href="https://example.org/zh-hant/a/"/>'
)


def load_sitemap_schema() -> xmlschema.XMLSchema:
    """The sitemaps.org 0.9 schema plus xhtml:link; no bundled fallback, no remote fetch."""
    return xmlschema.XMLSchema(
        str(SCHEMAS / "sitemap-with-xhtml.xsd"), use_fallback=False, allow="local"
    )


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return load_sitemap_schema()


def test_sitemap_with_alternates_is_valid(schema: xmlschema.XMLSchema) -> None:
    url = f"<url><loc>https://example.org/a/</loc><lastmod>2024-05-01</lastmod>{ALTERNATES}</url>"
    schema.validate(URLSET.format(url))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"<url>{ALTERNATES}<loc>https://example.org/a/</loc></url>", "loc after alternates"),
        ("<url><loc>https://example.org/a/</loc><lastmod>5/1/2024</lastmod></url>", "lastmod"),
        ("<url><loc>https://example.org/a/</loc><priority>2</priority></url>", "priority"),
        ("<url><loc>/a/</loc></url>", "loc shorter than a full URL"),
        ("<url><lastmod>2024-05-01</lastmod></url>", "no loc"),
        (
            '<url><loc>https://example.org/a/</loc><xhtml:link rel="alternate" lang-ref="x"/></url>',
            "unknown xhtml:link attribute",
        ),
        (
            '<url><loc>https://example.org/a/</loc><xhtml:meta name="x" content="y"/></url>',
            "an xhtml element other than link",
        ),
    ],
)
def test_sitemap_protocol_violations_are_rejected(
    schema: xmlschema.XMLSchema, url: str, reason: str
) -> None:
    assert not schema.is_valid(URLSET.format(url)), reason


def test_alternates_need_the_xhtml_schema() -> None:
    """The protocol's ##other wildcard is processContents="strict": sitemap.xsd alone
    rejects xhtml:link, which is why sitemap-with-xhtml.xsd imports its schema."""
    alone = xmlschema.XMLSchema(str(SCHEMAS / "sitemap.xsd"), use_fallback=False, allow="local")
    url = f"<url><loc>https://example.org/a/</loc>{ALTERNATES}</url>"
    assert not alone.is_valid(URLSET.format(url))
    assert alone.is_valid(URLSET.format("<url><loc>https://example.org/a/</loc></url>"))
