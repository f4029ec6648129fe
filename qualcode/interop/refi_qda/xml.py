"""REFI-QDA XML: namespaces, a hardened parser, element helpers and GUID forms.

Readers look elements up by *local name*, so the namespace variants real tools write
(``urn:QDA-XML:project:1.0``, ``urn:QDA-XML:codebook:0:4``, ``...:1:0``, none at all) all read
the same. Writers always use the namespaces of the 1.0 schemas.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from lxml import etree

from qualcode.errors import InvalidImport

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DOCTYPE = re.compile(rb"<!DOCTYPE")
_ENTITY = re.compile(rb"<!ENTITY")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?")
_RGB = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
# characters XML 1.0 cannot carry, even escaped
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# a fixed namespace for identifiers derived from non-GUID ids and code paths
QUALCODE_NS = uuid.UUID("6f1c7e52-4a8e-4c55-9b0e-2f1e0c3d9a71")


def parse_xml(data: bytes, *, path: str) -> etree._Element:
    """Parse untrusted XML: no DTD loading, no entities, no network, no huge trees.

    A UTF-8 byte-order mark (and whitespace) before ``<?xml`` is tolerated; a DOCTYPE that
    declares entities (XXE, "billion laughs") is refused before parsing.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.startswith(_UTF16_BOMS):
        data = data.lstrip()
    _refuse_entities(data, path)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise InvalidImport(
            f"malformed XML: {err.msg}", path=path, location=f"line {err.lineno}"
        ) from None


def _refuse_entities(data: bytes, path: str) -> None:
    head = data
    if data.startswith(_UTF16_BOMS):
        head = data.decode("utf-16", errors="replace").encode("utf-8")
    doctype = _DOCTYPE.search(head)
    if doctype and _ENTITY.search(head, doctype.end()):
        raise InvalidImport("DOCTYPE with entity declarations is refused", path=path)


def local(el: etree._Element) -> str:
    """The element's name without its namespace."""
    return str(el.tag).rpartition("}")[2]


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct child elements with local name ``name``, in document order, any namespace."""
    for child in el.iterchildren(etree.Element):
        if local(child) == name:
            yield child


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next(children(el, name), None)


def child_text(el: etree._Element, name: str) -> str:
    found = child(el, name)
    return (found.text or "") if found is not None else ""


def describe(el: etree._Element) -> str:
    """``TextSource "Interview 3"`` or ``Code guid=...``: names an element in messages."""
    name = el.get("name")
    if name:
        return f'{local(el)} "{name}"'
    guid = el.get("guid")
    return f"{local(el)} guid={guid}" if guid else f"{local(el)} (line {el.sourceline})"


def parse_bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    value = value.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return default


def normalize_guid(value: str) -> str:
    """Canonical form of an identifier read from a file.

    GUIDs (either case, optionally braced) become lower case without braces; anything else is
    an opaque identifier kept as it is (stripped of surrounding whitespace).
    """
    value = value.strip()
    match = _GUID.fullmatch(value)
    if match and (value.startswith("{") == value.endswith("}")):
        return match.group(1).lower()
    return value


def export_guid(identifier: str) -> str:
    """A schema-valid GUID for an identifier: GUIDs as they are, anything else derived stably."""
    canonical = normalize_guid(identifier)
    if _GUID.fullmatch(canonical):
        return canonical
    return str(uuid.uuid5(QUALCODE_NS, f"id:{identifier}"))


def new_guid(*parts: str) -> str:
    """A stable GUID derived from ``parts`` (same parts, same GUID on every export)."""
    return str(uuid.uuid5(QUALCODE_NS, "\x1f".join(parts)))


def normalize_color(value: str | None) -> str | None:
    """``#RGB`` or ``#RRGGBB`` to ``#RRGGBB`` (case kept); anything else to None."""
    if not value:
        return None
    match = _RGB.fullmatch(value.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry (NUL, form feed, ...)."""
    return _XML_ILLEGAL.sub("", text)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append a child in the parent's namespace, with attributes and optional text."""
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag)
    for key, value in attrs.items():
        el.set(key, xml_safe(value))
    if text is not None:
        el.text = xml_safe(text)
    return el


def to_bytes(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data
