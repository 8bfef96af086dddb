"""Bylines: lines (or the head or tail of a paragraph) that name the authors.

A byline is one or more personal names, optionally with role words (本报记者, 通讯员,
文/图, 摄 …), separated by any mix of ASCII or full-width spaces, 、 or commas, perhaps
in brackets: 潘云祥 崔年 郭丽丽 / 本报记者 张三 通讯员 李四 / （记者 王五）/ 文/图 赵六.
Only the names are kept; role words are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.ingest.surnames import has_family_name

# Role words found anywhere in a byline. A reporter's role is built from parts, so
# 本报融媒体记者, 新华社驻京记者 or 县融媒体中心通讯员 drop whole and leave no 本报 behind.
_ROLE_ISSUER = r"(?:本报|本刊|本台|本网|新华社|中新社|人民日报|[\u4e00-\u9fff]{1,6}融媒体中心)"
_ROLE_KIND = r"(?:特约|见习|实习|首席|资深|摄影|全媒体|融媒体|融媒|驻站|驻[\u4e00-\u9fff]{1,3}?)"
_ROLE_WORDS = (
    rf"{_ROLE_ISSUER}?{_ROLE_KIND}?(?:记者|通讯员)",
    "摄影报道",
    "实习生",
    "本报讯",
    "摄影",
    "文[/／]图",
    "图[/／]文",
)
_ROLE_RE = re.compile("|".join(_ROLE_WORDS))
# Short role words that count only as a token of their own: 文 张三, 张三 摄, 文/图 赵六.
_ROLE_TOKENS = frozenset(("文", "图", "摄", "文图", "图文", "供图", "撰文", "报道", "撰稿", "作者"))
# Bullets (■ 记者 周杰) are layout, like the spaces and brackets.
_SEPARATORS_RE = re.compile(r"[\s、，,；;/／|｜：:（）()【】\[\]〔〕■□●◆◇▲△★☆▶►]+")
# A two-character name spaced out to the width of three (高 翔) in a column of names.
_SPACED_NAME_RE = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ 　]([\u4e00-\u9fff])(?![\u4e00-\u9fff])"
)
_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•‧・][\u4e00-\u9fff·•‧・]{1,12}")
MAX_BYLINE_CHARS = 60
MAX_NAMES = 8

# 本报讯（记者 张三）… / 新华社南京10月20日电（记者 李四）…: a byline leading a paragraph.
_LEAD_RE = re.compile(
    r"^(?P<byline>(?:[^（(，。！？\s]{0,20}[讯电])?\s?(?P<names>[（(][^（）()]{2,40}[）)]))"
    r"\s?(?P<rest>\S.*)$"
)
# 本报讯 记者 张三 ……: the dateline before an unbracketed byline.
_DATELINE_RE = re.compile(r"^[^（(，。！？\s]{0,20}[讯电]\s")
_SENTENCE_MARKS = "。！？!?…”’"
# …取得实效。（记者 王五 通讯员 李四）: a byline closing a paragraph.
_TRAIL_RE = re.compile(r"^(?P<rest>.*[。！？!?…”’」』])\s?(?P<byline>[（(][^（）()]{2,40}[）)])$")


# Page furniture: who edited or checked the page (责任编辑：王五 校对：赵六), not an author.
_DESK_RE = re.compile(
    r"责任编辑|责任校对|值班编辑|版式设计|美术编辑|责编|美编|编辑|校对|审核|审校|审签|组版|排版"
    r"|[一二三]审|初审|复审|终审|签发"
)


@dataclass(frozen=True)
class Byline:
    names: tuple[str, ...]
    has_role: bool  # a role word was present: then it is a byline wherever it stands


@dataclass(frozen=True)
class InlineByline:
    """A paragraph's leading or trailing byline, split off; ``rest`` is the paragraph."""

    byline_text: str
    byline: Byline
    rest: str
    leading: bool


def parse_byline(text: str) -> Byline | None:
    """The names in ``text`` if the whole of it reads as a byline, else None."""
    if len(text) > MAX_BYLINE_CHARS:
        return None
    has_role = False
    if _ROLE_RE.search(text):
        has_role = True
        text = _ROLE_RE.sub(" ", text)
    names: list[str] = []
    text = _SPACED_NAME_RE.sub(_join_spaced_name, text)
    for token in _SEPARATORS_RE.split(text):
        if not token:
            continue
        if token in _ROLE_TOKENS:
            has_role = True
            continue
        if token.endswith("摄") and len(token) >= 3 and _NAME_RE.fullmatch(token[:-1]):
            has_role, token = True, token[:-1]  # 张三摄: photographed by 张三
        if not _NAME_RE.fullmatch(token):
            return None
        names.append(token)
    if not names or len(names) > MAX_NAMES or not _mostly_family_names(names):
        return None
    return Byline(tuple(names), has_role)


