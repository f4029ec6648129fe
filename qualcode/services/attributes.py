"""Importing attribute sheets into a project (all or nothing), and editing attributes.

A document sheet may carry case-level columns too (authority type, region...): a column whose
value is the same for every document of each case, in a sheet where some case has several
documents, is stored once on the case rather than on each document.

Edits follow the sheet's typing rules (:mod:`qualcode.ingest.attributes`): a number is
``12``, ``-3.5`` or ``1,250``; a date ISO ``2005-05-12`` or day-first ``12/05/2005`` (stored
as ISO); a choice one of the attribute's choices. Changing an attribute's type checks (and
re-writes) every value it already has, so a type never lies about its values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidImport, InvalidInput
from qualcode.ingest.attributes import AttributeSheet, Value, infer_type
from qualcode.models import (
    AttributeDef,
    AttributeScope,
    AttributeType,
    AttributeValue,
    Case,
    Document,
    Project,
)
from qualcode.services import audit
from qualcode.services import documents as document_service
from qualcode.services.lookup import get_or_raise


@dataclass
class SheetReport:
    scope: str
    rows: int = 0
    case_attributes: dict[str, str] = field(default_factory=dict)  # name -> type
    document_attributes: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    encoding: str | None = None

    def lines(self) -> list[str]:
        out = [
            f"{self.rows} {self.scope} rows imported"
            + (f" (read as {self.encoding})" if self.encoding else "")
        ]
        for label, attrs in (
            ("case", self.case_attributes),
            ("document", self.document_attributes),
        ):
            if attrs:
                out.append(
                    f"{label} attributes: " + ", ".join(f"{n} ({t})" for n, t in attrs.items())
                )
        if self.unknown:
            out.append("not found, skipped: " + ", ".join(self.unknown))
        return out


def _text(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _case_level(sheet: AttributeSheet) -> set[str]:
    if sheet.scope != "document" or sheet.case_column is None:
        return set()
    by_case: dict[str, list[dict[str, Value | None]]] = {}
    for row in sheet.rows:
        if row.case:
            by_case.setdefault(row.case, []).append(row.values)
    if not any(len(rows) > 1 for rows in by_case.values()):
        return set()
    return {
        col.name
        for col in sheet.columns
        if all(len({_text(v[col.name]) for v in rows}) == 1 for rows in by_case.values())
    }


def import_sheet(
    session: Session, project: Project, sheet: AttributeSheet, *, user_id: int | None = None
) -> SheetReport:
    report = SheetReport(sheet.scope, encoding=sheet.encoding)
    case_level = _case_level(sheet)
    defs = {}
    for col in sheet.columns:
        scope = (
            AttributeScope.CASE
            if (sheet.scope == "case" or col.name in case_level)
            else AttributeScope.DOCUMENT
        )
        defs[col.name] = document_service.define_attribute(
            session,
            project,
            col.name,
            scope,
            AttributeType(col.type),
            choices=list(col.choices),
            user_id=user_id,
        )
        target = (
            report.case_attributes if scope is AttributeScope.CASE else report.document_attributes
        )
        target[col.name] = col.type
    for row in sheet.rows:
        if sheet.scope == "case":
            case_row = document_service.get_or_create_case(
                session, project, row.key, user_id=user_id
            )
            for name, value in row.values.items():
                document_service.set_attribute(
                    session, defs[name], case_row, _text(value), user_id=user_id
                )
            report.rows += 1
            continue
        doc = document_service.find_by_title(session, project, row.key)
        if doc is None:
            report.unknown.append(f"{row.key} (row {row.row})")
            continue
        case: Case | None = None
        if row.case:
            case = document_service.get_or_create_case(session, project, row.case, user_id=user_id)
            if doc.case_id != case.id:
                document_service.assign_case(session, doc, case, user_id=user_id)
        for name, value in row.values.items():
            owner = case if name in case_level and case is not None else doc
            if name in case_level and case is None:
                raise InvalidImport(
                    f"{row.key} has no case for case attribute {name}", location=f"row {row.row}"
                )
            document_service.set_attribute(
                session, defs[name], owner, _text(value), user_id=user_id
            )
        report.rows += 1
    return report


# --- editing ----------------------------------------------------------------------------------


@dataclass
class AttributeSummary:
    """An attribute definition as the attributes page lists it."""

    attribute: AttributeDef
    values: int  # how many cases or documents have a (non-empty) value


def summaries(session: Session, project: Project) -> list[AttributeSummary]:
    rows = session.execute(
        select(AttributeValue.attribute_id, func.count())
        .join(AttributeDef, AttributeValue.attribute_id == AttributeDef.id)
        .where(AttributeDef.project_id == project.id, AttributeValue.value != "")
        .group_by(AttributeValue.attribute_id)
    )
    counts = {attribute_id: count for attribute_id, count in rows}
    return [
        AttributeSummary(attr, counts.get(attr.id, 0))
        for attr in document_service.list_attributes(session, project)
    ]


def get_attribute(session: Session, project: Project, attribute_id: int) -> AttributeDef:
    return get_or_raise(session, AttributeDef, attribute_id, project_id=project.id)


def new_attribute(
    session: Session,
    project: Project,
    name: str,
    scope: AttributeScope | str,
    type_: AttributeType | str = AttributeType.TEXT,
    choices: Sequence[str] = (),
    *,
    user_id: int | None = None,
) -> AttributeDef:
    """Define a new attribute; :class:`Conflict` if the scope already has one of that name."""
    name, scope, type_ = " ".join(name.split()), AttributeScope(scope), AttributeType(type_)
    _check_name(name)
    if _named(session, project.id, scope, name) is not None:
        raise Conflict(f"there is already a {scope.value} attribute named {name}")
    wanted = _clean_choices(choices) if type_ is AttributeType.CHOICE else []
    if type_ is AttributeType.CHOICE and not wanted:
        raise InvalidInput(f"{name}: a choice attribute needs its choices")
    return document_service.define_attribute(
        session, project, name, scope, type_, choices=wanted, user_id=user_id
    )


def _check_name(name: str) -> None:
    if not name:
        raise InvalidInput("an attribute needs a name")
    if len(name) > 100:
        raise InvalidInput("an attribute name has at most 100 characters")


def _named(session: Session, project_id: int, scope: AttributeScope, name: str) -> int | None:
    return session.scalar(
        select(AttributeDef.id).where(
            AttributeDef.project_id == project_id,
            AttributeDef.scope == scope,
            AttributeDef.name == name,
        )
    )


def _clean_choices(choices: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(c.split()) for c in choices if c.strip()))


def check_value(attr: AttributeDef, value: str) -> str:
    """``value`` as stored for ``attr`` (numbers without thousands separators, dates ISO), or
    :class:`InvalidInput` saying what is expected. An empty value clears."""
    return _stored(attr.name, attr.type, attr.choices, value)


def _stored(name: str, type_: AttributeType, choices: Sequence[str], value: str) -> str:
    text = " ".join(value.split())
    if not text or type_ is AttributeType.TEXT:
        return text
    kind = infer_type(name, [text]).type
    if type_ is AttributeType.NUMBER:
        if kind != "number":
            raise InvalidInput(f"{name}: '{text}' is not a number (e.g. 12, -3.5, 1,250)")
        number = float(text.replace(",", ""))
        return str(int(number)) if number.is_integer() and "." not in text else str(number)
    if type_ is AttributeType.DATE:
        if kind != "date":
            raise InvalidInput(
                f"{name}: '{text}' is not a date (YYYY-MM-DD, or DD/MM/YYYY day first)"
            )
        if "/" in text:
            return dt.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        return dt.date(*map(int, text.split("-"))).isoformat()
    if text not in choices:
        raise InvalidInput(f"{name}: '{text}' is not one of {', '.join(choices)}")
    return text


def set_value(
    session: Session,
    attr: AttributeDef,
    owner: Case | Document,
    value: str,
    *,
    user_id: int | None = None,
) -> bool:
    """Set (or, with an empty value, clear) one attribute of a case or document, checked
    against its type. Returns whether anything changed."""
    text = check_value(attr, value)
    column = AttributeValue.case_id if isinstance(owner, Case) else AttributeValue.document_id
    current = session.scalar(
        select(AttributeValue.value).where(
            AttributeValue.attribute_id == attr.id, column == owner.id
        )
    )
    if (current or "") == text:
        return False
    if text:
        document_service.set_attribute(session, attr, owner, text, user_id=user_id)
        return True
    session.execute(
        delete(AttributeValue).where(AttributeValue.attribute_id == attr.id, column == owner.id)
    )
    audit.record(
        session, "attribute.cleared", owner, project_id=attr.project_id, user_id=user_id,
        detail={"attribute": attr.name},
    )  # fmt: skip
    session.flush()
    return True


def rename_attribute(
    session: Session, attr: AttributeDef, name: str, *, user_id: int | None = None
) -> None:
    name = " ".join(name.split())
    _check_name(name)
    if name == attr.name:
        return
    if _named(session, attr.project_id, attr.scope, name) is not None:
        raise Conflict(f"there is already a {attr.scope.value} attribute named {name}")
    audit.record(session, "attribute.renamed", attr, user_id=user_id,
                 detail={"from": attr.name, "to": name})  # fmt: skip
    attr.name = name
    session.flush()


def retype_attribute(
    session: Session,
    attr: AttributeDef,
    type_: AttributeType | str,
    choices: Sequence[str] = (),
    *,
    user_id: int | None = None,
) -> None:
    """Change an attribute's type (and a choice's choices; by default the values it has).

    Every existing value must fit the new type; it is rewritten in the type's stored form.
    """
    type_ = AttributeType(type_)
    rows = session.scalars(
        select(AttributeValue)
        .where(AttributeValue.attribute_id == attr.id, AttributeValue.value != "")
        .order_by(AttributeValue.id)
    ).all()
    wanted = _clean_choices(choices)
    if type_ is AttributeType.CHOICE and not wanted:
        wanted = list(dict.fromkeys(row.value for row in rows))
        if not wanted:
            raise InvalidInput(f"{attr.name}: name the choices (it has no values yet)")
    if type_ is not AttributeType.CHOICE:
        wanted = []
    stored = [_stored(attr.name, type_, wanted, row.value) for row in rows]
    for row, value in zip(rows, stored, strict=True):
        row.value = value
    if attr.type is not type_ or attr.choices != wanted:
        attr.type, attr.choices = type_, wanted
        audit.record(
            session, "attribute.retyped", attr, user_id=user_id,
            detail={"name": attr.name, "type": type_.value, "choices": wanted},
        )  # fmt: skip
    session.flush()


@dataclass
class ValueRow:
    """One case or document and its values of the attributes of that scope (id -> value)."""

    id: int
    name: str
    values: dict[int, str]


def value_rows(session: Session, project: Project, scope: AttributeScope) -> list[ValueRow]:
    """Every case (or current document) of the project with its attribute values, by name."""
    if scope is AttributeScope.CASE:
        owners = session.execute(
            select(Case.id, Case.name).where(Case.project_id == project.id).order_by(Case.name)
        )
        column = AttributeValue.case_id
    else:
        owners = session.execute(
            select(Document.id, Document.title)
            .where(Document.project_id == project.id, Document.is_current.is_(True))
            .order_by(Document.title)
        )
        column = AttributeValue.document_id
    rows = {owner_id: ValueRow(owner_id, name, {}) for owner_id, name in owners}
    values = session.execute(
        select(column, AttributeValue.attribute_id, AttributeValue.value)
        .join(AttributeDef, AttributeValue.attribute_id == AttributeDef.id)
        .where(AttributeDef.project_id == project.id, AttributeDef.scope == scope)
    )
    for owner_id, attribute_id, value in values:
        if owner_id in rows:
            rows[owner_id].values[attribute_id] = value
    return list(rows.values())
