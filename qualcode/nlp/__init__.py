"""NLP-assisted code suggestions: plain data in, scored and explained suggestions out.

The public types live here; the work happens in modules that import spaCy and scikit-learn
only when they are loaded (``engine``, ``rules``, ``classifier``, ``similarity`` ...), so
importing this package costs nothing. A caller fits an :class:`~qualcode.nlp.engine.Engine` on
the project's codes, examples and decisions, then asks it for suggestions on ``TextUnit``\\ s
made by :func:`qualcode.nlp.units.make_units`.

Offsets are code points into the document's text (DESIGN.md, the text and offset model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

UnitKind = Literal["sentence", "turn"]


@dataclass(frozen=True)
class TextUnit:
    """A passage that can be suggested a code: a respondent's sentence or whole turn.

    ``context`` is the interviewer's question before it (empty if none): strong evidence for
    what the answer is about. ``doc`` is the spaCy analysis of ``text`` when the unit was cut
    from one (``units.make_units``), so the engine need not analyse the text again; it is not
    part of the unit's identity.
    """

    document_id: int
    start: int
    end: int
    text: str
    kind: UnitKind
    speaker: str | None = None
    is_interviewer: bool = False
    context: str = ""
    doc: Doc | Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CodeInfo:
    """What the engine knows about a code: its codebook entry (``path`` is ``A/B``)."""

    id: int
    path: str
    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    typical_example: str = ""
    atypical_example: str = ""
    keywords: list[str] = field(default_factory=list)

    def description(self) -> str:
        """The code's own words: name, definition, inclusion criteria, examples, keywords."""
        parts = [
            self.name,
            self.definition,
            self.inclusion,
            self.typical_example,
            self.atypical_example,
            *self.keywords,
        ]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Example:
    """A training example: ``text`` was coded with ``code_id`` (``positive``), or a suggestion
    of ``code_id`` on it was rejected (a negative for that code only)."""

    text: str
    code_id: int
    positive: bool
    document_id: int | None = None
    context: str = ""


@dataclass(frozen=True)
class Decision:
    """A coder's answer to a suggestion; ``rationale`` is the suggestion's, so a rule can find
    its own track record (``rationale["rule"]["phrase"]``)."""

    code_id: int
    accepted: bool
    method: str = ""
    rationale: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A suggested code for a span, with a score in [0, 1] and why.

    ``confidence`` is a calibrated percentage such as ``"72%"`` once the code has enough
    evidence (``engine.CALIBRATED_AT``), otherwise ``"low"``, ``"medium"`` or ``"high"``.
    ``method`` names the suggester that weighed most (``rules``, ``classifier``,
    ``similarity``); ``rationale`` is JSON-serialisable.
    """

    document_id: int
    start: int
    end: int
    text: str
    code_id: int
    score: float
    confidence: str
    method: str
    rationale: dict[str, Any]
    model_version: str


class Suggester(Protocol):
    """One source of suggestions; the engine blends several."""

    name: str

    def suggest(self, units: Sequence[TextUnit]) -> Iterable[Suggestion]: ...

    def update(self, decisions: Sequence[Decision]) -> None: ...


# A factory takes (codes, examples=(), nlp=None) and returns a ready suggester.
SuggesterFactory = Callable[..., Suggester]


def _rules(
    codes: Sequence[CodeInfo], examples: Sequence[Example] = (), nlp: Language | None = None
) -> Suggester:
    from qualcode.nlp.rules import RuleSuggester

    return RuleSuggester(codes, nlp=nlp)  # rules learn from decisions, not examples


def _classifier(
    codes: Sequence[CodeInfo], examples: Sequence[Example] = (), nlp: Language | None = None
) -> Suggester:
    from qualcode.nlp.classifier import ClassifierSuggester

    return ClassifierSuggester(codes, examples, nlp=nlp)


def _similarity(
    codes: Sequence[CodeInfo], examples: Sequence[Example] = (), nlp: Language | None = None
) -> Suggester:
    from qualcode.nlp.similarity import SimilaritySuggester

    return SimilaritySuggester(codes, examples, nlp=nlp)


SUGGESTERS: dict[str, SuggesterFactory] = {
    "rules": _rules,
    "classifier": _classifier,
    "similarity": _similarity,
}

__all__ = [
    "SUGGESTERS",
    "CodeInfo",
    "Decision",
    "Example",
    "Suggester",
    "Suggestion",
    "TextUnit",
]
