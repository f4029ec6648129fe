"""The exchange model of a whole project: plain dataclasses the REFI-QDA reader and writer use.

``services/interchange.py`` translates between these and database rows; the format code in
``interop/refi_qda`` never sees the database.

Conventions every producer and consumer of a snapshot relies on:

- Identifiers are GUID strings, lower case without braces when they are GUIDs; identifiers
  that are not GUIDs (some tools write ``c001``) are kept as they are.
- ``SourceRec.text`` is canonical (Unicode NFC, ``\\n`` line endings) and every selection's
  ``start``/``end`` are half-open code-point offsets into it, with
  ``source.text[start:end] == selection.text``. Conversion from a tool's counting unit happens
  in the reader, never here.
- Variable values are keyed by the ``VariableRec.guid`` they belong to.
- A note is attached to the GUIDs in ``NoteRec.targets`` (codes, sources, selections, codings,
  cases); a note with no targets belongs to the project. ``SelectionRec.notes`` repeats, for
  convenience, the GUIDs of the notes attached to that selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from qualcode.interop.codebook_spec import CodebookSpec

VarValue = str | bool | int | float | date | datetime

VARIABLE_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")


@dataclass
class UserRec:
    guid: str
    name: str


@dataclass
class CodingRec:
    """One code applied to a selection by one coder."""

    guid: str
    code_guid: str
    creating_user: str | None = None


@dataclass
class SelectionRec:
    """A coded (or annotated) span of a source; ``text`` is the quoted text."""

    guid: str
    source_guid: str
    start: int
    end: int
    text: str
    creating_user: str | None = None
    codings: list[CodingRec] = field(default_factory=list)
    description: str = ""  # a comment on the selection (MAXQDA's coding comments, ATLAS.ti 26)
    notes: list[str] = field(default_factory=list)  # GUIDs of notes attached to it


@dataclass
class SourceRec:
    guid: str
    name: str
    text: str
    variables: dict[str, VarValue] = field(default_factory=dict)
    description: str = ""


@dataclass
class VariableRec:
    """A case or document attribute; ``type`` is one of :data:`VARIABLE_TYPES`."""

    guid: str
    name: str
    type: str = "Text"
    description: str = ""


@dataclass
class CaseRec:
    guid: str
    name: str
    description: str = ""
    variables: dict[str, VarValue] = field(default_factory=dict)
    source_guids: list[str] = field(default_factory=list)


@dataclass
class NoteRec:
    """A memo; ``targets`` are the GUIDs it is attached to (empty: the project)."""

    guid: str
    name: str
    text: str
    creating_user: str | None = None
    targets: list[str] = field(default_factory=list)


@dataclass
class SetRec:
    """A named group of codes, sources or notes."""

    guid: str
    name: str
    member_guids: list[str] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class SkippedItem:
    """Something in an imported file that qualcode could not carry over, and why."""

    kind: str  # "selection", "coding", "source", "variable value", "note", "link", ...
    item: str  # what the user would recognise: a name, a GUID, "Interview 3 [120, 180)"
    reason: str


@dataclass
class ImportReport:
    """What an import carried over (counts per kind) and what it did not (with reasons).

    The REFI-QDA standard asks importers for a data-loss warning; this is it.
    """

    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedItem] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # decisions worth telling the user

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def skip(self, kind: str, item: str, reason: str) -> None:
        self.skipped.append(SkippedItem(kind, item, reason))

    def skipped_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.skipped:
            out[item.kind] = out.get(item.kind, 0) + 1
        return out


@dataclass
class ProjectSnapshot:
    name: str
    description: str = ""
    origin: str = ""
    users: list[UserRec] = field(default_factory=list)
    codebook: CodebookSpec = field(default_factory=CodebookSpec)
    sources: list[SourceRec] = field(default_factory=list)
    selections: list[SelectionRec] = field(default_factory=list)
    variables: list[VariableRec] = field(default_factory=list)
    cases: list[CaseRec] = field(default_factory=list)
    notes: list[NoteRec] = field(default_factory=list)
    sets: list[SetRec] = field(default_factory=list)
    # how the snapshot was read; not part of the project's content, so not compared
    report: ImportReport = field(default_factory=ImportReport, compare=False)
