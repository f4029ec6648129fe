"""The import itself: one pass over a snapshot, in the order rows depend on each other.

Users, then codes, attribute definitions, cases, documents, codings and memos; the decisions
each step takes are listed in :mod:`qualcode.services.interchange`.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.interop.codebook_spec import CodeSpec
from qualcode.interop.snapshot import ImportReport, ProjectSnapshot, VarValue
from qualcode.models import (
    AttributeDef,
    AttributeScope,
    Case,
    Code,
    Document,
    Membership,
    Project,
    Role,
    User,
)
from qualcode.services import audit
from qualcode.services import codebook as codebook_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.services.codebook_io import import_spec
from qualcode.services.interchange_annotations import AnnotationSteps
from qualcode.services.interchange_guids import GuidPool
from qualcode.services.interchange_text import CanonicalText, canonical_text
from qualcode.services.interchange_values import attribute_type, choices_of, stored_value
from qualcode.services.memos import create_memo
from qualcode.text.normalize import text_hash
from qualcode.text.spans import Span
from qualcode.text.transcript import Transcript, find_turns

IMPORTED_ACTION = "interchange.imported"
DESCRIPTION_MEMO = "description"  # Memo.kind of a source's description
_AUDIT_LIMIT = 500  # skipped items kept in the audit event


@dataclass
class ImportResult:
    """What an import wrote (counts per kind) and its report (the reader's and ours)."""

    project_id: int
    imported: dict[str, int] = field(default_factory=dict)
    report: ImportReport = field(default_factory=ImportReport)
    read: dict[str, int] = field(default_factory=dict)  # what the file held, per kind
    event_id: int | None = None  # the audit event that keeps this report

    def count(self, kind: str, n: int = 1) -> None:
        if n:
            self.imported[kind] = self.imported.get(kind, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "imported": dict(self.imported),
            "read": dict(self.read),
            "skipped": [
                {"kind": s.kind, "item": s.item, "reason": s.reason} for s in self.report.skipped
            ],
            "skipped_counts": self.report.skipped_counts(),
            "messages": list(self.report.messages),
        }


def _free_username(session: Session, name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_name).strip("-.").lower()[:56] or "user"
    username, n = base, 2
    while user_service.get_user(session, username, missing_ok=True) is not None:
        username, n = f"{base}-{n}", n + 1
    return username


class Importer(AnnotationSteps):
    """Adds a snapshot to a project: :meth:`run` takes each step in dependency order."""

    def __init__(
        self,
        session: Session,
        project: Project,
        snapshot: ProjectSnapshot,
        user_id: int | None,
        file_name: str = "",
    ) -> None:
        self.file_name = file_name
        self.session = session
        self.project = project
        self.snap = snapshot
        self.user_id = user_id
        self.result = ImportResult(project.id, read=dict(snapshot.report.counts))
        self.report = self.result.report
        self.report.skipped.extend(snapshot.report.skipped)
        self.report.messages.extend(snapshot.report.messages)
        self.guids = GuidPool(session, snapshot)
        self.users: dict[str, int] = {}  # user GUID -> user id
        self.codes: dict[str, int] = {}  # code GUID -> code id
        self.attrs: dict[tuple[str, AttributeScope], AttributeDef] = {}
        self.cases: dict[str, Case] = {}  # case GUID -> case
        self.case_of: dict[str, Case] = {}  # source GUID -> its (first) case
        self.docs: dict[str, tuple[Document, CanonicalText]] = {}  # source GUID -> document
        self.spans: dict[str, tuple[Document, Span]] = {}  # selection GUID -> where it landed
        self.codings: dict[str, int] = {}  # coding GUID -> coding id
        self._coding_keys: dict[int, dict[tuple[int, int, int, int], int]] = {}
        self._fallback: int | None = user_id
        self._held: list[object] = []

    def run(self) -> ImportResult:
        self._users()
        inactive = self._codebook()
        self._variables()
        self._cases()
        self._sources()
        self._selections()
        self._notes()
        for code_id in inactive:
            code = self.session.get(Code, code_id)
            if code is not None and code.active:
                codebook_service.update_code(self.session, code, user_id=self.user_id, active=False)
        for set_rec in self.snap.sets:
            reason = f"sets are not carried over ({len(set_rec.member_guids)} members)"
            self.report.skip("set", set_rec.name, reason)
        if self.guids.replaced:
            self.report.messages.append(
                f"{self.guids.replaced} GUIDs were already used in this database (the same "
                "items imported before): those items were given new GUIDs"
            )
        if self.snap.description and not self.project.description:
            self.project.description = self.snap.description
        event = audit.record(
            self.session, IMPORTED_ACTION, self.project, project_id=self.project.id,
            user_id=self.user_id, detail=self._audit_detail(),
        )  # fmt: skip
        self.session.flush()
        self.result.event_id = event.id
        return self.result

    def _audit_detail(self) -> dict[str, Any]:
        detail = self.result.to_dict()
        detail["name"] = self.snap.name
        detail["file"] = self.file_name
        detail["origin"] = self.snap.origin
        if len(detail["skipped"]) > _AUDIT_LIMIT:
            detail["skipped"] = detail["skipped"][:_AUDIT_LIMIT]
            detail["skipped_truncated"] = True
        return detail

    # -- users ------------------------------------------------------------------------------

    def _users(self) -> None:
        for rec in self.snap.users:
            user = self.guids.owner(User, rec.guid)
            if user is None and user_service.USERNAME.match(rec.name):
                user = user_service.get_user(self.session, rec.name, missing_ok=True)
                if user is not None:
                    self.report.messages.append(
                        f"user {rec.name}: matched the existing account {user.username} by name"
                    )
            if user is None:
                user = user_service.create_user(
                    self.session, _free_username(self.session, rec.name),
                    display_name=rec.name[:200], actor_id=self.user_id,
                )  # fmt: skip
                self.guids.assign(user, rec.guid)
                self.result.count("users")
            self.users[rec.guid] = user.id
            member = self.session.scalar(
                select(Membership.id).where(
                    Membership.project_id == self.project.id, Membership.user_id == user.id
                )
            )
            if member is None:
                project_service.add_member(
                    self.session, self.project, user, Role.CODER, actor_id=self.user_id
                )
                self.result.count("members")

    # -- codebook ---------------------------------------------------------------------------

    def _codebook(self) -> list[int]:
        """Import the codes (all active at first, so codings can be applied to them); return
        the ids of the codes the file marks inactive."""
        spec = copy.deepcopy(self.snap.codebook)
        renamed: dict[str, str] = {}
        inactive: list[CodeSpec] = []
        self._tidy(spec.codes, "", "", renamed, inactive)
        for chapter in spec.chapters:
            for section in chapter.sections:
                section.codes = [renamed.get(path, path) for path in section.codes]
        counts = import_spec(self.session, self.project, spec, user_id=self.user_id)
        self.result.count("codes", counts["created"])
        if counts["updated"]:
            self.result.count("codes merged", counts["updated"])
            self.report.messages.append(
                f"{counts['updated']} codes were already in the project (same path): updated"
            )
        if counts["chapters"]:
            self.result.count("chapters", counts["chapters"])
        self._link_codes(spec.codes)
        return [self.codes[c.guid] for c in inactive if c.guid and c.guid in self.codes]

    def _tidy(self, nodes: Sequence[CodeSpec], old: str, new: str, renamed: dict[str, str],
              inactive: list[CodeSpec]) -> None:  # fmt: skip
        seen: set[str] = set()
        for node in nodes:
            old_path = f"{old}/{node.name}" if old else node.name
            base = node.name.replace("/", "-").strip()[:190] or "(unnamed code)"
            name, n = base, 2
            while name.lower() in seen:
                name, n = f"{base} ({n})", n + 1
            seen.add(name.lower())
            if name != node.name:
                self.report.messages.append(f"code {old_path!r} renamed {name!r}")
            node.name = name
            new_path = f"{new}/{name}" if new else name
            renamed[old_path] = new_path
            if not node.active:
                inactive.append(node)
                node.active = True
            self._tidy(node.children, old_path, new_path, renamed, inactive)

    def _link_codes(self, nodes: Sequence[CodeSpec]) -> None:
        """Find each spec code's row: by name under its parent, else by its GUID."""
        rows = codebook_service.all_codes(self.session, self.project.id)
        self._held.extend(rows)  # the session's identity map holds rows only while we do
        by_parent: dict[int | None, dict[str, int]] = {}
        for row in rows:
            by_parent.setdefault(row.parent_id, {})[row.name.lower()] = row.id
        by_guid = {row.guid: row.id for row in rows}

        def link(specs: Sequence[CodeSpec], parent: int | None) -> None:
            for node in specs:
                code_id = by_parent.get(parent, {}).get(node.name.lower())
                if code_id is None and node.guid:
                    code_id = by_guid.get(node.guid)
                if code_id is None:
                    continue
                if node.guid:
                    self.codes[node.guid] = code_id
                link(node.children, code_id)

        link(nodes, None)

    # -- variables and cases ----------------------------------------------------------------

    def _variables(self) -> None:
        on_cases = {guid for case in self.snap.cases for guid in case.variables}
        on_sources = {guid for source in self.snap.sources for guid in source.variables}
        for var in self.snap.variables:
            scopes = [AttributeScope.DOCUMENT] if var.guid in on_sources else []
            if var.guid in on_cases or not scopes:
                scopes.append(AttributeScope.CASE)
            kind, choices = attribute_type(var)
            if var.type == "DateTime":
                self.report.messages.append(f"variable {var.name}: kept as dates (no time)")
            if var.description and choices_of(var) is None:
                self.report.skip(
                    "variable description", var.name, "attributes have no description in qualcode"
                )
            for scope in scopes:
                attr = self.session.scalar(
                    select(AttributeDef).where(
                        AttributeDef.project_id == self.project.id,
                        AttributeDef.scope == scope,
                        AttributeDef.name == var.name[:100],
                    )
                )
                if attr is None:
                    attr = document_service.define_attribute(
                        self.session, self.project, var.name[:100], scope, kind,
                        choices=choices or (), user_id=self.user_id,
                    )  # fmt: skip
                    self.guids.assign(attr, var.guid)
                    self.result.count("variables")
                elif attr.type is not kind:
                    self.report.messages.append(
                        f"variable {var.name}: the project's {scope.value} attribute of that "
                        f"name is {attr.type.value}; values added as they are"
                    )
                self.attrs[(var.guid, scope)] = attr

    def _values(self, owner: Case | Document, values: dict[str, VarValue], label: str,
                scope: AttributeScope) -> None:  # fmt: skip
        for var_guid, value in values.items():
            attr = self.attrs.get((var_guid, scope))
            if attr is None:
                continue
            text = stored_value(value)
            if len(text) > 500:
                self.report.skip(
                    "variable value", f"{label}: {attr.name}", "longer than 500 characters"
                )
                continue
            document_service.set_attribute(self.session, attr, owner, text, user_id=self.user_id)
            self.result.count("variable values")

    def _cases(self) -> None:
        sources = {source.guid: source.name for source in self.snap.sources}
        for rec in self.snap.cases:
            name = rec.name.strip()[:200] or rec.guid
            case = self.session.scalar(
                select(Case).where(Case.project_id == self.project.id, Case.name == name)
            )
            if case is None:
                case = document_service.get_or_create_case(
                    self.session, self.project, name, user_id=self.user_id
                )
                case.description = rec.description
                self.guids.assign(case, rec.guid)
                self.result.count("cases")
            elif case in self.cases.values():
                self.report.messages.append(f"two cases are named {name}: merged")
            self.cases[rec.guid] = case
            self._values(case, rec.variables, f"case {name}", AttributeScope.CASE)
            for source_guid in rec.source_guids:
                first = self.case_of.setdefault(source_guid, case)
                if first is not case:
                    self.report.skip(
                        "case source", f"{name}: {sources.get(source_guid, source_guid)}",
                        f"the document stays in its first case, {first.name}",
                    )  # fmt: skip

    # -- sources ----------------------------------------------------------------------------

    def _sources(self) -> None:
        labels = self.project.settings.get("interviewer_labels", [])
        for source in self.snap.sources:
            try:
                canonical = canonical_text(source.text)
            except ValueError as err:
                self.report.skip("source", source.name, str(err))
                continue
            if canonical.changed:
                self.report.messages.append(
                    f"{source.name}: trailing spaces and control characters removed from the "
                    "text (selections moved with it)"
                )
            case = self.case_of.get(source.guid)
            doc = self._existing_document(source.guid, canonical.text, source.name)
            if doc is None:
                transcript = Transcript(
                    text=canonical.text,
                    turns=find_turns(canonical.text, interviewer_labels=labels),
                    source_type="qdpx",
                )
                title = source.name.strip() or source.guid
                doc = document_service.add_document(
                    self.session, self.project, transcript, title=title,
                    filename=source.name[:500], case=case, user_id=self.user_id,
                )  # fmt: skip
                self.guids.assign(doc, source.guid)
                self.result.count("sources")
                if source.description.strip():
                    create_memo(
                        self.session, self.project, author_id=self._user(None),
                        text=source.description, title="Description", kind=DESCRIPTION_MEMO,
                        document_id=doc.id,
                    )  # fmt: skip
            elif case is not None and doc.case_id is None:
                document_service.assign_case(self.session, doc, case, user_id=self.user_id)
            self.docs[source.guid] = (doc, canonical)
            self._values(doc, source.variables, source.name, AttributeScope.DOCUMENT)

    def _existing_document(self, guid: str, text: str, name: str) -> Document | None:
        doc = self.guids.owner(Document, guid)
        if doc is None or doc.project_id != self.project.id or doc.text != text:
            doc = document_service.find_duplicate(self.session, self.project, text_hash(text))
        if doc is not None:
            self.report.messages.append(
                f"{name}: the project already holds this text as {doc.title!r}; the file's "
                "codings and memos go to that document"
            )
            self.result.count("sources matched")
        return doc
