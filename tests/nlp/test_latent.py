"""Latent (LSA) features learnt from a project's unlabelled text: a word seldom coded, but
keeping company with a code's words across the transcripts, counts towards that code."""

from __future__ import annotations

import numpy as np
import pytest
from nlp_samples import GRANT, PASSAGES, TURNOVER, unit
from scipy import sparse
from sklearn.preprocessing import normalize

from qualcode.nlp import Example, TextUnit
from qualcode.nlp.engine import MAX_UNLABELLED, Engine, sample
from qualcode.nlp.features import LATENT_DIMS, MIN_LATENT_DIMS, Featurizer, Passages

# "attrition" is in the coded vocabulary only through one rejected suggestion; in the project's
# transcripts it is always said together with staff leaving and posts left empty.
SAID_WITH_TURNOVER = [
    "Attrition: staff left and the post stayed vacant.",
    "Attrition again, the coordinator left and nobody replaced them.",
    "With attrition we lost key officers and the knowledge went with them.",
    "Attrition meant posts sat empty for months.",
    "The attrition of staff left the target with no owner.",
    "Attrition hit us when the manager moved on.",
]
PROBE = unit("Attrition.", start=0)


def transcripts() -> list[TextUnit]:
    said = [unit(t, document_id=200 + i) for i, t in enumerate(SAID_WITH_TURNOVER * 2)]
    return said + [unit(t, document_id=300) for texts in PASSAGES.values() for t in texts]


@pytest.fixture
def examples_with_rare_word(examples) -> list[Example]:
    return [*examples, Example("Attrition came up once.", GRANT, False, document_id=40)]


def rank(engine: Engine, code_id: int) -> int:
    p = engine.probabilities([PROBE])[0]
    order = [engine.code_ids[j] for j in np.argsort(-p, kind="stable")]
    return order.index(code_id)


def test_unlabelled_text_ranks_the_code_a_rare_word_keeps_company_with_higher(
    codes, examples_with_rare_word
):
    without = Engine().fit(codes, examples_with_rare_word, [])
    with_text = Engine().fit(codes, examples_with_rare_word, [], transcripts())
    assert without.features.latent is None
    assert with_text.features.latent is not None
    assert rank(with_text, TURNOVER) < rank(without, TURNOVER)
    assert rank(with_text, TURNOVER) == 0


def test_the_latent_block_joins_the_rows_and_the_similarity_space(codes, examples):
    engine = Engine().fit(codes, examples, [], transcripts())
    dims = engine.features.latent_dims
    assert MIN_LATENT_DIMS <= dims <= LATENT_DIMS
    probe = unit("The coordinator left and the grant ran out.")
    x = engine.score([probe]).x
    plain = Engine().fit(codes, examples, []).score([probe]).x
    assert x.shape[1] == plain.shape[1] + dims
    assert (x[:, : plain.shape[1]] != plain).nnz == 0
    latent = x[:, -dims:].toarray()
    assert np.linalg.norm(latent) == pytest.approx(0.5, abs=1e-4)  # LATENT_SCALE
    space = engine.features.similarity_space(x)
    assert space.words.shape == engine.features.passage_words(x).shape
    assert space.latent.shape == (1, dims)
    assert abs(space.latent).sum() > 0


def test_the_split_similarity_space_gives_the_cosines_of_the_joined_rows(codes, examples):
    """Words (sparse) and latent block (dense) kept apart give each pair of rows the cosine of
    the two parts joined and normalised; a row with no known word stays all zero."""
    engine = Engine().fit(codes, examples, [], transcripts())
    probes = [unit(t) for t in SAID_WITH_TURNOVER[:3]] + [unit("Zyzzyva."), PROBE]
    x = engine.score(probes).x
    words = engine.features.passage_words(x)
    joined = sparse.hstack([words, x[:, -engine.features.latent_dims :]], format="csr")
    joined = normalize(joined).toarray().astype(np.float64)
    space = engine.features.similarity_space(x)
    cosines = space.cosines(space.transposed())
    assert np.allclose(cosines, joined @ joined.T, atol=1e-6)
    assert cosines[0, 1] > 0.1
    assert words[3].nnz == 0
    assert not cosines[3].any()
    some = space[[1, 4]].cosines(space[:2].transposed())
    assert np.allclose(some, joined[[1, 4]] @ joined[:2].T, atol=1e-6)


def test_without_unlabelled_text_the_engine_is_as_before(codes, examples):
    engine = Engine().fit(codes, examples, [])
    assert engine.features.latent is None
    x = engine.score([PROBE]).x
    assert x.shape[1] == engine.features.n_words + len(engine.features.chars.vocabulary_)


def test_too_little_unlabelled_text_makes_no_latent_block(codes, examples):
    engine = Engine().fit(codes, examples, [], transcripts()[: 2 * MIN_LATENT_DIMS - 1])
    assert engine.features.latent is None
    featurizer = Featurizer()
    featurizer.fit_transform(Passages(["staff leave", "grant money"], ["", ""]))
    assert not featurizer.fit_latent(Passages(["staff leave"] * 40, [""] * 40))  # 2 words


def test_the_model_version_follows_the_unlabelled_text(codes, examples):
    plain = Engine().fit(codes, examples, []).model_version
    first = Engine().fit(codes, examples, [], transcripts()).model_version
    assert first != plain
    assert Engine().fit(codes, examples, [], transcripts()).model_version == first
    assert Engine().fit(codes, examples, [], transcripts()[1:]).model_version != first


def test_a_stored_engine_keeps_its_latent_block(codes, examples_with_rare_word, tmp_path):
    engine = Engine().fit(codes, examples_with_rare_word, [], transcripts())
    engine.save(tmp_path / "model")
    loaded = Engine.load(tmp_path / "model")
    assert loaded.features.latent is not None
    assert np.array_equal(loaded.features.latent.components_, engine.features.latent.components_)
    assert loaded.suggest([PROBE]) == engine.suggest([PROBE])
    assert rank(loaded, TURNOVER) == 0


def test_a_large_project_is_sampled_the_same_way_each_time():
    units = [unit(f"passage {i}", document_id=i) for i in range(50)]
    assert sample(units, 50) is units
    first = sample(units, 10)
    assert len(first) == 10
    assert first == sample(units, 10)
    assert [u.document_id for u in first] == sorted(u.document_id for u in first)
    assert MAX_UNLABELLED == 10_000
