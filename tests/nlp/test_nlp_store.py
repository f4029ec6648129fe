"""Stored engines: version-stamped derived data, refitted rather than trusted when stale."""

from __future__ import annotations

import joblib
import pytest

from qualcode.nlp import store
from qualcode.nlp.engine import Engine


def test_missing_model_is_none_or_a_clear_error(tmp_path):
    assert store.load(tmp_path) is None
    with pytest.raises(store.ModelUnavailable, match="no stored model"):
        Engine.load(tmp_path)


def test_a_model_from_another_version_is_stale(tmp_path, codes):
    engine = Engine().fit(codes, [], [])
    path = store.save(engine, tmp_path)
    assert path.name == store.FILENAME
    assert store.load(tmp_path) is not None
    payload = joblib.load(path)
    payload["stamp"] = {**payload["stamp"], "engine": "0"}
    joblib.dump(payload, path)
    assert store.load(tmp_path) is None
    with pytest.raises(store.ModelUnavailable, match="another version"):
        store.load_or_raise(tmp_path)


def test_an_unreadable_model_is_stale(tmp_path):
    (tmp_path / store.FILENAME).write_bytes(b"not a model")
    with pytest.raises(store.ModelUnavailable, match="unreadable"):
        store.load_or_raise(tmp_path)
    assert list(tmp_path.iterdir()) == [tmp_path / store.FILENAME]
