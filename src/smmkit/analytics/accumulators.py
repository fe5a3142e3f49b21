"""Mergeable accumulators (monoids) for analytics that run over partitions.

Each accumulator starts empty, takes events with ``add`` (mutating, for streaming) and
combines with another of its kind through ``merge`` (returning a new accumulator, leaving
both operands alone). ``merge`` is associative and commutative and the empty accumulator
is its identity, so the result is the same however the data was split and in whatever
order the pieces come back: the property Dask's and Spark's tree reductions rely on.
Every accumulator pickles.

Merge laws hold *exactly*, not approximately:

* sums are kept as exact integers (every float is a multiple of ``2**-1074``), because
  float addition is not associative and a sum that depends on partitioning is a
  reproducibility bug;
* :class:`HyperLogLog` merges by register-wise maximum;
* :class:`QuantileSketch` is a log-bucketed (DDSketch-style) histogram that merges by
  adding bucket counts. t-digest and KLL were considered: their merged state depends on
  merge order (KLL also on randomness), so "merge equals a single pass" would only hold
  within the error bound; with log buckets it holds exactly, with a guaranteed relative
  accuracy.
"""

from __future__ import annotations

from smmkit.analytics._counters import Counts, Rate, Sum
from smmkit.analytics._path_counts import PathCounts
from smmkit.analytics._sketches import HyperLogLog, QuantileSketch

__all__ = [
    "Counts",
    "HyperLogLog",
    "PathCounts",
    "QuantileSketch",
    "Rate",
    "Sum",
]
