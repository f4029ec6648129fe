"""A project's fitted suggestion engine: fit it, keep it on disk and in memory, tell if stale.

Fitted models are derived data (DESIGN.md): they live under the data directory
(``$QUALCODE_DATA_DIR``, else ``$XDG_DATA_HOME/qualcode``, else ``~/.local/share/qualcode``) in
``models/<project guid>/`` and are rebuilt from the codings whenever they are missing, unreadable
or stale. Beside the engine, ``provenance.json`` says what it was fitted on, so staleness is a
comparison of two short digests (``training_data.DataState``).

spaCy and scikit-learn load only when a model is fitted or loaded, never at import.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from qualcode.models import Project
from qualcode.services import audit
from qualcode.services.agreement import THRESHOLD_SETTING
from qualcode.services.training_data import DataState, TrainingData, gather

if TYPE_CHECKING:
    from qualcode.nlp.engine import Engine

log = logging.getLogger(__name__)
PROVENANCE = "provenance.json"


@dataclass(frozen=True)
class Provenance:
    """What a fitted model was trained on, and when."""

    version: str
    data_version: str
    codes_version: str
    examples: int
    positives: int
    negatives: int
    decisions: int
    codes: int
    threshold: float
    trained_at: str
    fit_seconds: float
    hidden_documents: list[int] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Model:
    """A fitted engine with its provenance; ``lock`` serialises scoring across threads."""

    engine: Engine
    provenance: Provenance
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def version(self) -> str:
        return self.provenance.version

    def is_stale(self, state: DataState) -> bool:
        return state.version != self.provenance.data_version

    def changes_since_fit(self, state: DataState) -> int:
        return state.changes_since(self.provenance.examples, self.provenance.decisions)


def data_dir() -> Path:
    """Where qualcode keeps derived data (fitted models)."""
    explicit = os.environ.get("QUALCODE_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "qualcode"


def model_dir(project: Project) -> Path:
    return data_dir() / "models" / project.guid


_cache: dict[Path, tuple[Model, int]] = {}  # folder -> (model, its provenance file's mtime)
_cache_lock = threading.Lock()


def _stamp(folder: Path) -> int | None:
    try:
        return (folder / PROVENANCE).stat().st_mtime_ns
    except OSError:
        return None


def fit(data: TrainingData) -> Model:
    """Fit an engine on the gathered data (seconds; call it off the request path)."""
    from qualcode.nlp.engine import Engine

    started = time.perf_counter()
    engine = Engine().fit(data.codes, data.examples, data.decisions, data.unlabelled)
    seconds = time.perf_counter() - started
    provenance = Provenance(
        version=engine.model_version,
        data_version=data.state.version,
        codes_version=data.state.codes_version,
        examples=len(data.examples),
        positives=data.positives,
        negatives=data.negatives,
        decisions=len(data.decisions),
        codes=len(data.codes),
        threshold=float(engine.threshold),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fit_seconds=round(seconds, 3),
        hidden_documents=sorted(data.state.hidden),
    )
    return Model(engine, provenance)


def save(project: Project, model: Model) -> None:
    """Write the model to the project's model directory and make it the cached one."""
    from qualcode.nlp import store

    folder = model_dir(project)
    store.save(model.engine, folder)
    temporary = folder / f".{PROVENANCE}.{os.getpid()}.{threading.get_ident()}"
    temporary.write_text(json.dumps(asdict(model.provenance), indent=1), encoding="utf-8")
    temporary.replace(folder / PROVENANCE)
    with _cache_lock:
        _cache[folder] = (model, _stamp(folder) or 0)


def loaded(project: Project) -> Model | None:
    """The project's model from memory or disk, without fitting; ``None`` if there is none
    (or what is on disk cannot be read: it is derived data, so it is simply rebuilt). A model
    another process stored since is picked up (each web worker keeps its own copy)."""
    folder = model_dir(project)
    stamp = _stamp(folder)
    with _cache_lock:
        cached = _cache.get(folder)
    if cached is not None and (stamp is None or stamp == cached[1]):
        return cached[0]
    fresh = _read(folder) if stamp is not None else None
    if fresh is None:
        return cached[0] if cached is not None else None
    with _cache_lock:
        _cache[folder] = (fresh, stamp or 0)
    return fresh


def _read(folder: Path) -> Model | None:
    from qualcode.nlp import store

    try:
        provenance = Provenance.from_dict(
            json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
        )
        engine = store.load(folder)
    except Exception as exc:  # noqa: BLE001 - any unreadable artefact is rebuilt, not fatal
        log.warning("ignoring the stored model in %s: %s", folder, exc)
        return None
    if engine is None or engine.model_version != provenance.version:
        return None
    return Model(engine, provenance)


def forget(project: Project) -> None:
    """Drop the project's model from memory (the files stay)."""
    with _cache_lock:
        _cache.pop(model_dir(project), None)


def record(session: Session, project: Project, model: Model, *, user_id: int | None = None) -> None:
    """Note a new model in the project: its decision threshold becomes the one the machine
    coder is compared at (``suggestion_threshold``), and the audit log says what it learnt."""
    settings = dict(project.settings or {})
    settings[THRESHOLD_SETTING] = model.provenance.threshold
    project.settings = settings
    session.flush()
    p = model.provenance
    audit.record(
        session,
        "suggestions.model_trained",
        project,
        project_id=project.id,
        user_id=user_id,
        detail={
            "model_version": p.version,
            "examples": p.examples,
            "decisions": p.decisions,
            "codes": p.codes,
            "fit_seconds": p.fit_seconds,
        },
    )


def train(session: Session, project: Project, *, user_id: int | None = None) -> Model:
    """Gather, fit, store and record the project's model now (the caller commits)."""
    model = fit(gather(session, project))
    save(project, model)
    record(session, project, model, user_id=user_id)
    return model


def current(session: Session, project: Project) -> Model:
    """An up-to-date model, fitted here if the stored one is missing or stale (for the CLI and
    other callers that may wait; the web app asks ``training`` instead)."""
    from qualcode.services.training_data import data_state

    model = loaded(project)
    if model is not None and not model.is_stale(data_state(session, project)):
        return model
    return train(session, project)
