"""Bootstrap resamples as row counts, drawn per resample from its own seeded stream.

A resample is stored as how often each row is drawn, never as a copy of the data. Classification
resamples are stratified: each true class keeps its size (class balance kept), so every resample
has both classes and the rank metrics stay defined. Resample ``r`` draws from a generator seeded
by ``SeedSequence(seed).spawn(...)[r]``, so the result does not depend on how resamples are
chunked or on the number of threads, and the same seed gives the same resamples on any machine.

Draws are counts per member of each stratum, the members listed in a *reference* model's base
order. Another model reorders them into its own member order (:func:`member_orders`), so
evaluating two models with the same draws evaluates them on the same resampled rows: the paired
bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

ELEMENTS_PER_CHUNK = 2**20  # resamples x rows held at once: 8 MB per float64 matrix


def chunk_size(n_rows: int) -> int:
    """Resamples per chunk, bounding memory to a few arrays of ``ELEMENTS_PER_CHUNK`` numbers."""
    return max(1, min(256, ELEMENTS_PER_CHUNK // max(n_rows, 1)))


def chunk_bounds(resamples: int, n_rows: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each chunk of resamples."""
    step = chunk_size(n_rows)
    return [(start, min(start + step, resamples)) for start in range(0, resamples, step)]


def member_orders(statistics: Any, reference: Any) -> list[np.ndarray] | None:
    """For each stratum, where each of ``statistics``' members is in ``reference``'s list.

    None when both list the members in the same order (``statistics`` is the reference).
    """
    if statistics is reference:
        return None
    orders = []
    inverse = statistics.inverse()
    for own, theirs in zip(statistics.strata, reference.strata, strict=True):
        positions = inverse[reference.order[theirs]]  # reference members, at our rows
        orders.append(np.argsort(np.searchsorted(own, positions)).astype(own.dtype))
    return orders


def reorder(counts: list[np.ndarray], orders: list[np.ndarray] | None) -> list[np.ndarray]:
    """Member counts drawn in the reference's member order, in another model's member order."""
    if orders is None:
        return counts
    return [np.take(c, order, axis=1) for c, order in zip(counts, orders, strict=True)]


def draw_counts(
    seeds: Sequence[np.random.SeedSequence], stratum_sizes: Sequence[int]
) -> list[np.ndarray]:
    """Per stratum, a ``(len(seeds), size)`` matrix of how often each member is drawn."""
    counts = [np.empty((len(seeds), size), dtype=np.int32) for size in stratum_sizes]
    for row, child in enumerate(seeds):
        generator = np.random.Generator(np.random.PCG64(child))
        for index, size in enumerate(stratum_sizes):
            draws = generator.integers(0, size, size, dtype=np.int32)
            counts[index][row] = np.bincount(draws, minlength=size)
    return counts


def iterate_chunks(resamples: int, seed: int, n_rows: int) -> Iterator[Any]:
    """The seeds of each chunk of resamples, in order."""
    seeds = np.random.SeedSequence(seed).spawn(resamples)
    for start, stop in chunk_bounds(resamples, n_rows):
        yield seeds[start:stop]
