"""Raw bulletin text → articles: decode, split, rejoin, drop repeats, classify, places.

The build and serve commands call ``ingest_pending(config)``; tests and tools call
``parse_text`` (a string, no disk) or ``parse_file``.
"""

from generator.ingest.parse import parse_bytes, parse_text
from generator.ingest.run import (
    IngestReport,
    IngestResult,
    ingest_file,
    ingest_pending,
    parse_file,
    seed_files,
)

__all__ = [
    "IngestReport",
    "IngestResult",
    "ingest_file",
    "ingest_pending",
    "parse_bytes",
    "parse_file",
    "parse_text",
    "seed_files",
]
