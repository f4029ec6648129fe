"""Generated double-coded documents for the agreement benchmark and for tests.

The first coder's codings are the "reference" passages; every other coder finds each one with
probability ``agreement`` (with boundaries shifted by up to ``jitter`` characters) and adds
codings of their own in its place otherwise, so all coders make about the same number of
codings. Codes are used with Zipf-like frequencies, so a few are common and many are rare, as
in real codebooks. Documents consist of turns of a few hundred characters separated by a
short speaker label.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from qualcode.stats.units import DocumentLayers
from qualcode.text.spans import Span

LABEL = 12  # characters of "Name: " prefix and newline between turns


@dataclass(frozen=True)
class SyntheticStudy:
    documents: list[DocumentLayers]
    coders: tuple[str, ...]
    codes: tuple[str, ...]


def _turns(rng: random.Random, length: int) -> list[Span]:
    turns, position = [], 0
    while position + LABEL < length:
        end = min(length, position + LABEL + rng.randint(100, 1500))
        turns.append(Span(position + LABEL, end))
        position = end
    return turns


def _passage(rng: random.Random, length: int) -> Span:
    size = min(length, rng.randint(40, 1200))
    start = rng.randint(0, length - size)
    return Span(start, start + size)


def _shifted(rng: random.Random, span: Span, jitter: int, length: int) -> Span:
    start = min(max(0, span.start + rng.randint(-jitter, jitter)), length - 1)
    end = min(length, max(start + 1, span.end + rng.randint(-jitter, jitter)))
    return Span(start, end)


def generate_layers(
    n_docs: int,
    n_codings: int,
    n_codes: int,
    seed: int = 0,
    *,
    n_coders: int = 2,
    length: int = 50_000,
    agreement: float = 0.7,
    jitter: int = 40,
) -> SyntheticStudy:
    """``n_docs`` documents of ``length`` characters with about ``n_codings`` codings in all
    (over all coders) of ``n_codes`` codes."""
    rng = random.Random(seed)
    coders = tuple(f"coder{i + 1}" for i in range(n_coders))
    codes = tuple(f"code{i + 1:02d}" for i in range(n_codes))
    code_weights = [1 / (rank + 1) for rank in range(n_codes)]
    layers: list[dict[str, dict[str, list[Span]]]] = [
        {coder: {} for coder in coders} for _ in range(n_docs)
    ]

    def add(coder: str, doc: int, code: str, span: Span) -> None:
        layers[doc][coder].setdefault(code, []).append(span)

    for _ in range(n_codings // n_coders):
        doc = rng.randrange(n_docs)
        code = rng.choices(codes, code_weights)[0]
        reference = _passage(rng, length)
        add(coders[0], doc, code, reference)
        for coder in coders[1:]:
            if rng.random() < agreement:
                add(coder, doc, code, _shifted(rng, reference, jitter, length))
            else:
                own_doc = rng.randrange(n_docs)
                add(coder, own_doc, rng.choices(codes, code_weights)[0], _passage(rng, length))
    return SyntheticStudy(
        [DocumentLayers(i, length, _turns(rng, length), layers[i]) for i in range(n_docs)],
        coders,
        codes,
    )
