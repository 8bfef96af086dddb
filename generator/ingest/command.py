"""Placeholder until the ingest issue lands; replaced by the real module."""

from __future__ import annotations

import argparse

from generator.config import SiteConfig
from generator.errors import BulletinError


def run_ingest(args: argparse.Namespace, config: SiteConfig) -> int:
    raise BulletinError("'ingest' is not available yet")
