"""Codings, comments and memos: the import steps that annotate the documents.

Mixed into :class:`~qualcode.services.interchange_import.Importer`, which has already mapped
the snapshot's users, codes, cases and sources to rows when these steps run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.interop.snapshot import ImportReport, ProjectSnapshot
from qualcode.models import Case, Coding, Document, Memo, Origin, Project
from qualcode.services import users as user_service
from qualcode.services.coding import apply_code
from qualcode.services.interchange_guids import GuidPool
from qualcode.services.interchange_text import CanonicalText
from qualcode.services.memos import create_memo
from qualcode.text.spans import Span, trim

if TYPE_CHECKING:
    from qualcode.services.interchange_import import ImportResult

UNATTRIBUTED = "imported"  # pseudo-coder of codings and memos no user can be found for


class AnnotationSteps:
    """Selections to codings (and comments), notes to memos."""

    session: Session
    project: Project
    snap: ProjectSnapshot
    user_id: int | None
    report: ImportReport
    guids: GuidPool
    users: dict[str, int]  # user GUID -> user id
    codes: dict[str, int]  # code GUID -> code id
    cases: dict[str, Case]  # case GUID -> case
    docs: dict[str, tuple[Document, CanonicalText]]  # source GUID -> document
    spans: dict[str, tuple[Document, Span]]  # selection GUID -> where it landed
    codings: dict[str, int]  # coding GUID -> coding id
    _coding_keys: dict[int, dict[tuple[int, int, int, int], int]]
    _fallback: int | None
    result: ImportResult

    def _user(self, guid: str | None) -> int:
        if guid and guid in self.users:
            return self.users[guid]
        if self._fallback is None:
            self._fallback = user_service.system_user(self.session, UNATTRIBUTED).id
            self.report.messages.append(
                f"codings and memos that name no user are attributed to '{UNATTRIBUTED}'"
            )
        return self._fallback

    # -- selections and codings -------------------------------------------------------------

    def _selections(self) -> None:
        sources = {source.guid: source for source in self.snap.sources}
        for sel in self.snap.selections:
            label = (
                f"{sources[sel.source_guid].name} [{sel.start}, {sel.end})"
                if sel.source_guid in sources
                else sel.guid
            )
            if sel.source_guid not in self.docs:
                self.report.skip("selection", label, "its source was not imported")
                continue
            doc, canonical = self.docs[sel.source_guid]
            original = sources[sel.source_guid].text
            if not 0 <= sel.start <= sel.end <= len(original):
                self.report.skip("selection", label, "it lies outside its source's text")
                continue
            if original[sel.start : sel.end] != sel.text:
                self.report.skip("selection", label, "its quote differs from its source's text")
                continue
            span = canonical.span(sel.start, sel.end)
            self.spans[sel.guid] = (doc, span)
            made: list[int] = []
            for rec in sel.codings:
                code_id = self.codes.get(rec.code_guid)
                if code_id is None:
                    self.report.skip(
                        "coding", label, f"it refers to an unknown code {rec.code_guid}"
                    )
                    continue
                coder = self._user(rec.creating_user or sel.creating_user)
                coding_id = self._code(doc, code_id, coder, span, rec.guid, label)
                if coding_id is not None:
                    self.codings[rec.guid] = coding_id
                    made.append(coding_id)
            if sel.description.strip():
                anchor: dict[str, Any] = (
                    {"coding_id": made[0]}
                    if len(made) == 1
                    else {"document_id": doc.id, "span": span}
                )
                if self._memo_exists(sel.description, anchor):
                    continue
                create_memo(
                    self.session, self.project, author_id=self._user(sel.creating_user),
                    text=sel.description, title="Comment", **anchor,
                )  # fmt: skip
                self.result.count("comments")

    def _memo_exists(self, text: str, anchor: dict[str, Any]) -> bool:
        """Whether the project has this comment already (the same file imported again)."""
        stmt = select(Memo.id).where(Memo.project_id == self.project.id, Memo.text == text)
        for key, value in anchor.items():
            if isinstance(value, Span):
                stmt = stmt.where(Memo.start == value.start, Memo.end == value.end)
            else:
                stmt = stmt.where(getattr(Memo, key) == value)
        return self.session.scalar(stmt.limit(1)) is not None

    def _code(self, doc: Document, code_id: int, coder: int, span: Span, guid: str,
              label: str) -> int | None:  # fmt: skip
        trimmed = trim(doc.text, span)
        if not len(trimmed):
            self.report.skip("coding", label, "the selection holds only white space")
            return None
        keys = self._keys(doc.id)
        key = (code_id, coder, trimmed.start, trimmed.end)
        if key in keys:
            self.result.count("codings already present")
            return keys[key]
        with self.session.no_autoflush:  # apply_code flushes once; no flush for its lookup
            coding = apply_code(
                self.session, document_id=doc.id, code_id=code_id, span=trimmed, coder_id=coder,
                origin=Origin.IMPORT, actor_id=self.user_id,
            )  # fmt: skip
        self.guids.assign(coding, guid)
        keys[key] = coding.id
        self.result.count("codings")
        return coding.id

    def _keys(self, doc_id: int) -> dict[tuple[int, int, int, int], int]:
        if doc_id not in self._coding_keys:
            rows = self.session.execute(
                select(Coding.code_id, Coding.coder_id, Coding.start, Coding.end, Coding.id).where(
                    Coding.document_id == doc_id
                )
            )
            self._coding_keys[doc_id] = {(c, u, s, e): i for c, u, s, e, i in rows}
        return self._coding_keys[doc_id]

    # -- notes ------------------------------------------------------------------------------

    def _notes(self) -> None:
        for note in self.snap.notes:
            present = self.guids.owner(Memo, note.guid)
            if present is not None and present.project_id == self.project.id:
                self.result.count("notes already present")
                continue
            if not note.text.strip() and not note.name.strip():
                self.report.skip("note", note.guid, "it is empty")
                continue
            if len(note.targets) > 1:
                self.report.messages.append(
                    f"note {note.name}: attached to {len(note.targets)} items, one memo each"
                )
            for n, target in enumerate(note.targets or [None]):
                anchor = self._anchor(target, note.name)
                memo = create_memo(
                    self.session, self.project, author_id=self._user(note.creating_user),
                    text=note.text, title=note.name, **anchor,
                )  # fmt: skip
                if n == 0:
                    self.guids.assign(memo, note.guid)
                self.result.count("notes")

    def _anchor(self, target: str | None, name: str) -> dict[str, Any]:
        if target is None:
            return {}
        if target in self.codes:
            return {"code_id": self.codes[target]}
        if target in self.docs:
            return {"document_id": self.docs[target][0].id}
        if target in self.cases:
            return {"case_id": self.cases[target].id}
        if target in self.codings:
            return {"coding_id": self.codings[target]}
        if target in self.spans:
            doc, span = self.spans[target]
            return {"document_id": doc.id, "span": span}
        self.report.messages.append(
            f"note {name}: its item {target} was not imported; kept as a project memo"
        )
        return {}
