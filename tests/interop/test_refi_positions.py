"""Choosing the counting unit per source and checking selections against their names."""

from __future__ import annotations

import pytest

from qualcode.interop.refi_qda.offsets import SourceText, Unit
from qualcode.interop.refi_qda.positions import SelectionPlacer, counting_units, name_matches


@pytest.mark.parametrize(
    ("origin", "first", "names"),
    [
        ("NVivo 12.6.0.959 (Windows)", Unit.UTF16, False),
        ("NVivo Mac 12.7", Unit.UTF16, False),
        ("QualCoder 3.5", Unit.UTF16, True),
        ("ATLAS.ti 23.2.1", Unit.CODEPOINT_CRLF_ONE, True),
        ("MAXQDA 2022", Unit.CODEPOINT, False),
        ("qualcode 0.1.0", Unit.CODEPOINT, True),
        ("", Unit.CODEPOINT, False),
    ],
)
def test_refi_positions_units_by_origin(origin: str, first: Unit, names: bool):
    units, carry = counting_units(origin)
    assert (units[0], carry) == (first, names)
    assert sorted(units, key=lambda u: u.value) == sorted(Unit, key=lambda u: u.value)


@pytest.mark.parametrize(
    ("name", "quote", "expected"),
    [
        ("staff turnover", "staff turnover", True),
        ("staff  turnover\n", "staff turnover", True),
        ("we\nfinally pooled", "we finally pooled", True),
        ("Joint commissioning wi…", "Joint commissioning with the PCT", True),
        ("Joint commissioning wi...", "Joint  commissioning\nwith the PCT", True),
        ("Joint commissioning wo…", "Joint commissioning with the PCT", False),
        ("Cafe\u0301", "Café", True),  # the name is compared in NFC
        ("Quotation 1:3", "What changed?", False),
        ("", "anything", False),
        ("…", "anything", False),
    ],
)
def test_refi_positions_name_matches(name: str, quote: str, expected: bool):
    assert name_matches(name, quote) is expected


def test_refi_positions_unit_is_chosen_by_names_then_by_selections_inside_the_text():
    text = SourceText("a 😀 b 😀 c 😀 target")
    start = text.text.index("target")
    by_names = SelectionPlacer(
        text, [(str(start), str(start + 6), "target")], units=list(Unit), names_carry_text=True
    )
    assert by_names.unit is Unit.CODEPOINT
    # with names that say nothing, UTF-16 wins only when code points fall outside the text
    end_u16 = len(text.text.encode("utf-16-le")) // 2
    by_range = SelectionPlacer(
        text,
        [("0", "1", ""), (str(end_u16 - 6), str(end_u16), "")],
        units=list(Unit),
        names_carry_text=False,
    )
    assert by_range.unit is Unit.UTF16
    placed = by_range.place(1)
    assert text.text[placed.span.start : placed.span.end] == "target"


def test_refi_positions_unplaceable_selections_say_why():
    text = SourceText("short")
    placer = SelectionPlacer(
        text,
        [("x", "3", ""), ("0", "50", ""), ("0", "5", "long")],
        units=[Unit.CODEPOINT],
        names_carry_text=True,
    )
    assert placer.place(0).problem == "its positions are not whole numbers ('x', '3')"
    assert placer.place(1).problem == "position 50 is outside the text (5 characters)"
    assert placer.place(2).span is None
    assert "does not match its name 'long'" in placer.place(2).problem
