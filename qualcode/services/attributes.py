"""Importing attribute sheets into a project (all or nothing) and editing attribute types.

A document sheet may carry case-level columns too (authority type, region...): a column whose
value is the same for every document of each case, in a sheet where some case has several
documents, is stored once on the case rather than on each document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from qualcode.errors import InvalidImport
from qualcode.ingest.attributes import AttributeSheet, Value
from qualcode.models import AttributeScope, AttributeType, Case, Project
from qualcode.services import documents as document_service


@dataclass
class SheetReport:
    scope: str
    rows: int = 0
    case_attributes: dict[str, str] = field(default_factory=dict)  # name -> type
    document_attributes: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    encoding: str | None = None

    def lines(self) -> list[str]:
        out = [f"{self.rows} {self.scope} rows imported"
               + (f" (read as {self.encoding})" if self.encoding else "")]
        for label, attrs in (("case", self.case_attributes),
                             ("document", self.document_attributes)):
            if attrs:
                out.append(f"{label} attributes: " + ", ".join(f"{n} ({t})"
                                                              for n, t in attrs.items()))
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
    return {col.name for col in sheet.columns
            if all(len({_text(v[col.name]) for v in rows}) == 1 for rows in by_case.values())}


def import_sheet(session: Session, project: Project, sheet: AttributeSheet, *,
                 user_id: int | None = None) -> SheetReport:
    report = SheetReport(sheet.scope, encoding=sheet.encoding)
    case_level = _case_level(sheet)
    defs = {}
    for col in sheet.columns:
        scope = AttributeScope.CASE if (sheet.scope == "case" or col.name in case_level) \
            else AttributeScope.DOCUMENT
        defs[col.name] = document_service.define_attribute(
            session, project, col.name, scope, AttributeType(col.type),
            choices=list(col.choices), user_id=user_id)
        target = report.case_attributes if scope is AttributeScope.CASE else \
            report.document_attributes
        target[col.name] = col.type
    for row in sheet.rows:
        if sheet.scope == "case":
            case_row = document_service.get_or_create_case(session, project, row.key,
                                                           user_id=user_id)
            for name, value in row.values.items():
                document_service.set_attribute(session, defs[name], case_row, _text(value),
                                               user_id=user_id)
            report.rows += 1
            continue
        doc = document_service.find_by_title(session, project, row.key)
        if doc is None:
            report.unknown.append(f"{row.key} (row {row.row})")
            continue
        case: Case | None = None
        if row.case:
            case = document_service.get_or_create_case(session, project, row.case,
                                                       user_id=user_id)
            if doc.case_id != case.id:
                document_service.assign_case(session, doc, case, user_id=user_id)
        for name, value in row.values.items():
            owner = case if name in case_level and case is not None else doc
            if name in case_level and case is None:
                raise InvalidImport(f"{row.key} has no case for case attribute {name}",
                                    location=f"row {row.row}")
            document_service.set_attribute(session, defs[name], owner, _text(value),
                                           user_id=user_id)
        report.rows += 1
    return report
