"""Projects, memberships with roles, cases and typed attributes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, GuidMixin, utcnow
from qualcode.models.user import User


class Role(enum.Enum):
    OWNER = "owner"
    LEAD = "lead"
    CODER = "coder"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "coder": 1, "lead": 2, "owner": 3}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Project(GuidMixin, Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("slug <> ''", name="slug_not_empty"),)


class Membership(Base):
    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role]

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)


class Case(GuidMixin, Base):
    """A case-study site (an authority), the unit lead authors compare across."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("project_id", "name"),)


class AttributeType(enum.Enum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


class AttributeScope(enum.Enum):
    CASE = "case"
    DOCUMENT = "document"


class AttributeDef(GuidMixin, Base):
    __tablename__ = "attribute_def"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[AttributeType] = mapped_column(default=AttributeType.TEXT)
    scope: Mapped[AttributeScope]
    choices: Mapped[list[Any]] = mapped_column(default=list)

    __table_args__ = (UniqueConstraint("project_id", "scope", "name"),)


class AttributeValue(Base):
    """One attribute's value on a case or a document (exactly one of them)."""

    __tablename__ = "attribute_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute_def.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(String(500))

    attribute: Mapped[AttributeDef] = relationship()

    __table_args__ = (
        CheckConstraint("(case_id IS NULL) <> (document_id IS NULL)", name="one_owner"),
        UniqueConstraint("attribute_id", "case_id", "document_id"),
    )
