"""The exchange model of a codebook: plain dataclasses every codebook format reads and writes.

``services/codebook.py`` translates between these and ``Code`` rows; the format modules
(YAML/JSON/CSV/Word/Excel in ``codebook_files``, REFI-QDA ``.qdc`` in ``refi_qda``) never see the
database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

CODE_KINDS = ("barrier", "enabler", "process_outcome", "outcome", "context", "other")


@dataclass
class CodeSpec:
    name: str
    guid: str | None = None
    color: str | None = None  # "#RRGGBB"
    kind: str = "other"
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    typical_example: str = ""
    atypical_example: str = ""
    keywords: list[str] = field(default_factory=list)
    chapter: str = ""  # report chapter the code feeds, e.g. "5"
    section: str = ""  # section within it, e.g. "5.2"
    active: bool = True
    codable: bool = True
    children: list[CodeSpec] = field(default_factory=list)

    def walk(self, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], CodeSpec]]:
        path = (*prefix, self.name)
        yield path, self
        for child in self.children:
            yield from child.walk(path)


@dataclass
class ChapterSpec:
    number: str
    title: str
    sections: list[SectionSpec] = field(default_factory=list)


@dataclass
class SectionSpec:
    number: str
    title: str
    codes: list[str] = field(default_factory=list)  # code paths "A/B"


@dataclass
class CodebookSpec:
    name: str = "Codebook"
    description: str = ""
    version: str | None = None
    codes: list[CodeSpec] = field(default_factory=list)
    chapters: list[ChapterSpec] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[tuple[str, ...], CodeSpec]]:
        for code in self.codes:
            yield from code.walk()

    def paths(self) -> list[str]:
        return ["/".join(path) for path, _ in self.walk()]
