"""Bulletin: a static site generator for Chinese regional news bulletins."""

__version__ = "0.1.0"
