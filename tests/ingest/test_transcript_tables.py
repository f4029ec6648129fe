"""Tables: transcript layouts (speaker | [time] | text) versus ordinary tables."""

from __future__ import annotations

from qualcode.ingest.paragraphs import Paragraph
from qualcode.ingest.tables import table_paragraphs


def _rows(*rows: tuple[str, ...]) -> list[list[list[Paragraph]]]:
    return [[[Paragraph(cell)] if cell else [] for cell in row] for row in rows]


def test_tables_two_columns_with_header_and_continuation() -> None:
    out = table_paragraphs(
        _rows(
            ("Speaker", "Text"),
            ("Interviewer:", "Why the stretch?"),
            ("R1", "It was ambitious."),
            ("", "Too ambitious."),
            ("Interviewer:", "Thanks."),
        )
    )
    assert [(p.text, p.speaker, p.continues) for p in out] == [
        ("Why the stretch?", "Interviewer", False),
        ("It was ambitious.", "R1", False),
        ("Too ambitious.", None, True),
        ("Thanks.", "Interviewer", False),
    ]


def test_tables_three_columns_time_in_any_column() -> None:
    out = table_paragraphs(
        _rows(
            ("00:00:05", "Jane Smith", "We met the police."),
            ("00:01:10", "Interviewer", "And then?"),
        )
    )
    assert [(p.speaker, p.timestamp, p.text) for p in out] == [
        ("Jane Smith", 5.0, "We met the police."),
        ("Interviewer", 70.0, "And then?"),
    ]


def test_tables_metadata_table_is_plain_paragraphs() -> None:
    out = table_paragraphs(
        _rows(("Interviewee", "Jane Smith, LPSA coordinator"), ("Date", "12 May 2005"))
    )
    assert [(p.text, p.speaker) for p in out] == [
        ("Interviewee", None),
        ("Jane Smith, LPSA coordinator", None),
        ("Date", None),
        ("12 May 2005", None),
    ]


def test_tables_wide_or_prose_tables_are_plain_paragraphs() -> None:
    wide = table_paragraphs(_rows(("a", "b", "c", "d"), ("e", "f", "g", "h")))
    assert [p.text for p in wide] == list("abcdefgh")
    prose = table_paragraphs(
        _rows(
            ("the first long sentence of prose here", "x"),
            ("the first long sentence of prose here", "y"),
        )
    )
    assert all(p.speaker is None for p in prose)
