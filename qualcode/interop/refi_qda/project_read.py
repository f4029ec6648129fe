"""Reading a ``.qdpx`` project into a :class:`ProjectSnapshot`, leniently.

Whatever cannot be carried over (pictures, audio, video, graphs, area selections, codings of
unknown codes, selections outside their text...) is listed in the snapshot's ``report`` with a
reason; only an unreadable or unsafe archive raises ``InvalidImport``.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from qualcode.errors import InvalidImport
from qualcode.interop.codebook_spec import CodebookSpec
from qualcode.interop.refi_qda.archive import Limits, ProjectArchive
from qualcode.interop.refi_qda.codebook import chapters_from_sets, read_codes, read_sets
from qualcode.interop.refi_qda.source_read import SourceReader
from qualcode.interop.refi_qda.variables import VALUE_ELEMENTS, parse_value
from qualcode.interop.refi_qda.xml import (
    child,
    child_text,
    children,
    describe,
    local,
    normalize_guid,
    parse_xml,
)
from qualcode.interop.snapshot import (
    VARIABLE_TYPES,
    CaseRec,
    ImportReport,
    NoteRec,
    ProjectSnapshot,
    UserRec,
    VariableRec,
    VarValue,
)

# elements a NoteRef can hang under, whose guid then names what the note is about
_NOTE_HOLDERS = {
    "Code",
    "TextSource",
    "PDFSource",
    "Representation",
    "PlainTextSelection",
    "Coding",
    "Case",
}


def read_qdpx(
    path: str | Path,
    *,
    max_members: int = 10_000,
    max_total_bytes: int = 2 * 1024**3,
    max_ratio: int = 200,
) -> ProjectSnapshot:
    """Read a REFI-QDA project file; ``InvalidImport`` if it is unreadable or unsafe."""
    limits = Limits(max_members, max_total_bytes, max_ratio)
    with ProjectArchive(path, limits) as archive:
        qde_name, data = archive.project_xml()
        label = f"{path}:{qde_name}"
        root = parse_xml(data, path=label)
        if local(root) != "Project":
            raise InvalidImport(f"expected a Project element, found {describe(root)}", path=label)
        return _ProjectReader(archive, root).read()


class _ProjectReader:
    def __init__(self, archive: ProjectArchive, root: etree._Element) -> None:
        self.archive = archive
        self.root = root
        self.report = ImportReport()
        self.snapshot = ProjectSnapshot(
            name=root.get("name") or "Imported project",
            description=child_text(root, "Description"),
            origin=root.get("origin") or "",
            report=self.report,
        )
        self.alias: dict[str, str] = {}  # any GUID naming a source -> the source's GUID
        self.variables: dict[str, VariableRec] = {}
        self.notes: dict[str, NoteRec] = {}

    def read(self) -> ProjectSnapshot:
        self._users()
        self._codebook()
        self._variables()
        self._sources()
        self._cases()
        self._notes()
        self._note_refs()
        self._links()
        self._sets()
        for graph in self._items("Graphs", "Graph"):
            self.report.skip("graph", graph.get("name") or "graph", "graphs are not supported")
        self._prune_selections()
        self._add_unknown_users()
        return self.snapshot

    def _items(self, container: str, item: str) -> list[etree._Element]:
        holder = child(self.root, container)
        return list(children(holder, item)) if holder is not None else []

    def _users(self) -> None:
        for el in self._items("Users", "User"):
            guid = normalize_guid(el.get("guid") or "")
            if guid:
                self.snapshot.users.append(UserRec(guid, el.get("name") or el.get("id") or guid))
        self.report.count("user", len(self.snapshot.users))

    def _codebook(self) -> None:
        codebook = child(self.root, "CodeBook")
        codes = child(codebook, "Codes") if codebook is not None else None
        label = self.archive.path
        spec = CodebookSpec()  # a project file gives its codebook no name of its own
        spec.codes = read_codes(codes, path=label) if codes is not None else []
        self.snapshot.codebook = spec
        self.report.count("code", len(spec.paths()))

    def _variables(self) -> None:
        for el in self._items("Variables", "Variable"):
            guid = normalize_guid(el.get("guid") or "")
            if not guid or guid in self.variables:
                self.report.skip("variable", describe(el), "its GUID is missing or used twice")
                continue
            var_type = el.get("typeOfVariable") or "Text"
            if var_type not in VARIABLE_TYPES:
                self.report.messages.append(f"variable {el.get('name')}: {var_type} read as Text")
                var_type = "Text"
            rec = VariableRec(guid, el.get("name") or guid, var_type, child_text(el, "Description"))
            self.variables[guid] = rec
            self.snapshot.variables.append(rec)
        self.report.count("variable", len(self.variables))

    def _values(self, el: etree._Element, owner: str) -> dict[str, VarValue]:
        values: dict[str, VarValue] = {}
        for value_el in children(el, "VariableValue"):
            ref = child(value_el, "VariableRef")
            var = normalize_guid(ref.get("targetGUID") or "") if ref is not None else ""
            typed = [v for v in value_el.iterchildren(etree.Element) if local(v) in VALUE_ELEMENTS]
            if var not in self.variables:
                self.report.skip("variable value", owner, f"unknown variable {var or '(none)'}")
            elif typed:
                try:
                    values[var] = parse_value(local(typed[0]), typed[0].text or "")
                except ValueError as err:
                    name = self.variables[var].name
                    self.report.skip("variable value", f"{owner}: {name}", str(err))
        self.report.count("variable value", len(values))
        return values

    def _sources(self) -> None:
        code_guids = {code.guid for _, code in self.snapshot.codebook.walk() if code.guid}
        reader = SourceReader(
            self.archive, origin=self.snapshot.origin, code_guids=code_guids, report=self.report
        )
        holder = child(self.root, "Sources")
        for el in holder.iterchildren(etree.Element) if holder is not None else ():
            result = reader.read(el)
            if result is None:
                continue
            if result.source.guid in self.alias:
                self.report.skip("source", result.source.name, "its GUID is used twice")
                continue
            result.source.variables = self._values(el, result.source.name)
            self.snapshot.sources.append(result.source)
            self.snapshot.selections.extend(result.selections)
            for guid in (result.source.guid, *result.aliases):
                self.alias[guid] = result.source.guid

    def _cases(self) -> None:
        seen: set[str] = set()
        for el in self._items("Cases", "Case"):
            guid = normalize_guid(el.get("guid") or "")
            if not guid or guid in seen:
                self.report.skip("case", describe(el), "its GUID is missing or used twice")
                continue
            seen.add(guid)
            case = CaseRec(guid, el.get("name") or guid, child_text(el, "Description"))
            case.variables = self._values(el, case.name)
            for ref in children(el, "SourceRef"):
                target = normalize_guid(ref.get("targetGUID") or "")
                if target in self.alias:
                    case.source_guids.append(self.alias[target])
                else:
                    self.report.skip("case source", case.name, f"source {target} was not imported")
            for tag, what in (("CodeRef", "codes"), ("SelectionRef", "selections")):
                refs = list(children(el, tag))
                if refs:
                    reason = f"cases made of {what} are not supported ({len(refs)} references)"
                    self.report.skip("case reference", case.name, reason)
            self.snapshot.cases.append(case)
        self.report.count("case", len(self.snapshot.cases))

    def _notes(self) -> None:
        reader = SourceReader(self.archive, origin="", code_guids=set(), report=self.report)
        for el in self._items("Notes", "Note"):
            guid = normalize_guid(el.get("guid") or "")
            name = el.get("name") or "Memo"
            text, problem = reader.load_text(el, name)
            if not guid or guid in self.notes:
                text, problem = None, "its GUID is missing or used twice"
            if text is None:
                self.report.skip("note", name, problem)
                continue
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            user = normalize_guid(el.get("creatingUser") or "") or None
            note = NoteRec(guid, name, text, user)
            self.notes[guid] = note
            self.snapshot.notes.append(note)
            if child(el, "PlainTextSelection") is not None:
                self.report.skip("coding", name, "codings inside a memo are not supported")
        self.report.count("note", len(self.snapshot.notes))

    def _known(self) -> set[str]:
        snap = self.snapshot
        known = {code.guid for _, code in snap.codebook.walk() if code.guid}
        known.update(self.alias)
        known.update(case.guid for case in snap.cases)
        for selection in snap.selections:
            known.add(selection.guid)
            known.update(coding.guid for coding in selection.codings)
        return known

    def _attach(self, note_guid: str, target: str | None, where: str) -> None:
        note = self.notes.get(note_guid)
        if note is None:
            self.report.skip("note reference", where, f"unknown note {note_guid}")
        elif target is not None and target not in note.targets:
            note.targets.append(target)

    def _note_refs(self) -> None:
        known = self._known()
        for ref in self.root.iter("{*}NoteRef"):
            parent = ref.getparent()
            if parent is None or local(parent) == "Link":
                continue  # links are read by _links
            note = normalize_guid(ref.get("targetGUID") or "")
            holder = local(parent)
            owner = normalize_guid(parent.get("guid") or "")
            owner = self.alias.get(owner, owner)
            if holder == "Project":
                self._attach(note, None, "project")
            elif holder in _NOTE_HOLDERS and owner in known:
                self._attach(note, owner, describe(parent))
            else:
                self.report.messages.append(
                    f"note {note} was attached to {describe(parent)}, which was not imported;"
                    " kept as a project memo"
                )
                self._attach(note, None, describe(parent))

    def _links(self) -> None:
        known = self._known()
        for el in self._items("Links", "Link"):
            ends = [normalize_guid(el.get(a) or "") for a in ("originGUID", "targetGUID")]
            ends = [self.alias.get(end, end) for end in ends]
            refs = [normalize_guid(r.get("targetGUID") or "") for r in children(el, "NoteRef")]
            linked = False
            for note, other in ((ends[0], ends[1]), (ends[1], ends[0])):
                if note in self.notes and other in known:
                    self._attach(note, other, describe(el))
                    linked = True
            for note in refs:
                for end in ends:
                    if end in known:
                        self._attach(note, end, describe(el))
                        linked = True
            if not linked:
                self.report.skip(
                    "link", el.get("name") or "link", "links between items are not supported"
                )

    def _sets(self) -> None:
        sets = read_sets(child(self.root, "Sets"))
        chapters, others = chapters_from_sets(sets, self.snapshot.codebook)
        self.snapshot.codebook.chapters = chapters
        known = self._known() | set(self.notes)
        for set_rec in others:
            members = [self.alias.get(m, m) for m in set_rec.member_guids]
            set_rec.member_guids = [m for m in members if m in known]
            dropped = len(members) - len(set_rec.member_guids)
            if dropped:
                self.report.skip("set member", set_rec.name, f"{dropped} members were not imported")
            self.snapshot.sets.append(set_rec)
        self.report.count("set", len(self.snapshot.sets))

    def _prune_selections(self) -> None:
        noted: dict[str, list[str]] = {}
        for note in self.snapshot.notes:
            for target in note.targets:
                noted.setdefault(target, []).append(note.guid)
        kept = []
        for selection in self.snapshot.selections:
            selection.notes = noted.get(selection.guid, [])
            if selection.codings or selection.description or selection.notes:
                kept.append(selection)
            else:
                item = f"{selection.guid} [{selection.start}, {selection.end})"
                self.report.skip("selection", item, "it has no codes and no memo")
        self.snapshot.selections = kept
        self.report.count("selection", len(kept))

    def _add_unknown_users(self) -> None:
        known = {user.guid for user in self.snapshot.users}
        referenced = [n.creating_user for n in self.snapshot.notes]
        for selection in self.snapshot.selections:
            referenced.append(selection.creating_user)
            referenced.extend(coding.creating_user for coding in selection.codings)
        for guid in referenced:
            if guid and guid not in known:
                known.add(guid)
                self.snapshot.users.append(UserRec(guid, f"Unknown user {guid[:8]}"))
                self.report.messages.append(f"user {guid} is not listed in the project's Users")
