"""The codebook: a tree of structured codes, and frozen named versions of it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, GuidMixin, utcnow


class CodeKind(enum.Enum):
    BARRIER = "barrier"
    ENABLER = "enabler"
    PROCESS_OUTCOME = "process_outcome"
    OUTCOME = "outcome"
    CONTEXT = "context"
    OTHER = "other"


class Code(GuidMixin, Base):
    __tablename__ = "code"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7), default="#888888")
    kind: Mapped[CodeKind] = mapped_column(default=CodeKind.OTHER)
    definition: Mapped[str] = mapped_column(Text, default="")
    inclusion: Mapped[str] = mapped_column(Text, default="")
    exclusion: Mapped[str] = mapped_column(Text, default="")
    typical_example: Mapped[str] = mapped_column(Text, default="")
    atypical_example: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    chapter: Mapped[str] = mapped_column(String(20), default="")
    section: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    codable: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Code | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Code]] = relationship(back_populates="parent", order_by="Code.position")

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        CheckConstraint("name <> ''", name="name_not_empty"),
        CheckConstraint("color LIKE '#%'", name="color_hex"),
    )


class CodebookVersion(Base):
    """A frozen, named snapshot of the codebook ("v1.0 agreed after calibration round 2")."""

    __tablename__ = "codebook_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
