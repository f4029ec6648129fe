"""Checks every codebook must pass before a reader hands it on, whatever file it came from.

A reader records where each code and chapter section came from (``line 7``, ``codes[2]``) in a
``Locations`` map keyed by the object's ``id()``, so an error found here can still point at the
place in the file the user has to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from qualcode.errors import InvalidImport
from qualcode.interop.codebook_spec import CODE_KINDS, CodebookSpec, CodeSpec, SectionSpec

# id(CodeSpec) or id(SectionSpec) -> "line 7"; (id(SectionSpec), i) -> where its i-th code path is
Locations = Mapping[int | tuple[int, int], str]

COLOR_PATTERN = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass
class ParsedCodebook:
    """What a format reader returns: the spec plus where its parts came from in the file."""

    spec: CodebookSpec
    locations: dict[int | tuple[int, int], str] = field(default_factory=dict)
    encoding: str | None = None  # the text encoding a CSV file was read with


def validate_codebook(
    spec: CodebookSpec, *, locations: Locations | None = None, source: str | None = None
) -> None:
    """Raise ``InvalidImport`` naming the first problem found; return quietly if there is none.

    Checked: names (present, no ``/``), colours (``#RRGGBB``), kinds, sibling names unique
    regardless of case, GUIDs unique, and every chapter section's code paths existing.
    """
    where = locations or {}
    seen_guids: dict[str, str] = {}
    _check_siblings(spec.codes, (), where, source, seen_guids)

    paths = set(spec.paths())
    for chapter in spec.chapters:
        for section in chapter.sections:
            for index, code_path in enumerate(section.codes):
                if code_path not in paths:
                    raise InvalidImport(
                        f"section {section.number} refers to unknown code {code_path!r}",
                        path=source,
                        location=_section_location(section, index, where),
                    )


def _check_siblings(
    codes: list[CodeSpec],
    parent: tuple[str, ...],
    where: Locations,
    source: str | None,
    seen_guids: dict[str, str],
) -> None:
    names: set[str] = set()
    for code in codes:
        location = where.get(id(code)) or "code " + repr("/".join((*parent, code.name)))
        _check_code(code, location, source)
        folded = code.name.casefold()
        if folded in names:
            under = repr("/".join(parent)) if parent else "the top level"
            raise InvalidImport(
                f"duplicate code name {code.name!r} under {under}",
                path=source,
                location=location,
            )
        names.add(folded)
        path = "/".join((*parent, code.name))
        if code.guid is not None:
            if code.guid in seen_guids:
                raise InvalidImport(
                    f"code {path!r} repeats the guid of {seen_guids[code.guid]!r}",
                    path=source,
                    location=location,
                )
            seen_guids[code.guid] = path
        _check_siblings(code.children, (*parent, code.name), where, source, seen_guids)


def _check_code(code: CodeSpec, location: str, source: str | None) -> None:
    if not code.name.strip():
        raise InvalidImport("code name is empty", path=source, location=location)
    if "/" in code.name:
        raise InvalidImport(
            f"code name {code.name!r} contains '/', which separates names in a code path",
            path=source,
            location=location,
        )
    if code.color is not None and not COLOR_PATTERN.fullmatch(code.color):
        raise InvalidImport(
            f"colour {code.color!r} of code {code.name!r} is not of the form #RRGGBB",
            path=source,
            location=location,
        )
    if code.kind not in CODE_KINDS:
        raise InvalidImport(
            f"kind {code.kind!r} of code {code.name!r} is not one of {', '.join(CODE_KINDS)}",
            path=source,
            location=location,
        )
    for keyword in code.keywords:
        if not keyword.strip():
            raise InvalidImport(
                f"code {code.name!r} has an empty keyword", path=source, location=location
            )


def _section_location(section: SectionSpec, index: int, where: Locations) -> str:
    return where.get((id(section), index)) or where.get(id(section)) or f"section {section.number}"
