"""Latency summaries for benchmarks: percentiles of a list of timings, in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in [0, 1]) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


@dataclass(frozen=True)
class Latency:
    """How long a kind of call took: count and percentiles in milliseconds."""

    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ms = [s * 1000 for s in seconds]
        return cls(
            len(ms),
            round(percentile(ms, 0.50), 1),
            round(percentile(ms, 0.95), 1),
            round(percentile(ms, 0.99), 1),
            round(max(ms), 1),
            round(statistics.fmean(ms), 1),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
