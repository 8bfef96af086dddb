"""Simplified → Traditional Chinese, and the per-language details of a page.

A page is rendered once, in Simplified, with a few private-use characters in it:

* markers around spans the converter must treat specially: ``keep`` (never converted,
  e.g. the name 简体中文 in the language switch), ``person`` and ``place`` (a proper name:
  converted character by character, keeping the characters that names write the same way in
  Traditional, so 里水镇 → 里水鎮, not 裏水鎮);
* tokens for what differs between languages: the link root, the absolute root, the
  language code, the ``aria-current`` of the language switch.

``localize`` turns that text into one language's output: convert (variants only), then
strip markers and fill tokens. Markup and URLs are ASCII, so only the page's runs of text
(from a non-ASCII character to the next quote, angle bracket or line break) go through
OpenCC, each distinct run once per batch of pages, short ones remembered across pages.

Proper names in running text (headlines, bodies) are found before OpenCC sees the text:
the gazetteer's names and the site's overrides are compiled once into one trie-shaped
regular expression; the text is split on its matches, the names get their name form
(overrides their given form) and only the pieces between go through OpenCC. One converter
per variant per process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import opencc

from generator.config import SiteConfig, Variant
from generator.errors import BulletinError

KEEP_OPEN, KEEP_CLOSE = "\ue000", "\ue001"
PERSON_OPEN, PERSON_CLOSE = "\ue002", "\ue003"
PLACE_OPEN, PLACE_CLOSE = "\ue004", "\ue005"
TOKEN_OPEN, TOKEN_CLOSE = "\ue006", "\ue007"
MARK_CHARS = "".join(chr(code) for code in range(0xE000, 0xE008))
SPAN_MARKS = MARK_CHARS[:6]  # the span markers, not the token brackets
_SLOT = "\ue010"  # stands in for a protected phrase while OpenCC converts the rest
_SPAN_RE = re.compile(
    "("
    + "|".join(
        f"{o}[^{c}]*{c}"
        for o, c in (
            (KEEP_OPEN, KEEP_CLOSE),
            (PERSON_OPEN, PERSON_CLOSE),
            (PLACE_OPEN, PLACE_CLOSE),
        )
    )
    + ")"
)
# A run of text in a rendered page: from a non-ASCII character (a span marker included, a
# token bracket not) to the next quote, angle bracket or line break, which only markup
# puts there (values are escaped). ASCII inside text (spaces, digits, entities) stays in.
_RUN_RE = re.compile('([^\\x00-\\x7f\ue006\ue007][^\\x00-\\x1f"<>\ue006\ue007]*)')
_CORNER_QUOTES = (("“", "「"), ("”", "」"), ("‘", "『"), ("’", "』"))

# Characters OpenCC converts by default whose Simplified form is also the usual form in
# names: 谷城 and 里水 keep 谷 and 里; surnames 范, 余, 干, 于, 郁 stay as written.
PLACE_KEEP = frozenset("谷里台范于")
PERSON_KEEP = frozenset("谷里台干后范余郁于朴")


class NameKind(Enum):
    PERSON = "person"
    PLACE = "place"


_KEEP = {NameKind.PERSON: PERSON_KEEP, NameKind.PLACE: PLACE_KEEP}
_MEMO_LIMIT = 200_000  # converted runs remembered per converter
_MEMO_RUN = 400  # only short runs repeat across pages; long body paragraphs do not


def _remember(memo: dict[str, str], run: str, converted: str) -> None:
    if len(run) <= _MEMO_RUN:
        memo[run] = converted


def keep(text: str) -> str:
    """Text shown as written in every language (e.g. a language's own name)."""
    return f"{KEEP_OPEN}{_clean(text)}{KEEP_CLOSE}"


def person(name: str) -> str:
    return f"{PERSON_OPEN}{_clean(name)}{PERSON_CLOSE}"


def place(name: str) -> str:
    return f"{PLACE_OPEN}{_clean(name)}{PLACE_CLOSE}"


def token(name: str, arg: str = "") -> str:
    return f"{TOKEN_OPEN}{name}:{arg}{TOKEN_CLOSE}" if arg else f"{TOKEN_OPEN}{name}{TOKEN_CLOSE}"


ROOT = token("ROOT")  # link root of the page's language: "/news/" or "/news/zh-hant/"
ABS = token("ABS")  # absolute root: "https://example.org/news/zh-hant/"
LANG = token("LANG")  # BCP 47 code of the page's language
OG_LOCALE = token("OGLOCALE")


def current(code: str) -> str:
    """Expands to ` aria-current="true"` on the page whose language is ``code``."""
    return token("CURRENT", code)


def _clean(text: str) -> str:
    """Marker characters inside data would break the spans: drop them, and newlines."""
    if text.isprintable():  # no private-use marks, no line breaks: the usual case
        return text
    return strip_marks(text).replace("\n", " ")


def strip_marks(text: str, marks: str = MARK_CHARS + _SLOT) -> str:
    """Remove marker characters (str.replace: far faster than translate on long text)."""
    for mark in marks:
        if mark in text:
            text = text.replace(mark, "")
    return text


@dataclass(frozen=True)
class Language:
    code: str  # <html lang>
    prefix: str  # "" for the default language, else the variant's URL prefix
    label: str  # the language's name in itself, for the switch
    variant: Variant | None = None

    @property
    def path(self) -> str:
        """Output-relative folder of this language's tree: "" or "zh-hant/"."""
        return f"{self.prefix}/" if self.prefix else ""


def languages_of(config: SiteConfig) -> tuple[Language, ...]:
    """The default language first, then each variant in site.yaml order."""
    langs = [Language(config.default_language, "", "简体中文")]
    labels = [_variant_label(variant) for variant in config.variants]
    for variant, label in zip(config.variants, labels, strict=True):
        if labels.count(label) > 1:
            label = f"{label}（{variant.code}）"
        langs.append(Language(variant.code, variant.prefix, label, variant))
    return tuple(langs)


def _variant_label(variant: Variant) -> str:
    code = variant.code.lower()
    if variant.opencc == "s2hk" or code.endswith("-hk"):
        return "香港繁體"
    if variant.opencc in ("s2tw", "s2twp") or code.endswith("-tw"):
        return "臺灣正體"
    return "繁體中文"


def og_locale(language: Language) -> str:
    if language.variant is None:
        return "zh_CN"
    return "zh_HK" if language.variant.opencc == "s2hk" else "zh_TW"


def localize(
    texts: Sequence[str], language: Language, converter: TextConverter | None, config: SiteConfig
) -> list[str]:
    """Each page's output in one language, from its text rendered in Simplified: convert
    (variants only; the pages together, see ``TextConverter.convert_many``), fill tokens."""
    if converter is not None:
        texts = converter.convert_many(texts)
    else:
        texts = [strip_marks(text, SPAN_MARKS) for text in texts]
    fills = token_fills(language, config)
    return [_fill_tokens(text, fills) for text in texts]


def _fill_tokens(text: str, fills: tuple[tuple[str, str], ...]) -> str:
    """A replace per kind of token: a page has a few kinds (one of them in every link),
    and str.replace scans for each in C, a third faster than splitting at every token.
    A token no language knows stays as it is."""
    if TOKEN_OPEN not in text:
        return text
    for written, value in fills:
        text = text.replace(written, value)
    return text


def token_fills(language: Language, config: SiteConfig) -> tuple[tuple[str, str], ...]:
    """Each token as written in a rendered page, and its value in ``language``."""
    codes = (config.default_language, *(variant.code for variant in config.variants))
    opencc_name = language.variant.opencc if language.variant else ""
    key = (language.code, opencc_name, language.path, config.base_path, config.base_url, codes)
    fills = _token_tables.get(key)
    if fills is None:
        values = {
            ROOT: config.base_path + language.path,
            ABS: config.base_url + language.path,
            LANG: language.code,
            OG_LOCALE: og_locale(language),
        }
        for code in codes:
            values[current(code)] = ' aria-current="true"' if code == language.code else ""
        fills = _token_tables[key] = tuple(values.items())
    return fills


# Token fills by everything they are made of: a few per site, asked for by every batch.
_token_tables: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}


