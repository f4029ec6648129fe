"""The report's chapter outline, the quote bank and the framework matrix."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qualcode.db.base import Base, utcnow
from qualcode.models.codebook import Code
from qualcode.models.coding import Coding

section_code = Table(
    "section_code",
    Base.metadata,
    Column("section_id", ForeignKey("chapter_section.id", ondelete="CASCADE"), primary_key=True),
    Column("code_id", ForeignKey("code.id", ondelete="CASCADE"), primary_key=True),
)


class ChapterOutline(Base):
    __tablename__ = "chapter_outline"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    sections: Mapped[list[ChapterSection]] = relationship(
        back_populates="chapter", cascade="all, delete-orphan", order_by="ChapterSection.position"
    )

    __table_args__ = (UniqueConstraint("project_id", "number"),)


class ChapterSection(Base):
    __tablename__ = "chapter_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter_outline.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    chapter: Mapped[ChapterOutline] = relationship(back_populates="sections")
    # A deterministic order on every back end: creation order, which for an imported codebook
    # is its depth-first order.
    codes: Mapped[list[Code]] = relationship(secondary=section_code, order_by=lambda: Code.id)
    pins: Mapped[list[PinnedQuote]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="PinnedQuote.position"
    )


class PinnedQuote(Base):
    """A lead author's chosen quote for a section, with a citation that survives re-import."""

    __tablename__ = "pinned_quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("chapter_section.id", ondelete="CASCADE"))
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("coding.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    citation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    quote: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    section: Mapped[ChapterSection] = relationship(back_populates="pins")
    coding: Mapped[Coding | None] = relationship()


class FrameworkCell(Base):
    """Framework-method matrix cell: the author's summary of one case on one theme."""

    __tablename__ = "framework_cell"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"))
    summary: Mapped[str] = mapped_column(Text, default="")
    coding_ids: Mapped[list[Any]] = mapped_column(default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("case_id", "code_id"),)
