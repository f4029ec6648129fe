"""Word search terms and keyword-in-context lines."""

from __future__ import annotations

from qualcode.services.kwic import kwic, matches, parse_terms

TEXT = "The pump-priming grant helped. Pump priming money, negotiated late, was the key."


def test_kwic_terms_match_whole_words_phrases_hyphens_and_prefixes():
    assert [m for m in matches(TEXT, parse_terms('"pump priming"'))] == [(4, 16), (31, 43)]
    assert matches(TEXT, parse_terms("negotiat*")) == [(51, 61)]
    assert matches(TEXT, parse_terms("negotiat")) is None  # whole words only
    assert matches(TEXT, parse_terms("grant key")) == [(17, 22), (76, 79)]
    assert matches(TEXT, parse_terms("grant missing")) is None  # every term must match
    assert parse_terms("  ") == []


def test_kwic_cuts_context_at_word_boundaries_on_one_line():
    line = kwic("one two three\nfour five six seven", 14, 18, width=9)
    assert (line.left, line.match, line.right) == ("three ", "four", " five six")
    assert (line.start, line.end) == (14, 18)
    shifted = kwic("abc def", 4, 7, offset=100)
    assert (shifted.left, shifted.match, shifted.start) == ("abc ", "def", 104)