@dataclass(frozen=True)
class ConverterSpec:
    """Everything a variant's converter is built from; picklable for worker processes."""

    opencc: str
    corner_quotes: bool
    places: tuple[str, ...]  # proper names in running text (the gazetteer's)
    overrides: tuple[tuple[str, str], ...]  # phrase → its form in this variant

    @property
    def fingerprint(self) -> str:
        data = json.dumps([self.opencc, self.corner_quotes, self.places, self.overrides])
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


def converter_spec(variant: Variant, config: SiteConfig, places: Iterable[str]) -> ConverterSpec:
    overrides = {**config.overrides, **variant.overrides}
    for phrase, form in overrides.items():
        if not phrase or any(ch.isspace() for ch in phrase + form):
            raise BulletinError(
                f"override '{phrase}' → '{form}': phrases must be non-empty and have no spaces",
                config.root / "site.yaml",
            )
    names = sorted({name for name in places if len(name) >= 2 and not _has_space(name)})
    return ConverterSpec(
        opencc=variant.opencc,
        corner_quotes=variant.corner_quotes,
        places=tuple(names),
        overrides=tuple(sorted(overrides.items())),
    )


def _has_space(text: str) -> bool:
    return any(ch.isspace() for ch in text)


class TextConverter:
    """Converts rendered pages for one variant. Build it once per process: it loads OpenCC
    and compiles one regular expression of every protected phrase."""

    def __init__(self, spec: ConverterSpec):
        self.spec = spec
        self._opencc = opencc.OpenCC(spec.opencc)
        self._overrides = dict(spec.overrides)
        self._names: dict[tuple[str, NameKind], str] = {}
        self._memo: dict[str, str] = {}  # converted lines: headers, cards, labels repeat
        protected = {name: self.name_form(name, NameKind.PLACE) for name in spec.places}
        protected.update(self._overrides)
        self._protected = protected
        self._protected_re = re.compile(trie_pattern(protected)) if protected else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (TextConverter, (self.spec,))

    def name_form(self, name: str, kind: NameKind) -> str:
        """A proper name's form: an override, else each character converted on its own."""
        key = (name, kind)
        form = self._names.get(key)
        if form is None:
            form = self._overrides.get(name)
            if form is None:
                chars = self._opencc.convert("\n".join(name)).split("\n")
                if len(chars) != len(name):  # OpenCC never joins across lines; be safe anyway
                    chars = [self._opencc.convert(ch) for ch in name]
                kept = _KEEP[kind]
                form = "".join(
                    ch if ch in kept else conv for ch, conv in zip(name, chars, strict=True)
                )
            self._names[key] = form
        return form

    def convert(self, text: str) -> str:
        return self.convert_many([text])[0]

    def convert_many(self, texts: Sequence[str]) -> list[str]:
        """Convert rendered pages: only their runs of text go through OpenCC (markup and
        URLs are ASCII), each distinct run once, all in one call: runs seen before come from
        the memo (labels, cards, headlines repeat across pages). Many pages at once keep
        OpenCC's dictionaries in the processor's cache (measured a fifth faster than page
        by page between renders).

        Cutting at markup gives OpenCC the same segments as whole lines (it never matches a
        phrase across ASCII punctuation), measured identical on a thousand bulletins' pages,
        for under half the characters."""
        memo = self._memo
        if len(memo) >= _MEMO_LIMIT:  # never while a batch relies on what it holds
            memo.clear()
        split = [_RUN_RE.split(text) for text in texts]  # odd indices: runs of text
        fresh = {run: "" for parts in split for run in parts[1::2] if run not in memo}
        if fresh:
            self._convert_runs(fresh)
        for parts in split:
            for index in range(1, len(parts), 2):
                run = parts[index]
                done = memo.get(run)
                parts[index] = done if done is not None else fresh[run]
        return ["".join(parts) for parts in split]

    def _convert_runs(self, runs: dict[str, str]) -> None:
        """Fill ``runs`` (run → "") with each run's converted form, remembering short ones."""
        pending = [self._protect(run) for run in runs]
        converted = self._opencc.convert("\n".join(t for t, _ in pending)).split("\n")
        memo = self._memo
        for run, (_, forms), line in zip(runs, pending, converted, strict=True):
            if forms:
                parts = line.split(_SLOT)
                line = "".join(p + f for p, f in zip(parts, [*forms, ""], strict=True))
            if self.spec.corner_quotes:
                for straight, corner in _CORNER_QUOTES:
                    line = line.replace(straight, corner)
            runs[run] = line
            _remember(memo, run, line)

    def _protect(self, line: str) -> tuple[str, list[str]]:
        """The line with each protected phrase replaced by a slot, and the phrases' forms."""
        forms: list[str] = []
        if _SLOT in line:
            line = line.replace(_SLOT, "")
        if KEEP_OPEN in line or PERSON_OPEN in line or PLACE_OPEN in line:
            parts = _SPAN_RE.split(line)
            for index, part in enumerate(parts):
                if index % 2 == 0:
                    parts[index] = self._protect_text(part, forms)
                    continue
                if part[0] == KEEP_OPEN:
                    forms.append(part[1:-1])
                else:
                    kind = NameKind.PERSON if part[0] == PERSON_OPEN else NameKind.PLACE
                    forms.append(self.name_form(part[1:-1], kind))
                parts[index] = _SLOT
            return "".join(parts), forms
        return self._protect_text(line, forms), forms

    def _protect_text(self, text: str, forms: list[str]) -> str:
        """Cut protected phrases (gazetteer names, overrides) out of running text."""
        if self._protected_re is None or text.isascii():
            return text

        def slot(match: re.Match[str]) -> str:
            forms.append(self._protected[match.group()])
            return _SLOT

        return self._protected_re.sub(slot, text)


@functools.lru_cache(maxsize=8)
def converter_for(spec: ConverterSpec) -> TextConverter:
    """The process's converter for ``spec``: built once (OpenCC, the names' expression),
    then reused by every build in the process (serve rebuilds often), memo included."""
    return TextConverter(spec)


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regular expression matching any of ``phrases``, longest first at each position.

    Built as a trie (江(?:北新区|宁区)…) so matching costs about one step per character
    however many phrases there are.
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + pattern(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)
