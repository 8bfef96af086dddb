"""Raw bytes → text, detecting the encoding without flags.

Newsroom exports arrive as UTF-8 (with or without a BOM), GB18030/GBK, and now and then
UTF-16 with a BOM. A strict UTF-8 attempt followed by a strict GB18030 attempt is fast
and predictable: Chinese GBK text is practically never valid UTF-8, and random binary
data is rarely valid GB18030. What decodes but is mostly control characters is binary.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import BulletinError

# Control characters that never occur in text (tab, newlines, form feed excluded).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
_MAX_CONTROL_SHARE = 0.01
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "gb18030" or "utf-16"


def decode_bytes(data: bytes, path: Path | str) -> Decoded:
    """Decode a raw bulletin; raise a BulletinError naming ``path`` for anything not text."""
    encoding = _bom_encoding(data)
    if encoding is None:
        if b"\x00" in data:
            raise BulletinError("binary file (NUL bytes), not a text bulletin", path)
        encoding = "utf-8" if _is_utf8(data) else "gb18030"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise BulletinError(
            f"not UTF-8 or GB18030 text: undecodable bytes at offset {error.start}", path
        ) from None
    if encoding != "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]  # the UTF-16 codec keeps nothing, but be sure
    if not text.strip():
        raise BulletinError("empty file: no text to ingest", path)
    controls = len(_CONTROL_RE.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise BulletinError("binary file (control characters), not a text bulletin", path)
    return Decoded(text, encoding)


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
