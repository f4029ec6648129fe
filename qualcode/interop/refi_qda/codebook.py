"""REFI-QDA codes: the ``.qdc`` codebook file, and the ``<Codes>`` tree a ``.qde`` shares with it.

REFI-QDA gives a code only a name, a colour, ``isCodable`` and a free-text ``Description``.
qualcode's structured fields travel in that description as labelled lines, readable in any
tool::

    Definition: Staff leave or change roles during the agreement.
    Include when: the turnover affects delivery.
    Keywords: turnover; staff leaving
    Kind: barrier

A description from another tool that does not start with one of these labels becomes the
definition. Report chapters and sections (which codes feed which section of the report) travel
as code sets whose description reads ``Report chapter 5: Findings`` /
``Report section 5.2: Barriers``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from lxml import etree

from qualcode import __version__
from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.codebook_spec import (
    CODE_KINDS,
    ChapterSpec,
    CodebookSpec,
    CodeSpec,
    SectionSpec,
)
from qualcode.interop.refi_qda.xml import (
    CODEBOOK_NS,
    child,
    child_text,
    children,
    describe,
    export_guid,
    local,
    new_guid,
    normalize_color,
    normalize_guid,
    parse_bool,
    parse_xml,
    sub,
    to_bytes,
)
from qualcode.interop.snapshot import SetRec

_LABELS = {
    "definition": "Definition",
    "inclusion": "Include when",
    "exclusion": "Exclude when",
    "typical_example": "Typical example",
    "atypical_example": "Atypical example",
    "keywords": "Keywords",
    "kind": "Kind",
    "chapter": "Report chapter",
    "section": "Report section",
    "active": "Active",
}
_FIELD_OF = {label.lower(): name for name, label in _LABELS.items()}
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z ]*?):(?: (.*))?$")
_CONTINUATION = "  "
_CHAPTER_LINE = re.compile(r"^Report chapter (\S+): ?(.*)$")
_SECTION_LINE = re.compile(r"^Report section (\S+): ?(.*)$")


# -- the structured description -------------------------------------------------------------


def format_description(code: CodeSpec) -> str:
    """The labelled-lines description of a code (empty if it has nothing to say)."""
    values = {
        "definition": code.definition,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "typical_example": code.typical_example,
        "atypical_example": code.atypical_example,
        "keywords": "; ".join(code.keywords),
        "kind": code.kind if code.kind != "other" else "",
        "chapter": code.chapter,
        "section": code.section,
        "active": "" if code.active else "no",
    }
    lines: list[str] = []
    for name, value in values.items():
        if value:
            first, *rest = value.split("\n")
            lines.append(f"{_LABELS[name]}: {first}")
            lines.extend(_CONTINUATION + line for line in rest)
    return "\n".join(lines)


def apply_description(code: CodeSpec, description: str) -> None:
    """Fill ``code``'s structured fields from a description written by any tool."""
    description = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    lines = description.split("\n")
    if not description or _field_of_line(lines[0]) is None:
        code.definition = description
        return
    fields: dict[str, list[str]] = {}
    current = ""
    for line in lines:
        found = _field_of_line(line)
        if found is not None:
            current, first = found
            fields[current] = [first]
        else:
            fields[current].append(line.removeprefix(_CONTINUATION))
    values = {name: "\n".join(parts).strip() for name, parts in fields.items()}
    code.definition = values.get("definition", "")
    code.inclusion = values.get("inclusion", "")
    code.exclusion = values.get("exclusion", "")
    code.typical_example = values.get("typical_example", "")
    code.atypical_example = values.get("atypical_example", "")
    code.keywords = [k.strip() for k in values.get("keywords", "").split(";") if k.strip()]
    kind = values.get("kind", "other").lower().replace(" ", "_")
    code.kind = kind if kind in CODE_KINDS else "other"
    code.chapter = values.get("chapter", "")
    code.section = values.get("section", "")
    code.active = values.get("active", "yes").lower() not in ("no", "false", "inactive")


