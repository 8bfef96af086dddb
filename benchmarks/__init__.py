"""Benchmarks: a deterministic corpus of seed-shaped bulletins and a side-by-side harness.

Run ``python -m benchmarks --help``. Nothing here is imported by the generator, and no
timed target is asserted in tests: the harness measures and reports.
"""
