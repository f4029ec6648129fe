"""normalize_text, single_line, text_hash and word_count: the canonical text rules."""

from __future__ import annotations

import hashlib
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.text.normalize import normalize_text, single_line, text_hash, word_count

DECOMPOSED_CAFE = "cafe\u0301"  # e + combining acute accent


def test_normalize_line_endings_become_newlines() -> None:
    assert normalize_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_normalize_unicode_line_separators_become_newlines() -> None:
    assert normalize_text("a\u2028b\u2029c\x85d\x0ce") == "a\nb\nc\nd\ne"


def test_normalize_composes_to_nfc() -> None:
    assert normalize_text(DECOMPOSED_CAFE) == "café"
    assert len(normalize_text(DECOMPOSED_CAFE)) == 4


def test_normalize_strips_bom_and_control_characters_but_keeps_tabs() -> None:
    assert (
        normalize_text("\ufeffInterviewer:\tyes\x00\x07\x1b[0m\x7f\x9b") == "Interviewer:\tyes[0m"
    )


def test_normalize_strips_trailing_spaces_on_every_line() -> None:
    assert normalize_text("one  \ntwo\t\nthree\u00a0\n  four ") == "one\ntwo\nthree\n  four"


def test_normalize_keeps_leading_and_inner_spaces() -> None:
    assert normalize_text("  a  b\n\n\nc") == "  a  b\n\n\nc"


def test_single_line_collapses_all_whitespace() -> None:
    assert single_line("  So\ttell\r\nme \u2028 more  ") == "So tell me more"
    assert single_line(DECOMPOSED_CAFE + "  au\u0000lait") == "café aulait"


def test_single_line_returns_clean_text_unchanged() -> None:
    clean = "Interviewer: So tell me about the stretch targets."
    assert single_line(clean) is clean


def test_text_hash_is_sha256_of_utf8() -> None:
    assert text_hash("café") == hashlib.sha256("café".encode()).hexdigest()
    assert text_hash("a") != text_hash("b")


def test_word_count_counts_words_not_punctuation() -> None:
    assert word_count("Interviewer: don't – well-being, 2.5 per cent!") == 6
    assert word_count("") == 0
    assert word_count(" — ... ") == 0


@settings(deadline=None)
@given(st.text())
def test_normalize_is_idempotent_and_canonical(s: str) -> None:
    out = normalize_text(s)
    assert normalize_text(out) == out
    assert "\r" not in out
    assert "\ufeff" not in out
    assert unicodedata.is_normalized("NFC", out)
    assert all(line == line.rstrip() for line in out.split("\n"))
    assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in out)


@settings(deadline=None)
@given(st.text())
def test_single_line_is_normalised_and_has_no_line_breaks(s: str) -> None:
    out = single_line(s)
    assert out == normalize_text(out)
    assert out.split() == out.split(" ") if out else True
    assert len(out.splitlines()) <= 1
    assert single_line(out) == out


@settings(deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cf", "Cs"))))
def test_normalize_keeps_every_word(s: str) -> None:
    assert normalize_text(s).split() == unicodedata.normalize("NFC", s).split()
