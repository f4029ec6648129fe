"""Background retraining: a fit never blocks the caller, runs once per project at a time, and
starts when enough has changed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from factories import make_coding
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from suggestion_world import GRANT, build_world

from qualcode.db.engine import make_sessionmaker
from qualcode.models import Event, Project
from qualcode.services import suggestion_models, training

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def world(session):
    world = build_world(session)
    session.commit()
    return world


@pytest.fixture
def factory(engine):
    return make_sessionmaker(engine)


def _fits(session: Session, project_id: int) -> int:
    session.expire_all()
    return (
        session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.project_id == project_id, Event.action == "suggestions.model_trained")
        )
        or 0
    )


def _until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_retraining_runs_in_the_background_while_requests_go_on(engine, factory, world):
    trainer = training.Trainer(factory)
    pid = world.project.id
    with Session(engine) as holder:
        # Hold the project row (and on SQLite the write lock): the fit can gather and fit,
        # but cannot record its model until this transaction ends.
        holder.execute(update(Project).where(Project.id == pid).values(description="busy"))
        started = time.perf_counter()
        job = trainer.schedule(pid)
        assert time.perf_counter() - started < 0.1
        assert trainer.is_training(pid)
        _until(lambda: pid in trainer._gathered)  # the fit has read the data it learns from
        with factory() as request:  # a request-like call meanwhile: answers at once
            project = request.get(Project, pid)
            started = time.perf_counter()
            answer = trainer.model_for(request, project)
            status = training.status(request, project, trainer)
            assert time.perf_counter() - started < 1.0
        assert answer is None or answer.version
        assert status.training
        assert "training" in status.summary()
        assert not job.done()
        holder.commit()
    trainer.wait(pid, timeout=120)
    assert job.done()
    assert not trainer.is_training(pid)
    with factory() as session:
        project = session.get(Project, pid)
        status = training.status(session, project, trainer)
        assert status.version
        assert not status.training
        assert status.examples == 9
        assert "trained on 9 examples" in status.summary()
        assert project.settings["suggestion_threshold"] == status.threshold
        assert _fits(session, pid) == 1


def test_asking_again_while_a_fit_runs_queues_exactly_one_more(engine, factory, world):
    trainer = training.Trainer(factory)
    pid = world.project.id
    with Session(engine) as holder:
        holder.execute(update(Project).where(Project.id == pid).values(description="busy"))
        first = trainer.schedule(pid)
        _until(lambda: pid in trainer._running)
        assert trainer.schedule(pid) is first
        assert trainer.schedule(pid) is first
        holder.commit()
    trainer.wait(pid, timeout=120)
    with factory() as session:
        assert _fits(session, pid) == 2


def test_a_refit_is_due_after_enough_new_codings_and_decisions(factory, session, world):
    trainer = training.Trainer(factory, retrain_after=2)
    model = suggestion_models.train(session, world.project)
    session.commit()
    assert not trainer.after_decisions(session, world.project)
    make_coding(
        session,
        world.target,
        world.codes[GRANT],
        world.coder,
        quote="The grant money paid for a coordinator.",
    )
    session.commit()
    assert not trainer.after_decisions(session, world.project)  # one change: not yet
    assert trainer.model_for(session, world.project) is model  # still serving the old one
    make_coding(
        session,
        world.target,
        world.codes[GRANT],
        world.coder,
        quote="The pump priming grant meant we could start early.",
    )
    session.commit()
    assert trainer.after_decisions(session, world.project)
    trainer.wait(world.project.id, timeout=120)
    fresh = trainer.model_for(session, world.project)
    assert fresh is not None
    assert fresh.provenance.positives == model.provenance.positives + 2


def test_a_failed_fit_is_reported_in_the_status_not_raised(
    factory, session, world, tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the model folder should go")
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(blocker))
    trainer = training.Trainer(factory)
    trainer.schedule(world.project.id)
    trainer.wait(world.project.id, timeout=120)
    assert trainer.error(world.project.id)
    status = training.status(session, world.project, trainer)
    assert status.version is None
    assert "failed" in status.summary()


def test_a_fit_for_a_deleted_project_does_nothing(factory, session, world):
    trainer = training.Trainer(factory)
    session.delete(world.project)
    session.commit()
    job = trainer.schedule(world.project.id)
    trainer.wait(world.project.id, timeout=60)
    assert job.done()
    assert trainer.error(world.project.id) is None


def test_a_model_another_process_stored_is_picked_up(database_url, session, world):
    model = suggestion_models.train(session, world.project)
    make_coding(
        session,
        world.target,
        world.codes[GRANT],
        world.coder,
        quote="The grant money paid for a coordinator.",
    )
    session.commit()
    other = subprocess.run(
        [sys.executable, "-m", "qualcode", "--database", database_url, "train", "lpsa"],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert other.returncode == 0, other.stderr
    fresh = suggestion_models.loaded(world.project)
    assert fresh is not None
    assert fresh.version != model.version
    assert fresh.provenance.positives == model.provenance.positives + 1
