"""Retraining in the background, so no request ever waits for a fit.

A :class:`Trainer` (one per process and database; the web app makes it on first use) runs a
daemon worker thread, started on demand and ending when idle, that fits one model at a time.
Each project has at most one fit queued or running (single flight); asking again while one
runs queues exactly one more, so the newest decisions are never missed and a burst of
decisions costs at most two fits.

The request path only ever asks :meth:`Trainer.model_for`, which returns the model that is
ready now (loaded from memory or disk) and schedules a refit when there is none, when the
codebook changed, when blind-coding started on a document the model learnt from, or after
``retrain_after`` new codings and decisions; :meth:`Trainer.schedule` refits on demand.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.engine import read_only_transactions
from qualcode.models import Project
from qualcode.services import suggestion_models
from qualcode.services.suggestion_models import Model
from qualcode.services.training_data import DataState, data_state, gather

log = logging.getLogger(__name__)
RETRAIN_AFTER = 5  # new codings and decisions that trigger a background refit
NICENESS = 10  # the worker thread's CPU priority, below request threads
IDLE_SECONDS = 30.0  # an idle worker thread ends; the next schedule() starts another


def usable(model: Model, state: DataState) -> bool:
    """Whether the model may serve now: it never learnt from a document now being blind-coded."""
    return state.hidden <= set(model.provenance.hidden_documents)


def due(model: Model | None, state: DataState, retrain_after: int = RETRAIN_AFTER) -> bool:
    """Whether the data moved on enough for a refit."""
    if model is None or not usable(model, state):
        return True
    if not model.is_stale(state):
        return False
    return (
        state.codes_version != model.provenance.codes_version
        or model.changes_since_fit(state) >= retrain_after
    )


class Trainer:
    def __init__(self, factory: sessionmaker[Session], *, retrain_after: int = RETRAIN_AFTER):
        self.factory = factory
        self.retrain_after = retrain_after
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._jobs: dict[int, Future[None]] = {}
        self._running: set[int] = set()
        self._again: set[int] = set()
        self._errors: dict[int, str] = {}
        self._gathered: dict[int, str] = {}  # the data version each running fit learns from
        self._thread: threading.Thread | None = None

    # --- the request side: never fits ---------------------------------------------------------

    def schedule(self, project_id: int, state: DataState | None = None) -> Future[None]:
        """Refit the project's model in the background; returns at once. While a fit runs,
        another is queued unless ``state`` shows the running one already has the latest data."""
        with self._lock:
            job = self._jobs.get(project_id)
            if job is not None:
                running_on = self._gathered.get(project_id)
                if project_id in self._running and (state is None or state.version != running_on):
                    self._again.add(project_id)
                return job
            job = Future()
            self._jobs[project_id] = job
            self._queue.put(project_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="qualcode-training", daemon=True
                )
                self._thread.start()
        return job

    def model_for(self, session: Session, project: Project) -> Model | None:
        """The model to suggest with now, or ``None`` while the first one is being fitted (or
        while the only one learnt from a document now being blind-coded). Schedules a refit
        when one is due."""
        model = suggestion_models.loaded(project)
        state = data_state(session, project)
        if due(model, state, self.retrain_after):
            self.schedule(project.id, state)
        if model is None or not usable(model, state):
            return None
        return model

    def after_decisions(self, session: Session, project: Project) -> bool:
        """Call after accepting or rejecting: schedules a refit if one is due."""
        model = suggestion_models.loaded(project)
        state = data_state(session, project)
        if due(model, state, self.retrain_after):
            self.schedule(project.id, state)
            return True
        return False

    def is_training(self, project_id: int) -> bool:
        with self._lock:
            return project_id in self._jobs

    def error(self, project_id: int) -> str | None:
        with self._lock:
            return self._errors.get(project_id)

    def wait(self, project_id: int, timeout: float | None = None) -> None:
        """Block until the project's queued or running fit (if any) is over (CLI and tests)."""
        with self._lock:
            job = self._jobs.get(project_id)
        if job is not None:
            job.result(timeout)

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        _lower_priority()
        while True:
            try:
                project_id = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None  # the next schedule() starts a new worker
                        return
                continue
            with self._lock:
                job = self._jobs[project_id]
            while True:
                with self._lock:
                    self._running.add(project_id)
                    self._again.discard(project_id)
                    self._gathered.pop(project_id, None)
                try:
                    self._fit(project_id)
                    failed = False
                except Exception as exc:  # noqa: BLE001 - reported in the status, never raised
                    log.exception("fitting the suggestion model of project %s failed", project_id)
                    failed = True
                    with self._lock:
                        self._errors[project_id] = str(exc) or type(exc).__name__
                with self._lock:
                    if failed or project_id not in self._again:
                        self._running.discard(project_id)
                        self._again.discard(project_id)
                        self._gathered.pop(project_id, None)
                        del self._jobs[project_id]
                        break
            job.set_result(None)

    def _fit(self, project_id: int) -> None:
        with read_only_transactions(), self.factory() as session:
            project = session.get(Project, project_id)
            if project is None:
                return
            data = gather(session, project)
        with self._lock:
            self._gathered[project_id] = data.state.version
        model = suggestion_models.fit(data)
        suggestion_models.save(project, model)
        with self.factory.begin() as session:
            stored = session.get(Project, project_id)
            if stored is not None:
                suggestion_models.record(session, stored, model)
        with self._lock:
            self._errors.pop(project_id, None)


def _lower_priority() -> None:
    """Run this thread at a lower CPU priority (Linux), so fits never slow the server down."""
    with contextlib.suppress(AttributeError, OSError):  # elsewhere: the default priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


@dataclass(frozen=True)
class ModelStatus:
    """What the UI says about the project's model."""

    version: str | None
    trained_at: str | None
    examples: int
    positives: int
    negatives: int
    decisions: int
    codes: int
    threshold: float | None
    fit_seconds: float | None
    training: bool
    stale: bool
    pending_changes: int
    error: str | None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = asdict(self)
        data["summary"] = self.summary()
        return data

    def summary(self) -> str:
        """One line: "model v… trained on N examples at …, retraining…"."""
        if self.version is None:
            text = "no model yet"
        else:
            when = _clock(self.trained_at)
            text = (
                f"model {self.version} trained on {self.examples} examples "
                f"({self.decisions} decisions) at {when}"
            )
            if self.stale and not self.training:
                text += f"; {self.pending_changes} changes since"
        if self.training:
            text += ", retraining…" if self.version else ", training…"
        if self.error:
            text += f" (the last training failed: {self.error})"
        return text


def _clock(iso: str | None) -> str:
    if not iso:
        return "an unknown time"
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def status(session: Session, project: Project, trainer: Trainer | None = None) -> ModelStatus:
    model = suggestion_models.loaded(project)
    state = data_state(session, project)
    training = trainer.is_training(project.id) if trainer is not None else False
    error = trainer.error(project.id) if trainer is not None else None
    if model is None:
        return ModelStatus(
            None,
            None,
            0,
            0,
            0,
            0,
            0,
            None,
            None,
            training,
            True,
            state.examples + state.decisions,
            error,
        )
    p = model.provenance
    stale = model.is_stale(state)
    return ModelStatus(
        p.version,
        p.trained_at,
        p.examples,
        p.positives,
        p.negatives,
        p.decisions,
        p.codes,
        p.threshold,
        p.fit_seconds,
        training,
        stale,
        model.changes_since_fit(state) if stale else 0,
        error,
    )
