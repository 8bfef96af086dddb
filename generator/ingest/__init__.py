"""Raw bulletin text → articles: decode, split, rejoin, drop repeats, classify, places.

The build and serve commands call ``ingest_pending(config)``; tests and tools call
``parse_text`` (a string, no disk) or ``parse_file``.
"""

import importlib
from typing import Any

# Imported when first asked for: a build imports this package for its seed check, which
# needs none of the parser (0.12 s to import).
_EXPORTS = {
    "IngestReport": "generator.ingest.run",
    "IngestResult": "generator.ingest.run",
    "ingest_file": "generator.ingest.run",
    "ingest_pending": "generator.ingest.run",
    "parse_bytes": "generator.ingest.parse",
    "parse_file": "generator.ingest.run",
    "parse_text": "generator.ingest.parse",
    "seed_files": "generator.ingest.run",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'generator.ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
