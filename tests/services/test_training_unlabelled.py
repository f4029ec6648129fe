"""Training learns latent features from the project's transcripts, coded or not: the units are
gathered as suggestions are cut (interviewers' turns are context), and the background fit uses
them."""

from __future__ import annotations

import pytest
from factories import make_document
from sqlalchemy import select
from suggestion_world import build_world

from qualcode.db.engine import make_sessionmaker
from qualcode.models import Document, Project
from qualcode.nlp import TextUnit
from qualcode.services import suggestion_models, training
from qualcode.services.training_data import gather, unlabelled_units

pytestmark = pytest.mark.slow

ASKED = "What happened to the team?"
SAID = [
    "Attrition: staff left and the post stayed vacant.",
    "Attrition again, the coordinator left and nobody handed over.",
    "With attrition we lost key officers and the knowledge went with them.",
    "Attrition meant posts sat empty for months.",
    "The attrition of staff left the target with no owner.",
    "Attrition hit us when the project manager left.",
]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def world(session):
    world = build_world(session)
    for i in range(4):  # uncoded interviews
        turns: list[tuple[str | None, str]] = []
        for said in SAID:
            turns += [("Interviewer", ASKED), (f"Person {i}", said)]
        make_document(session, world.project, title=f"Uncoded {i}", turns=turns)
    session.commit()
    return world


def test_gather_gives_every_documents_units_coded_or_not(session, world):
    units = gather(session, world.project).unlabelled
    documents = session.scalars(select(Document).where(Document.project_id == world.project.id))
    texts = {d.id: d.text for d in documents}
    uncoded = set(texts) - {d.id for d in [*world.training, world.target]}
    assert len(uncoded) == 4
    coded = {d.id for d in world.training}
    assert {u.document_id for u in units} == coded | uncoded | {world.target.id}
    assert {u.text for u in units if u.document_id in uncoded} == set(SAID)
    assert {u.context for u in units if u.document_id in uncoded} == {ASKED}
    assert not [u for u in units if u.is_interviewer]
    assert all(texts[u.document_id][u.start : u.end] == u.text for u in units)


def test_a_large_project_gives_a_seeded_sample_of_its_documents(session, world):
    every = {u.document_id for u in unlabelled_units(session, world.project.id)}
    few = unlabelled_units(session, world.project.id, words=1)
    assert len({u.document_id for u in few}) == 1
    assert {u.document_id for u in few} <= every
    assert few == unlabelled_units(session, world.project.id, words=1)


def test_the_background_fit_learns_from_the_unlabelled_transcripts(engine, session, world):
    trainer = training.Trainer(make_sessionmaker(engine))
    trainer.schedule(world.project.id)
    trainer.wait(world.project.id, timeout=120)
    assert trainer.error(world.project.id) is None
    session.expire_all()
    model = suggestion_models.loaded(session.get_one(Project, world.project.id))
    assert model is not None
    fitted = model.engine
    assert fitted.features.latent is not None
    data = gather(session, world.project)
    without = suggestion_models.fit(
        type(data)(data.codes, data.examples, data.decisions, data.state)
    ).engine
    assert without.features.latent is None
    assert fitted.model_version != without.model_version
    probe = [TextUnit(0, 0, 26, "The coordinator left us.", "sentence")]
    width = without.score(probe).x.shape[1]
    assert fitted.score(probe).x.shape[1] == width + fitted.features.latent_dims
