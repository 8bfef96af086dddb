"""How a build's pages are handed out to render workers."""

from __future__ import annotations

import pytest

from generator.parallel import CHUNKS_PER_WORKER, MIN_CHUNK, _tapering_chunks


@pytest.mark.parametrize(("pages", "jobs"), [(1, 2), (301, 2), (8487, 2), (80692, 2), (5000, 4)])
def test_every_page_once_in_order_in_chunks_that_shrink_to_the_end(pages: int, jobs: int) -> None:
    chunks = list(_tapering_chunks(list(range(pages)), jobs))
    assert [index for chunk in chunks for index in chunk] == list(range(pages))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)  # never a larger chunk after a smaller one
    assert max(sizes) <= max(MIN_CHUNK, pages // (jobs * CHUNKS_PER_WORKER))
    # The work left when the last chunks go out is small: no worker finishes long alone.
    assert all(size <= MIN_CHUNK for size in sizes[-jobs:])


def test_a_large_build_starts_with_full_chunks_and_tapers() -> None:
    sizes = [len(chunk) for chunk in _tapering_chunks(list(range(8487)), 2)]
    assert sizes[0] == 8487 // (2 * CHUNKS_PER_WORKER)
    assert sizes[-2] == MIN_CHUNK
    assert len(sizes) < 2 * (2 * CHUNKS_PER_WORKER)  # still coarse enough to be cheap
