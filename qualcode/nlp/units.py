"""Split a transcript into units of suggestion: respondents' turns and their sentences.

Interviewer turns are not suggested codes (unless asked for), but the interviewer's last
question is carried as the ``context`` of every answer unit after it: what was asked is strong
evidence for what the answer is about. A document without turns is split by paragraph (one
line each, per the text model). Every unit is trimmed of surrounding whitespace and satisfies
``text[unit.start:unit.end] == unit.text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.nlp import TextUnit, UnitKind
from qualcode.text.spans import Span, trim
from qualcode.text.transcript import TurnData

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

MIN_SENTENCE_WORDS = 3  # shorter sentences ("Yes.", "Right.") are offered only as whole turns
MAX_CONTEXT_CHARS = 500  # the end of a long interviewer turn is where the question is


def paragraphs(text: str) -> list[TurnData]:
    """One pseudo-turn per non-empty line, for documents without speaker turns."""
    out: list[TurnData] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            out.append(TurnData(start, end))
        start = end + 1
    return out


def question_of(text: str, turn: TurnData) -> str:
    """What an interviewer turn asks: its words, or the end of them when the turn is long."""
    span = trim(text, Span(turn.start, turn.end))
    question = text[span.start : span.end]
    if len(question) > MAX_CONTEXT_CHARS:
        question = question[-MAX_CONTEXT_CHARS:].split(" ", 1)[-1]
    return question


def make_units(
    text: str,
    turns: Sequence[TurnData],
    *,
    document_id: int = 0,
    include_interviewer: bool = False,
    nlp: Language | None = None,
) -> list[TextUnit]:
    """The document's units: each respondent turn, and its sentences when it has several."""
    from qualcode.nlp.pipeline import build_nlp

    nlp = nlp or build_nlp()
    turns = sorted(turns or paragraphs(text), key=lambda t: (t.start, t.end))
    chosen: list[tuple[TurnData, Span, str]] = []
    question = ""
    for turn in turns:
        span = trim(text, Span(turn.start, min(turn.end, len(text))))
        if turn.is_interviewer:
            if include_interviewer and len(span):
                chosen.append((turn, span, question))
            question = question_of(text, turn)
        elif len(span):
            chosen.append((turn, span, question))
    units: list[TextUnit] = []
    spoken = (text[span.start : span.end] for _, span, _ in chosen)
    for (turn, span, context), doc in zip(chosen, nlp.pipe(spoken, batch_size=64), strict=True):
        units.append(_unit(text, document_id, span, "turn", turn, context, doc))
        sentences = [
            (trim(text, Span(span.start + s.start_char, span.start + s.end_char)), s)
            for s in doc.sents
            if sum(1 for t in s if not (t.is_punct or t.is_space)) >= MIN_SENTENCE_WORDS
        ]
        if len(sentences) > 1 or (sentences and sentences[0][0] != span):
            units.extend(
                _unit(text, document_id, s, "sentence", turn, context, sent)
                for s, sent in sentences
                if len(s)
            )
    return units


def _unit(
    text: str,
    document_id: int,
    span: Span,
    kind: UnitKind,
    turn: TurnData,
    context: str,
    doc: Doc | SpacySpan,
) -> TextUnit:
    """A unit, carrying the analysis it was cut from (the turn's doc, or the sentence in it)."""
    return TextUnit(
        document_id,
        span.start,
        span.end,
        text[span.start : span.end],
        kind,
        turn.speaker,
        turn.is_interviewer,
        context,
        doc,
    )