def _join_spaced_name(match: re.Match[str]) -> str:
    """高 翔 → 高翔 when the first character is a family name; else left as it was."""
    first, second = match.group(1), match.group(2)
    if has_family_name(first) and first not in _ROLE_TOKENS and second not in _ROLE_TOKENS:
        return first + second
    return match.group(0)


def _mostly_family_names(names: list[str]) -> bool:
    """At least half the names start with a known family name (transliterated names with
    a middle dot always count): keeps 结语 or 调查 from passing for an author."""
    known = sum(1 for name in names if "·" in name or has_family_name(name))
    return 2 * known >= len(names)


def desk_credit(text: str) -> bool:
    """A line naming only the page's editors and checkers: 责任编辑：王五 / 【编辑 张三】."""
    if len(text) > MAX_BYLINE_CHARS or not _DESK_RE.search(text) or _ROLE_RE.search(text):
        return False
    rest = _SPACED_NAME_RE.sub(_join_spaced_name, _DESK_RE.sub(" ", text))
    tokens = [token for token in _SEPARATORS_RE.split(rest) if token]
    return (
        bool(tokens)
        and all(_NAME_RE.fullmatch(token) for token in tokens)
        and (_mostly_family_names(tokens))
    )


def split_inline_byline(text: str, *, names_only_tail: bool = False) -> InlineByline | None:
    """A byline leading or closing a paragraph, split from the paragraph.

    Brackets holding role words are always a byline; a closing bracket of names only
    (……。（张三）) counts only where the caller knows the article ends. Without brackets,
    a byline with role words may follow the dateline (本报讯 记者 张三 近日，……) or, where
    the article ends, the last sentence (……取得实效。记者 张三 通讯员 李四).
    """
    if "（" in text or "(" in text:
        found = _bracketed(text, names_only_tail)
        if found is not None:
            return found
    found = _spaced_lead(text)
    if found is None and names_only_tail:
        found = _spaced_trail(text)
    return found


def _bracketed(text: str, names_only_tail: bool) -> InlineByline | None:
    lead = _LEAD_RE.match(text)
    if lead:
        byline = parse_byline(lead.group("names"))
        if byline and (byline.has_role or lead.group("byline") != lead.group("names")):
            return InlineByline(lead.group("byline"), byline, lead.group("rest"), leading=True)
    trail = _TRAIL_RE.match(text)
    if trail:
        byline = parse_byline(trail.group("byline"))
        if byline and (byline.has_role or names_only_tail):
            return InlineByline(trail.group("byline"), byline, trail.group("rest"), leading=False)
    return None


def _spaced_lead(text: str) -> InlineByline | None:
    """本报讯 记者 张三 通讯员 李四 近日，……: the longest run of words after the dateline
    that reads as a byline with role words."""
    head = text[:22]
    if " " not in head or ("讯" not in head and "电" not in head):
        return None  # the cheap test first: most paragraphs have no dateline
    dateline = _DATELINE_RE.match(text)
    if dateline is None:
        return None
    start = dateline.end()
    spaces = [i for i in range(start + 1, min(len(text), MAX_BYLINE_CHARS)) if text[i] == " "]
    for end in reversed(spaces):
        if any(mark in text[start:end] for mark in "，,。；;"):
            continue  # a clause (近日，记者 张三 走访…) is the paragraph, not a byline
        byline = parse_byline(text[start:end])
        if byline is not None and byline.has_role:
            return InlineByline(text[:end], byline, text[end + 1 :], leading=True)
    return None


def _spaced_trail(text: str) -> InlineByline | None:
    """……取得实效。记者 张三 通讯员 李四: role words and names after the last sentence."""
    core = text.rstrip()
    last = max(core.rfind(mark) for mark in _SENTENCE_MARKS)
    if last < 0 or len(core) - last > MAX_BYLINE_CHARS:
        return None
    tail = core[last + 1 :].strip()
    clause = any(mark in tail for mark in "，,；;")
    byline = parse_byline(tail) if tail and not clause else None
    if byline is None or not byline.has_role:
        return None
    return InlineByline(tail, byline, core[: last + 1], leading=False)


_CREDIT_WINDOW = 26  # characters at the end of a caption that may hold its credit
_CREDIT_START = "。！？!?”’ （("


def ends_with_photo_credit(text: str) -> bool:
    """A photo caption closed by its credit (……游览。林辉 摄, ……（记者 林辉 摄）) is
    complete although it does not end with a sentence mark."""
    core = text.rstrip("）) ")
    if not core.endswith(("摄", "摄影")):
        return False
    tail = core[-_CREDIT_WINDOW:]
    for index, char in enumerate(tail):
        if char in _CREDIT_START:
            byline = parse_byline(tail[index + 1 :])
            if byline is not None and byline.has_role:
                return True
    return False
