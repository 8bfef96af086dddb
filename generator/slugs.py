"""ASCII URL slugs for Chinese text, through pypinyin."""

from __future__ import annotations

import re

_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_words: int = 8) -> str:
    """Lower-case, hyphen-separated pinyin: 兴化：“银发三长” → xing-hua-yin-fa-san-zhang.

    Latin letters and digits pass through; everything else separates words. Long
    headlines keep their first ``max_words`` words so URLs stay readable.
    """
    # pypinyin loads its phrase dictionary on import (about half a second): imported here,
    # on first use, so commands that make no slug (a no-change build) never pay for it.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: [chars])
    words: list[str] = []
    for syllable in syllables:
        words.extend(word for word in _NON_SLUG_RE.split(syllable.lower()) if word)
    return "-".join(words[:max_words]) or "x"
