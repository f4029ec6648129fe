"""qualcode's own codebook format, as YAML or JSON: the structure of ``codebook/lpsa.yaml``.

Both spellings carry every field of ``CodebookSpec`` losslessly. Reading is strict about keys
(a misspelt ``defintion`` would otherwise lose a definition silently) and lenient about scalars
(``chapter: 5`` is read as ``"5"``). Errors point at the YAML line, or at the JSON element.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from qualcode.errors import InvalidImport
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.interop.codebook_validation import ParsedCodebook

HEADER = "# qualcode codebook (format: codebook/README.md); code paths join names with '/'\n"

_TOP_KEYS = ("name", "description", "version", "codes", "chapters")
_TEXT_FIELDS = (
    "chapter",
    "section",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
)
_FLAG_FIELDS = ("active", "codable")
_CODE_KEYS = ("name", "guid", "color", "kind", *_TEXT_FIELDS, "keywords", *_FLAG_FIELDS, "children")
_CHAPTER_KEYS = ("number", "title", "sections")
_SECTION_KEYS = ("number", "title", "codes")


# ---------------------------------------------------------------- files


def read_yaml(path: Path) -> ParsedCodebook:
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader that records line numbers
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        location = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise InvalidImport(
            f"not valid YAML: {problem}", path=str(path), location=location
        ) from None
    return spec_from_mapping(data, source=str(path))


def read_json(path: Path) -> ParsedCodebook:
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidImport(
            f"not valid JSON: {error.msg}", path=str(path), location=f"line {error.lineno}"
        ) from None
    return spec_from_mapping(data, source=str(path))


def write_yaml(spec: CodebookSpec, path: Path) -> None:
    body = yaml.dump(
        spec_to_mapping(spec, flow_keywords=True),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=90,
    )
    path.write_text(HEADER + body, encoding="utf-8")


def write_json(spec: CodebookSpec, path: Path) -> None:
    body = json.dumps(spec_to_mapping(spec), indent=2, ensure_ascii=False)
    path.write_text(body + "\n", encoding="utf-8")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidImport(f"cannot read the file: {error.strerror}", path=str(path)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidImport(
            f"not UTF-8 text (byte {error.start} cannot be decoded)", path=str(path)
        ) from None


# ---------------------------------------------------------------- spec -> plain data


def spec_to_mapping(spec: CodebookSpec, *, flow_keywords: bool = False) -> dict[str, Any]:
    """The plain ``dict``/``list``/``str`` form written to YAML and JSON; defaults are omitted."""
    data: dict[str, Any] = {"name": spec.name, "description": spec.description}
    if spec.version is not None:
        data["version"] = spec.version
    data["codes"] = [_code_to_mapping(code, flow_keywords) for code in spec.codes]
    data["chapters"] = [
        {
            "number": chapter.number,
            "title": chapter.title,
            "sections": [
                {"number": s.number, "title": s.title, "codes": list(s.codes)}
                for s in chapter.sections
            ],
        }
        for chapter in spec.chapters
    ]
    return data


def _code_to_mapping(code: CodeSpec, flow_keywords: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"name": code.name}
    if code.guid is not None:
        data["guid"] = code.guid
    if code.color is not None:
        data["color"] = code.color
    data["kind"] = code.kind
    for key in _TEXT_FIELDS:
        data[key] = getattr(code, key)
    data["keywords"] = _FlowList(code.keywords) if flow_keywords else list(code.keywords)
    if not code.active:
        data["active"] = False
    if not code.codable:
        data["codable"] = False
    if code.children:
        data["children"] = [_code_to_mapping(child, flow_keywords) for child in code.children]
    return data


# ---------------------------------------------------------------- plain data -> spec


def spec_from_mapping(data: object, *, source: str | None = None) -> ParsedCodebook:
    """Build a spec from parsed YAML/JSON, recording where each code and section came from."""
    return _MappingReader(source).codebook(data)


class _MappingReader:
    def __init__(self, source: str | None):
        self.source = source
        self.parsed = ParsedCodebook(CodebookSpec())

    def codebook(self, data: object) -> ParsedCodebook:
        top = self._mapping(data, "the codebook", "line 1", _TOP_KEYS)
        spec = self.parsed.spec
        where = _where(top, "the codebook")
        spec.name = self._text(top.get("name"), "name", where) or spec.name
        spec.description = self._text(top.get("description"), "description", where)
        version = top.get("version")
        spec.version = None if version is None else self._text(version, "version", where)
        for index, item in enumerate(self._list(top.get("codes"), "codes", where)):
            spec.codes.append(self._code(item, f"codes[{index}]"))
        for index, item in enumerate(self._list(top.get("chapters"), "chapters", where)):
            spec.chapters.append(self._chapter(item, f"chapters[{index}]"))
        return self.parsed

    def _code(self, data: object, element: str) -> CodeSpec:
        where = _where(data, element)
        item = self._mapping(data, "a code", where, _CODE_KEYS)
        if "name" not in item:
            raise self._error("code has no name", where)
        code = CodeSpec(name=self._text(item["name"], "name", where))
        self.parsed.locations[id(code)] = where
        guid = item.get("guid")
        code.guid = None if guid is None else self._text(guid, "guid", where)
        color = item.get("color")
        code.color = None if color is None else self._text(color, "color", where)
        code.kind = self._text(item.get("kind", "other"), "kind", where)
        for key in _TEXT_FIELDS:
            setattr(code, key, self._text(item.get(key), key, where))
        keywords = self._list(item.get("keywords"), "keywords", where)
        code.keywords = [self._text(k, "keyword", where) for k in keywords]
        code.active = self._flag(item.get("active", True), "active", where)
        code.codable = self._flag(item.get("codable", True), "codable", where)
        children = self._list(item.get("children"), "children", where)
        code.children = [
            self._code(child, f"{element}.children[{i}]") for i, child in enumerate(children)
        ]
        return code

    def _chapter(self, data: object, element: str) -> ChapterSpec:
        where = _where(data, element)
        item = self._mapping(data, "a chapter", where, _CHAPTER_KEYS)
        chapter = ChapterSpec(
            number=self._text(item.get("number"), "number", where),
            title=self._text(item.get("title"), "title", where),
        )
        for index, entry in enumerate(self._list(item.get("sections"), "sections", where)):
            chapter.sections.append(self._section(entry, f"{element}.sections[{index}]"))
        return chapter

    def _section(self, data: object, element: str) -> SectionSpec:
        where = _where(data, element)
        item = self._mapping(data, "a section", where, _SECTION_KEYS)
        section = SectionSpec(
            number=self._text(item.get("number"), "number", where),
            title=self._text(item.get("title"), "title", where),
        )
        self.parsed.locations[id(section)] = where
        codes = self._list(item.get("codes"), "codes", where)
        section.codes = [self._text(path, "code path", where) for path in codes]
        return section

    # -- typed access with located errors

    def _mapping(
        self, data: object, what: str, where: str, keys: tuple[str, ...]
    ) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self._error(f"{what} must be a mapping of fields", where)
        unknown = [str(key) for key in data if key not in keys]
        if unknown:
            raise self._error(
                f"unknown field {unknown[0]!r} in {what} (expected: {', '.join(keys)})", where
            )
        return data

    def _list(self, value: object, key: str, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._error(f"{key} must be a list", where)
        return value

    def _text(self, value: object, key: str, where: str) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            raise self._error(f"{key} must be text, not {value}: put it in quotes", where)
        if isinstance(value, str | int | float | dt.date):
            return str(value)
        raise self._error(f"{key} must be text", where)

    def _flag(self, value: object, key: str, where: str) -> bool:
        if not isinstance(value, bool):
            raise self._error(f"{key} must be true or false", where)
        return value

    def _error(self, message: str, where: str) -> InvalidImport:
        return InvalidImport(message, path=self.source, location=where)


def _where(data: object, element: str) -> str:
    return f"line {data.line}" if isinstance(data, _Located) else element


# ---------------------------------------------------------------- YAML plumbing


class _Located(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_located(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Located:
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


class _FlowList(list[str]):
    """Keywords, written on one line: ``keywords: [stretch, baseline]``."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_FlowList, _represent_flow_list)
