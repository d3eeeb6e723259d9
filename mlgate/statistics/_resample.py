"""Bootstrap resamples as row counts, drawn per resample from its own seeded stream.

A resample is stored as how often each row is drawn, never as a copy of the data. Classification
resamples are stratified: each true class keeps its size (class balance kept), so every resample
has both classes and the rank metrics stay defined. Resample ``r`` draws from a generator seeded
by ``SeedSequence(seed).spawn(...)[r]``, so the result does not depend on how resamples are
chunked and the same seed gives the same resamples on any machine.

Draws are positions *within each stratum in original row order*; each model's statistics map them
to its own base order (``statistics.strata``). Two models evaluated with the same draws therefore
see the same resampled rows: that is the paired bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ELEMENTS_PER_CHUNK = 2**23  # resamples x rows held at once: 64 MB per float64 matrix


def chunk_size(n_rows: int) -> int:
    """Resamples per chunk, bounding memory to a few arrays of ``ELEMENTS_PER_CHUNK`` numbers."""
    return max(1, min(256, ELEMENTS_PER_CHUNK // max(n_rows, 1)))


def draw_chunks(
    stratum_sizes: Sequence[int], resamples: int, seed: int
) -> Iterator[list[np.ndarray]]:
    """Yield, chunk by chunk, one ``(resamples_in_chunk, size)`` array of draws per stratum."""
    import numpy as np

    seeds = np.random.SeedSequence(seed).spawn(resamples)
    step = chunk_size(sum(stratum_sizes))
    for start in range(0, resamples, step):
        block = seeds[start : start + step]
        draws = [np.empty((len(block), size), dtype=np.int64) for size in stratum_sizes]
        for row, child in enumerate(block):
            generator = np.random.Generator(np.random.PCG64(child))
            for index, size in enumerate(stratum_sizes):
                draws[index][row] = generator.integers(0, size, size)
        yield draws


def counts_from_draws(statistics: Any, draws: list[np.ndarray]) -> np.ndarray:
    """Row counts in ``statistics``' base order for a chunk of draws (one row per resample)."""
    import numpy as np

    n = statistics.n
    resamples = draws[0].shape[0]
    offsets = (np.arange(resamples) * n)[:, None]
    flat = np.concatenate(
        [
            (members[chosen] + offsets).ravel()
            for members, chosen in zip(statistics.strata, draws, strict=True)
        ]
    )
    return np.bincount(flat, minlength=resamples * n).reshape(resamples, n)
