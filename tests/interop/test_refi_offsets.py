"""Positions as tools count them <-> code points into the canonical (NFC, ``\\n``) text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.interop.refi_qda.offsets import SourceText, Unit, decode_source

# NFC-stable pieces: every boundary between pieces is a boundary in the canonical text too
STABLE = ["a", "b", " ", "é", "中", "😀", "𝄞", "\r\n", "\r", "\n", "’", "👩\u200d💻"]
texts = st.lists(st.sampled_from(STABLE), max_size=40)


def canonical(raw: str) -> str:
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def units_of(prefix: str, unit: Unit) -> int:
    """An independent count of ``prefix`` in ``unit``."""
    if unit.crlf_one:
        prefix = prefix.replace("\r\n", "\n")
    return len(prefix.encode("utf-16-le")) // 2 if unit.utf16 else len(prefix)


@given(texts, st.sampled_from(list(Unit)))
def test_refi_offsets_piece_boundaries_map_to_the_canonical_prefix(pieces: list[str], unit: Unit):
    raw = "".join(pieces)
    text = SourceText(raw)
    assert text.text == canonical(raw)
    for k in range(len(pieces) + 1):
        prefix = "".join(pieces[:k])
        if prefix.endswith("\r") and raw[len(prefix) :].startswith("\n"):
            continue  # a lone "\r" piece followed by "\n" is one CRLF, not a boundary
        position = units_of(prefix, unit)
        expected = len(canonical(prefix))
        assert text.to_canonical(position, unit) == expected
        assert text.from_canonical(expected, unit) == position


@given(texts, st.sampled_from(list(Unit)))
def test_refi_offsets_every_canonical_offset_round_trips(pieces: list[str], unit: Unit):
    text = SourceText("".join(pieces))
    for offset in range(len(text.text) + 1):
        assert text.to_canonical(text.from_canonical(offset, unit), unit) == offset


@given(st.lists(st.sampled_from([*STABLE, "e\u0301", "\u0301", "\u1100\u1161", "o\u0308\u0304"])))
def test_refi_offsets_decomposed_text_maps_monotonically_and_never_shrinks(pieces: list[str]):
    raw = "".join(pieces)
    text = SourceText(raw)
    assert text.text == canonical(raw)
    previous = 0
    for offset in range(len(raw) + 1):
        start = text.to_canonical(offset, Unit.CODEPOINT)
        end = text.to_canonical(offset, Unit.CODEPOINT, end=True)
        assert previous <= start <= end <= len(text.text)
        previous = start


def test_refi_offsets_utf16_selection_after_emoji_and_crlf():
    raw = "Q: Why? 😀😀\r\nA: Staff turnover hurt delivery.\r\n"
    quote = "Staff turnover"
    start_u16 = len(raw[: raw.index(quote)].encode("utf-16-le")) // 2
    text = SourceText(raw)
    span = text.span(start_u16, start_u16 + len(quote), Unit.UTF16)
    assert text.text[span.start : span.end] == quote
    # read as the standard's code points, the same numbers land 2 characters (emoji) late
    wrong = text.span(start_u16, start_u16 + len(quote), Unit.CODEPOINT)
    assert text.text[wrong.start : wrong.end] == "aff turnover h"


def test_refi_offsets_crlf_counted_as_one():
    raw = "line one\r\nline two\r\nthe quote"
    text = SourceText(raw)
    start = raw.replace("\r\n", "\n").index("the quote")
    span = text.span(start, start + 9, Unit.CODEPOINT_CRLF_ONE)
    assert text.text[span.start : span.end] == "the quote"


def test_refi_offsets_position_inside_crlf_or_surrogate_pair():
    text = SourceText("a\r\nb😀c")
    assert text.to_canonical(2, Unit.CODEPOINT) == 1  # between CR and LF: before the newline
    with pytest.raises(ValueError, match="surrogate"):
        text.to_canonical(5, Unit.UTF16)  # between the two halves of the emoji
    with pytest.raises(ValueError, match="outside"):
        text.span(0, 99, Unit.CODEPOINT)
    with pytest.raises(ValueError, match="before it starts"):
        text.span(3, 1, Unit.CODEPOINT)


def test_refi_offsets_composed_characters_move_outwards():
    raw = "Cafe\u0301 au lait"
    text = SourceText(raw)
    assert text.text == "Café au lait"
    # a selection of "e" alone (before the accent) widens to the composed "é"
    span = text.span(3, 4, Unit.CODEPOINT)
    assert text.text[span.start : span.end] == "é"
    after = text.span(raw.index("au"), raw.index("au") + 2, Unit.CODEPOINT)
    assert text.text[after.start : after.end] == "au"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"\xef\xbb\xbfcaf\xc3\xa9\r\n", "café\r\n", "utf-8-sig"),
        ("café\r\n".encode("utf-16"), "café\r\n", "utf-16"),
        (b"caf\xc3\xa9", "café", "utf-8"),
        (b"caf\xe9 \x93quoted\x94", "café “quoted”", "cp1252"),
    ],
)
def test_refi_offsets_decode_keeps_line_breaks_and_strips_bom(
    data: bytes, text: str, encoding: str
):
    assert decode_source(data) == (text, encoding)
