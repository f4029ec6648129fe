"""Tables in word-processor documents: a transcript laid out as a table, or an ordinary table.

Transcribers often use a two- or three-column table: speaker | text, or speaker | time | text
(in any column order). :func:`table_paragraphs` recognises that layout and attributes each
row to its speaker; any other table is read cell by cell, row by row, as plain paragraphs.
A table is taken as a transcript when every row has two or three cells, one column holds
speaker names (which recur, or come with a time column) and another the longer text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qualcode.ingest.paragraphs import Paragraph
from qualcode.text.speakers import NOT_SPEAKERS, parse_timestamp, plausible_name

Cell = Sequence[Paragraph]
Row = Sequence[Cell]

_HEADER_WORDS = frozenset(
    {
        "speaker", "name", "who", "person", "participant", "time", "timestamp", "start",
        "text", "transcript", "dialogue", "content", "speech", "utterance", "words",
    }
)  # fmt: skip


def _cell_text(cell: Cell) -> str:
    return " ".join(" ".join(p.text for p in cell).split())


def _speaker_name(value: str) -> str:
    return value.rstrip(" :-–—")


def _time(value: str) -> float | None:
    return parse_timestamp(value.strip("[]() ")) if value else None


def _layout(texts: list[list[str]]) -> tuple[int, int | None, int] | None:
    """(speaker column, time column, text column) if the rows read as a transcript."""
    width = len(texts[0])
    columns = [[row[i] for row in texts if row[i]] for i in range(width)]
    times = [i for i, col in enumerate(columns) if col and all(_time(v) is not None for v in col)]
    time_column = times[0] if width == 3 and times else None
    rest = [i for i in range(width) if i != time_column]
    if len(rest) != 2:
        return None

    def mean_length(i: int) -> float:
        return sum(map(len, columns[i])) / max(1, len(columns[i]))

    speaker_column, text_column = sorted(rest, key=mean_length)
    speakers = [_speaker_name(v) for v in columns[speaker_column]]
    if not speakers or not all(plausible_name(s) for s in speakers):
        return None
    if any(s.casefold() in NOT_SPEAKERS for s in speakers):
        return None
    if mean_length(text_column) <= mean_length(speaker_column):
        return None
    recurring = len({s.casefold() for s in speakers}) < len(speakers)
    if not recurring and time_column is None:
        return None
    return speaker_column, time_column, text_column


def table_paragraphs(rows: Sequence[Row]) -> list[Paragraph]:
    """The paragraphs of a table: attributed by row if it is a transcript table."""
    rows = [row for row in rows if any(_cell_text(cell) for cell in row)]
    texts = [[_cell_text(cell) for cell in row] for row in rows]
    if rows and texts[0] and all(c.casefold().rstrip(":") in _HEADER_WORDS for c in texts[0] if c):
        rows, texts = rows[1:], texts[1:]
    widths = {len(row) for row in rows}
    layout = _layout(texts) if len(rows) >= 2 and len(widths) == 1 and widths <= {2, 3} else None
    if layout is None:
        return [p for row in rows for cell in row for p in cell]
    speaker_column, time_column, text_column = layout
    out: list[Paragraph] = []
    for row, text in zip(rows, texts, strict=True):
        speaker = _speaker_name(text[speaker_column])
        stamp = _time(text[time_column]) if time_column is not None else None
        cell = [p for p in row[text_column] if p.text.strip()]
        for index, paragraph in enumerate(cell):
            if index == 0 and speaker:
                out.append(replace(paragraph, speaker=speaker, timestamp=stamp))
            else:
                stamp = stamp if index == 0 else None
                out.append(replace(paragraph, continues=True, timestamp=stamp))
    return out