def _field_of_line(line: str) -> tuple[str, str] | None:
    match = _LABEL_LINE.match(line)
    if not match or match.group(1).lower() not in _FIELD_OF:
        return None
    return _FIELD_OF[match.group(1).lower()], match.group(2) or ""


# -- the <Codes> tree -------------------------------------------------------------------------


def code_guid(code: CodeSpec, path: Sequence[str]) -> str:
    """The GUID a code is exported under: its own, or one derived stably from its path."""
    return export_guid(code.guid) if code.guid else new_guid("code", *path)


def read_codes(codes_el: etree._Element, *, path: str) -> list[CodeSpec]:
    """The code tree under a ``<Codes>`` element; duplicate GUIDs are refused."""
    seen: set[str] = set()

    def read(el: etree._Element) -> CodeSpec:
        raw_guid = el.get("guid")
        guid = normalize_guid(raw_guid) if raw_guid else None
        if guid is not None:
            if guid in seen:
                raise InvalidImport(f"two codes share the GUID {raw_guid}", path=path)
            seen.add(guid)
        code = CodeSpec(
            name=(el.get("name") or "").strip() or guid or "(unnamed code)",
            guid=guid,
            color=normalize_color(el.get("color")),
            codable=parse_bool(el.get("isCodable"), default=True),
        )
        apply_description(code, child_text(el, "Description"))
        code.children = [read(sub_el) for sub_el in children(el, "Code")]
        return code

    return [read(el) for el in children(codes_el, "Code")]


