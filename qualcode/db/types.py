"""Column types of our own.

:class:`CompressedText` keeps a long text zlib-compressed on SQLite, which stores values as
they are given: a transcript of 5,000 words takes about a third of its size, so a project's
database stays well under twice the size of its transcripts. PostgreSQL compresses long
values itself (TOAST), so there the text is stored as it is. Reading gives the ``str`` back
either way, and a value stored uncompressed (an older database) reads as it is, so nothing
needs migrating. The cost is that SQL cannot look inside the column (``length``, ``substr``,
``LIKE``): code that needs a text's length or lines loads the text.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

LEVEL = 3  # as small as level 6 within a few per cent, at half the time


class CompressedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return zlib.compress(value.encode("utf-8"), LEVEL)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if isinstance(value, bytes):
            return zlib.decompress(value).decode("utf-8")
        return value  # type: ignore[no-any-return]
