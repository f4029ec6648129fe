"""Database plumbing: declarative base, engine with SQLite pragmas, sessionmaker, migrations."""

from qualcode.db.base import Base
from qualcode.db.engine import make_engine, make_sessionmaker

__all__ = ["Base", "make_engine", "make_sessionmaker"]
