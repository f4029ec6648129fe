"""find_quote and reanchor: codings follow their quotes into a corrected transcript."""

from __future__ import annotations

import random
import time

from qualcode.bench.corpus import generate_transcripts
from qualcode.text.anchor import find_quote, reanchor
from qualcode.text.spans import Span

TEXT = (
    "Interviewer: What about the stretch?\n"
    "Jane Smith: The stretch was a lottery. We argued about baselines.\n"
    "Interviewer: And the reward grant?\n"
    "Jane Smith: The stretch was a lottery, again."
)


def _span_of(text: str, quote: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Span(start, start + len(quote))


def test_anchor_find_quote_exact_and_nearest_to_hint() -> None:
    quote = "The stretch was a lottery"
    first, second = _span_of(TEXT, quote), _span_of(TEXT, quote, 1)
    assert find_quote(TEXT, quote) == first
    assert find_quote(TEXT, quote, hint=second.start - 5) == second
    assert find_quote(TEXT, quote, hint=0) == first
    assert find_quote(TEXT, "not there") is None
    assert find_quote(TEXT, "") is None


def test_anchor_find_quote_tolerates_whitespace() -> None:
    span = find_quote(TEXT, "lottery.  We\nargued")
    assert span is not None
    assert TEXT[span.start : span.end] == "lottery. We argued"


def test_anchor_reanchor_exact_after_insertions_before() -> None:
    new = "Date: 12 May 2005\nInterviewer: Thanks for coming.\n" + TEXT
    spans = [_span_of(TEXT, "We argued about baselines."), _span_of(TEXT, "again")]
    results = reanchor(TEXT, new, spans)
    for old, result in zip(spans, results, strict=True):
        assert result.anchored
        assert result.method == "exact"
        assert result.score == 1.0
        assert result.new_span is not None
        assert new[result.new_span.start : result.new_span.end] == TEXT[old.start : old.end]


def test_anchor_reanchor_repeated_quote_keeps_its_place() -> None:
    quote = "The stretch was a lottery"
    new = TEXT.replace("Interviewer: What", "Interviewer: So, what")
    second = _span_of(TEXT, quote, 1)
    (result,) = reanchor(TEXT, new, [second])
    assert result.new_span == _span_of(new, quote, 1)


def test_anchor_reanchor_whitespace_change() -> None:
    old = "Jane: We argued about  baselines\nfor months."
    new = "Jane: We argued about baselines for months."
    (result,) = reanchor(old, new, [Span(6, len(old))])
    assert result.method == "whitespace"
    assert result.new_span == Span(6, len(new))


def test_anchor_reanchor_fuzzy_after_a_correction() -> None:
    old = TEXT
    new = TEXT.replace("We argued about baselines.", "We argued about the baseline.")
    quote_span = _span_of(old, "The stretch was a lottery. We argued about baselines.")
    (result,) = reanchor(old, new, [quote_span])
    assert result.method == "fuzzy"
    assert result.score >= 0.8
    assert result.new_span is not None
    assert new[result.new_span.start : result.new_span.end] == (
        "The stretch was a lottery. We argued about the baseline."
    )


def test_anchor_reanchor_reports_why_not_anchored() -> None:
    new = TEXT.replace("We argued about baselines.", "Everything changed here completely.")
    results = reanchor(TEXT, new, [_span_of(TEXT, "We argued about baselines."), Span(3, 3)])
    assert not results[0].anchored
    assert results[0].new_span is None
    assert results[0].reason is not None
    assert results[0].reason.startswith("quote not found")
    assert results[1].reason == "the span holds no text"


def test_anchor_reanchor_threshold_decides() -> None:
    new = TEXT.replace("We argued about baselines.", "We argued about indicators.")
    span = _span_of(TEXT, "We argued about baselines.")
    assert not reanchor(TEXT, new, [span], threshold=0.99)[0].anchored
    assert reanchor(TEXT, new, [span], threshold=0.5)[0].anchored


def test_anchor_reanchor_is_fast_for_long_texts_and_many_spans() -> None:
    ((_, old),) = generate_transcripts(1, words=20000, seed=3)
    rng = random.Random(1)
    starts = sorted(rng.sample(range(len(old) - 400), 500))
    spans = [Span(s, s + rng.randint(30, 300)) for s in starts]
    lines = old.split("\n")
    for i in range(5, len(lines), 40):  # corrections: a word changed in every 40th line
        lines[i] = lines[i].replace(" the ", " a ", 1)
    lines.insert(3, "Interviewer: A question added at the start.")
    new = "\n".join(lines)
    began = time.perf_counter()
    results = reanchor(old, new, spans)
    elapsed = time.perf_counter() - began
    assert elapsed < 5.0, f"reanchor took {elapsed:.2f} s"
    anchored = [r for r in results if r.anchored]
    assert len(anchored) >= 0.97 * len(spans)
    for result in anchored:
        assert result.new_span is not None
        if result.method == "exact":
            assert new[result.new_span.start : result.new_span.end] == result.quote
