"""Writing a :class:`ProjectSnapshot` as a ``.qdpx`` valid against the REFI-QDA ``Project.xsd``.

Strict by the standard: sources are ``internal://<guid>.txt`` files in UTF-8 with ``\\n`` line
breaks and no BOM, positions are code points (the snapshot's own offsets, unchanged), one
``PlainTextSelection`` per coder and segment with the coder in ``Coding@creatingUser``, empty
containers left out, no ``basePath``. Memos are ``Notes`` referenced by ``NoteRef`` where the
schema allows one (project, code, source, selection, coding) and by a ``Link`` elsewhere
(cases). The output is byte-for-byte reproducible: GUIDs come from the snapshot (or are derived
stably from it) and zip timestamps are fixed.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from lxml import etree

from qualcode import __version__
from qualcode.errors import InvalidInput
from qualcode.interop.refi_qda.codebook import chapter_sets, code_guid, write_codes, write_sets
from qualcode.interop.refi_qda.variables import format_value
from qualcode.interop.refi_qda.xml import PROJECT_NS, export_guid, new_guid, sub, to_bytes
from qualcode.interop.snapshot import (
    ProjectSnapshot,
    SelectionRec,
    VariableRec,
    VarValue,
)
from qualcode.text.spans import Span, check_span

QDE_NAME = "project.qde"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NAME_LENGTH = 100  # a selection's name is its text, cut here with "…" as ATLAS.ti does


def write_qdpx(snapshot: ProjectSnapshot, path: str | Path) -> None:
    """Write ``snapshot`` to ``path`` (replaced atomically)."""
    xml = project_xml(snapshot)
    target = Path(path)
    handle, tmp_name = tempfile.mkstemp(prefix=".qdpx-", dir=target.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, QDE_NAME, xml)
            for source in snapshot.sources:
                _add(archive, f"sources/{export_guid(source.guid)}.txt", source.text.encode())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def project_xml(snapshot: ProjectSnapshot) -> bytes:
    """The ``project.qde`` document for ``snapshot``."""
    return to_bytes(_ProjectWriter(snapshot).build())


class _ProjectWriter:
    def __init__(self, snapshot: ProjectSnapshot) -> None:
        self.snap = snapshot
        self.variables = {var.guid: var for var in snapshot.variables}
        # exported GUID of an item -> GUIDs of the notes attached to it
        self.notes_on: dict[str, list[str]] = {}
        for note in snapshot.notes:
            for target in note.targets:
                self._note_on(target, note.guid)
        for selection in snapshot.selections:
            for note_guid in selection.notes:
                self._note_on(selection.guid, note_guid)
        self.code_guids = {code_guid(code, path) for path, code in snapshot.codebook.walk()}
        self.referenced: set[str] = set()  # items that received a NoteRef

    def _note_on(self, target: str, note: str) -> None:
        notes = self.notes_on.setdefault(export_guid(target), [])
        if note not in notes:
            notes.append(note)

    def _note_refs(self, parent: etree._Element, guid: str) -> None:
        self.referenced.add(guid)
        for note in self.notes_on.get(guid, ()):
            sub(parent, "NoteRef", targetGUID=export_guid(note))

    def build(self) -> etree._Element:
        snap = self.snap
        root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
        root.set("name", snap.name or "qualcode project")
        root.set("origin", f"qualcode {__version__}")
        if snap.users:
            users = sub(root, "Users")
            for user in snap.users:
                sub(users, "User", guid=export_guid(user.guid), name=user.name)
        if snap.codebook.codes:
            codebook = sub(root, "CodeBook")
            write_codes(codebook, snap.codebook.codes, note_refs=self._code_notes)
        if snap.variables:
            self._variables(sub(root, "Variables"))
        if snap.cases:
            self._cases(sub(root, "Cases"))
        if snap.sources:
            self._sources(sub(root, "Sources"))
        if snap.notes:
            notes = sub(root, "Notes")
            for note in snap.notes:
                attrs = {"guid": export_guid(note.guid), "name": note.name}
                if note.creating_user:
                    attrs["creatingUser"] = export_guid(note.creating_user)
                sub(sub(notes, "Note", **attrs), "PlainTextContent", note.text)
        self._links(root)
        kinds = {guid: "Code" for guid in self.code_guids}
        kinds.update((export_guid(s.guid), "Source") for s in snap.sources)
        kinds.update((export_guid(n.guid), "Note") for n in snap.notes)
        sets = [
            replace(s, member_guids=[export_guid(m) for m in s.member_guids]) for s in snap.sets
        ]
        write_sets(root, [*sets, *chapter_sets(snap.codebook)], kinds=kinds)
        if snap.description:
            sub(root, "Description", snap.description)
        for note in snap.notes:
            if not note.targets:
                sub(root, "NoteRef", targetGUID=export_guid(note.guid))
        return root

    def _code_notes(self, guid: str) -> Sequence[str]:
        self.referenced.add(guid)
        return self.notes_on.get(guid, [])

    def _variables(self, parent: etree._Element) -> None:
        for var in self.snap.variables:
            el = sub(parent, "Variable", guid=export_guid(var.guid), name=var.name)
            el.set("typeOfVariable", var.type)
            if var.description:
                sub(el, "Description", var.description)

    def _values(self, parent: etree._Element, values: dict[str, VarValue], owner: str) -> None:
        for var_guid, value in values.items():
            var: VariableRec | None = self.variables.get(var_guid)
            if var is None:
                raise InvalidInput(f"{owner}: a value for an undefined variable {var_guid}")
            try:
                element, text = format_value(var.type, value)
            except ValueError as err:
                raise InvalidInput(f"{owner}: {var.name} = {value!r}: {err}") from None
            value_el = sub(parent, "VariableValue")
            sub(value_el, "VariableRef", targetGUID=export_guid(var_guid))
            sub(value_el, element, text)

    def _cases(self, parent: etree._Element) -> None:
        for case in self.snap.cases:
            el = sub(parent, "Case", guid=export_guid(case.guid), name=case.name)
            if case.description:
                sub(el, "Description", case.description)
            self._values(el, case.variables, f"case {case.name}")
            for source in case.source_guids:
                sub(el, "SourceRef", targetGUID=export_guid(source))

    def _sources(self, parent: etree._Element) -> None:
        by_source: dict[str, list[SelectionRec]] = {}
        for selection in self.snap.selections:
            by_source.setdefault(selection.source_guid, []).append(selection)
        unknown = set(by_source) - {source.guid for source in self.snap.sources}
        if unknown:
            raise ValueError(f"selections refer to sources not in the snapshot: {sorted(unknown)}")
        for source in self.snap.sources:
            guid = export_guid(source.guid)
            el = sub(parent, "TextSource", guid=guid, name=source.name)
            el.set("plainTextPath", f"internal://{guid}.txt")
            if source.description:
                sub(el, "Description", source.description)
            for selection in by_source.get(source.guid, ()):
                check_span(source.text, Span(selection.start, selection.end), selection.text)
                self._selection(el, selection)
            self._note_refs(el, guid)
            self._values(el, source.variables, f"source {source.name}")

    def _selection(self, parent: etree._Element, selection: SelectionRec) -> None:
        """One ``PlainTextSelection`` per coder; the first keeps the selection's GUID and memo."""
        coders: dict[str | None, list[int]] = {}
        for n, coding in enumerate(selection.codings):
            coders.setdefault(coding.creating_user or selection.creating_user, []).append(n)
        groups = list(coders.items()) or [(selection.creating_user, [])]
        name = _selection_name(selection.text)
        for index, (coder, coding_indexes) in enumerate(groups):
            guid = export_guid(selection.guid)
            if index:
                guid = new_guid("selection", guid, coder or "")
            attrs = {"guid": guid, "startPosition": str(selection.start)}
            attrs["endPosition"] = str(selection.end)
            if name:
                attrs["name"] = name
            if coder:
                attrs["creatingUser"] = export_guid(coder)
            el = sub(parent, "PlainTextSelection", **attrs)
            if index == 0 and selection.description:
                sub(el, "Description", selection.description)
            for n in coding_indexes:
                coding = selection.codings[n]
                coding_attrs = {"guid": export_guid(coding.guid)}
                if coding.creating_user or coder:
                    coding_attrs["creatingUser"] = export_guid(coding.creating_user or coder or "")
                coding_el = sub(el, "Coding", **coding_attrs)
                sub(coding_el, "CodeRef", targetGUID=export_guid(coding.code_guid))
                self._note_refs(coding_el, coding_attrs["guid"])
            if index == 0:
                self._note_refs(el, guid)

    def _links(self, root: etree._Element) -> None:
        """``Link`` elements for notes on items that cannot hold a ``NoteRef`` (cases...)."""
        pending = [
            (target, note)
            for target, notes in self.notes_on.items()
            if target not in self.referenced
            for note in notes
        ]
        if not pending:
            return
        known = {export_guid(case.guid) for case in self.snap.cases}
        missing = sorted({target for target, _ in pending} - known)
        if missing:
            raise ValueError(f"notes are attached to items not in the snapshot: {missing}")
        links = sub(root, "Links")
        for target, note in pending:
            sub(
                links,
                "Link",
                guid=new_guid("link", note, target),
                name="memo",
                direction="OneWay",
                originGUID=export_guid(note),
                targetGUID=target,
            )


def _selection_name(text: str) -> str:
    if len(text) <= _NAME_LENGTH:
        return text
    return text[:_NAME_LENGTH].rstrip() + "…"
