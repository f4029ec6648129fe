"""Declarative base with named constraints (so migrations work on every back end)."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_guid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            length=32,
        ),
    }


class GuidMixin:
    """A stable identifier for every exportable entity (uuid4, or the GUID an import carried)."""

    guid: Mapped[str] = mapped_column(String(64), default=new_guid, unique=True)