def write_codes(
    parent: etree._Element,
    codes: Sequence[CodeSpec],
    *,
    note_refs: Callable[[str], Sequence[str]] | None = None,
) -> None:
    """Append ``<Codes>`` for a non-empty code tree; ``note_refs(guid)`` adds ``<NoteRef>``s."""
    codes_el = sub(parent, "Codes")

    def write(el: etree._Element, code: CodeSpec, path: tuple[str, ...]) -> None:
        guid = code_guid(code, path)
        attrs = {"guid": guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
        color = normalize_color(code.color)
        if color:
            attrs["color"] = color
        code_el = sub(el, "Code", **attrs)
        description = format_description(code)
        if description:
            sub(code_el, "Description", description)
        for note in note_refs(guid) if note_refs else ():
            sub(code_el, "NoteRef", targetGUID=export_guid(note))
        for sub_code in code.children:
            write(code_el, sub_code, (*path, sub_code.name))

    for code in codes:
        write(codes_el, code, (code.name,))


# -- report chapters as code sets -------------------------------------------------------------


def chapter_sets(spec: CodebookSpec) -> list[SetRec]:
    """One set per report section (or per chapter without sections) listing its codes."""
    guid_of = {"/".join(path): code_guid(code, path) for path, code in spec.walk()}
    sets: list[SetRec] = []
    for chapter in spec.chapters:
        head = f"Report chapter {chapter.number}: {chapter.title}"
        if not chapter.sections:
            name = f"{chapter.number} {chapter.title}".strip()
            sets.append(SetRec(new_guid("chapter", chapter.number), name, [], head))
        for section in chapter.sections:
            members = [guid_of[p] for p in section.codes if p in guid_of]
            sets.append(
                SetRec(
                    guid=new_guid("section", chapter.number, section.number),
                    name=f"{section.number} {section.title}".strip(),
                    member_guids=members,
                    description=f"{head}\nReport section {section.number}: {section.title}",
                )
            )
    return sets


def chapters_from_sets(
    sets: Sequence[SetRec], spec: CodebookSpec
) -> tuple[list[ChapterSpec], list[SetRec]]:
    """Recognise qualcode's chapter sets; return (chapters, the other sets)."""
    path_of = {code.guid: "/".join(path) for path, code in spec.walk() if code.guid}
    chapters: dict[str, ChapterSpec] = {}
    others: list[SetRec] = []
    for set_rec in sets:
        lines = set_rec.description.split("\n")
        chapter_line = _CHAPTER_LINE.match(lines[0])
        if not chapter_line:
            others.append(set_rec)
            continue
        number, title = chapter_line.groups()
        chapter = chapters.setdefault(number, ChapterSpec(number, title.strip()))
        section_line = _SECTION_LINE.match(lines[1]) if len(lines) > 1 else None
        if section_line:
            codes = [path_of[g] for g in set_rec.member_guids if g in path_of]
            s_number, s_title = section_line.groups()
            chapter.sections.append(SectionSpec(s_number, s_title.strip(), codes))
    return list(chapters.values()), others


def read_sets(sets_el: etree._Element | None) -> list[SetRec]:
    """``<Set>`` elements (codebook or project flavour) with their member GUIDs."""
    out: list[SetRec] = []
    for el in children(sets_el, "Set") if sets_el is not None else ():
        members = [
            normalize_guid(m.get("targetGUID") or m.get("guid") or "")
            for m in el.iterchildren(etree.Element)
            if local(m) in ("MemberCode", "MemberSource", "MemberNote")
        ]
        out.append(
            SetRec(
                guid=normalize_guid(el.get("guid") or new_guid("set", el.get("name") or "")),
                name=el.get("name") or "",
                member_guids=[m for m in members if m],
                description=child_text(el, "Description"),
            )
        )
    return out


# -- .qdc files -------------------------------------------------------------------------------


def read_qdc(source: str | Path | bytes) -> CodebookSpec:
    """Read a REFI-QDA codebook (``.qdc``), or the codebook inside a bare ``.qde``."""
    if isinstance(source, bytes):
        data, label, name = source, "codebook", "Codebook"
    else:
        file = Path(source)
        try:
            data = file.read_bytes()
        except OSError as err:
            raise InvalidImport(f"cannot read the file: {err.strerror}", path=str(file)) from None
        label, name = str(file), file.stem
    root = parse_xml(data, path=label)
    holder = child(root, "CodeBook") if local(root) == "Project" else root
    if holder is None or local(holder) != "CodeBook":
        raise InvalidImport(f"expected a CodeBook element, found {describe(root)}", path=label)
    codes_el = child(holder, "Codes")
    codes = read_codes(codes_el, path=label) if codes_el is not None else []
    spec = CodebookSpec(name=name, codes=codes)
    spec.chapters, _ = chapters_from_sets(read_sets(child(holder, "Sets")), spec)
    return spec


def write_qdc(spec: CodebookSpec, path: str | Path) -> None:
    """Write ``spec`` as a ``.qdc`` file valid against the REFI-QDA ``Codebook.xsd``."""
    if not spec.codes:
        raise InvalidInput("a REFI-QDA codebook needs at least one code")
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", f"qualcode {__version__}")
    write_codes(root, spec.codes)
    write_sets(root, chapter_sets(spec), codebook=True)
    Path(path).write_bytes(to_bytes(root))


def write_sets(
    parent: etree._Element,
    sets: Sequence[SetRec],
    *,
    codebook: bool = False,
    kinds: Mapping[str, str] | None = None,
) -> None:
    """Append ``<Sets>`` (omitted when empty).

    In a ``.qdc`` every member is a code (``<MemberCode guid=...>``); in a project ``kinds``
    maps a member GUID to ``"Code"``, ``"Source"`` or ``"Note"`` and members of other kinds
    cannot be expressed, so they are left out.
    """
    if not sets:
        return
    sets_el = sub(parent, "Sets")
    for set_rec in sets:
        set_el = sub(sets_el, "Set", guid=export_guid(set_rec.guid), name=set_rec.name)
        if set_rec.description:
            sub(set_el, "Description", set_rec.description)
        by_kind: dict[str, list[str]] = {"Code": [], "Source": [], "Note": []}
        for member in set_rec.member_guids:
            kind = "Code" if codebook else (kinds or {}).get(member)
            if kind in by_kind:
                by_kind[kind].append(member)
        for kind, members in by_kind.items():
            for member in members:
                attr = "guid" if codebook else "targetGUID"
                sub(set_el, f"Member{kind}", **{attr: export_guid(member)})
