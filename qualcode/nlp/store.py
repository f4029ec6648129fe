"""Fitted engines on disk: derived data, rebuilt from the codings whenever missing or stale.

An engine is stored as ``engine.joblib`` in a directory of its own (the caller chooses it, e.g.
``<data dir>/models/<project guid>/``), with a version stamp: a file written by another
storage format, engine version or scikit-learn version is not loaded but reported stale, and
the caller refits. Files are written to a temporary name and renamed, so a reader never sees
half a model.

Loading unpickles: only load what qualcode itself wrote into its data directory.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.nlp.engine import Engine

FORMAT = 1
FILENAME = "engine.joblib"


class ModelUnavailable(QualcodeError):
    """There is no usable stored model (missing, unreadable or from another version)."""


def stamp() -> dict[str, Any]:
    """What a stored engine must match to be loaded."""
    import sklearn

    from qualcode.nlp.engine import ENGINE_VERSION

    return {"format": FORMAT, "engine": ENGINE_VERSION, "sklearn": sklearn.__version__}


def save(engine: Engine, folder: Path) -> Path:
    """Write ``engine`` to ``folder/engine.joblib`` (atomically); returns the file's path."""
    import joblib

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILENAME
    temporary = folder / f".{FILENAME}.{os.getpid()}.{threading.get_ident()}"
    joblib.dump(
        {"stamp": stamp(), "model_version": engine.model_version, "engine": engine},
        temporary,
        compress=3,
    )
    temporary.replace(target)
    return target


def load_or_raise(folder: Path) -> Engine:
    """The engine stored in ``folder``; :class:`ModelUnavailable` says why there is none."""
    import joblib

    from qualcode.nlp.engine import Engine

    path = Path(folder) / FILENAME
    if not path.exists():
        raise ModelUnavailable(f"{path}: no stored model")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is simply stale derived data
        raise ModelUnavailable(f"{path}: unreadable model ({exc})") from exc
    if not isinstance(payload, dict) or payload.get("stamp") != stamp():
        found = payload.get("stamp") if isinstance(payload, dict) else None
        raise ModelUnavailable(f"{path}: stored by another version ({found}), refit needed")
    engine = payload.get("engine")
    if not isinstance(engine, Engine):
        raise ModelUnavailable(f"{path}: not a qualcode engine")
    return engine


def load(folder: Path) -> Engine | None:
    """The engine stored in ``folder``, or ``None`` if there is no usable one (refit)."""
    try:
        return load_or_raise(folder)
    except ModelUnavailable:
        return None
