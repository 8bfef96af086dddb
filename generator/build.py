"""Placeholder until its issue lands; replaced by the real module."""

from __future__ import annotations

import argparse

from generator.config import SiteConfig
from generator.errors import BulletinError


def run_build_command(args: argparse.Namespace, config: SiteConfig) -> int:
    raise BulletinError("'build' is not available yet")
