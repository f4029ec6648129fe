"""The benchmarks' shared parts: latency percentiles, scratch databases, the generated project."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qualcode.bench import seeding
from qualcode.bench.latency import Latency, percentile
from qualcode.bench.scratch import ScratchUnavailable, database_bytes, scratch_database
from qualcode.db.engine import make_engine, make_sessionmaker
from qualcode.errors import InvalidInput
from qualcode.models import Case, Code, Coding, Document, Event


def test_percentiles_are_nearest_rank_in_milliseconds():
    seconds = [n / 1000 for n in range(100, 0, -1)]  # 1..100 ms, unordered
    assert percentile(list(range(1, 101)), 0.95) == 95
    lat = Latency.of(seconds)
    assert (lat.count, lat.p50_ms, lat.p95_ms, lat.p99_ms, lat.max_ms) == (100, 51, 95, 99, 100)
    assert lat.mean_ms == pytest.approx(50.5)
    assert Latency.of([]) == Latency(0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_a_scratch_sqlite_database_is_removed_unless_kept(tmp_path: Path):
    with scratch_database("sqlite", tmp_path) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
            conn.exec_driver_sql("INSERT INTO t VALUES ('" + "x" * 100_000 + "')")
        assert database_bytes(engine) > 100_000
        engine.dispose()
    assert not list(tmp_path.glob("bench.db*"))
    with scratch_database("sqlite", tmp_path, keep=True) as url:
        make_engine(url).dispose()
        Path(url.removeprefix("sqlite:///")).touch()
    assert (tmp_path / "bench.db").exists()


def test_scratch_database_errors_are_clear(tmp_path: Path, monkeypatch):
    with (
        pytest.raises(InvalidInput, match="unknown backend 'oracle'"),
        scratch_database("oracle", tmp_path),
    ):
        pass
    monkeypatch.setenv("QUALCODE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:1/x")
    with (
        pytest.raises(ScratchUnavailable, match="cannot create a scratch database on .*:1/x"),
        scratch_database("postgres", tmp_path),
    ):
        pass


@pytest.fixture
def corpus(tmp_path: Path) -> seeding.Corpus:
    return seeding.write_transcripts(tmp_path / "corpus", 3, words=300, seed=4)


def test_transcripts_are_written_with_their_size_and_cases(corpus: seeding.Corpus):
    files = sorted(corpus.folder.glob("*.txt"))
    assert len(files) == corpus.files == 3
    assert corpus.raw_bytes == sum(f.stat().st_size for f in files)
    assert corpus.words >= 3 * 300
    assert set(corpus.cases_by_title) == {f.stem for f in files}
    assert set(corpus.cases_by_title.values()) == {"Case 001"}


def test_the_project_is_imported_and_coded_through_the_services(engine, corpus):
    factory = make_sessionmaker(engine)
    bench = seeding.create_project(factory, coders=3, codes=25)
    assert len(bench.code_ids) == 25
    assert bench.usernames == ("coder01", "coder02", "coder03")
    summary = seeding.import_transcripts(factory, bench, corpus)
    assert len(summary.of("imported")) == 3
    with factory() as session:
        ids = seeding.document_ids(session, bench.project_id)
        assert session.scalar(select(func.count()).select_from(Code)) == 28  # 3 themes
        assert session.scalars(select(Case.name)).all() == ["Case 001"]
    applied = seeding.code_documents(factory, bench, ids[:1], per_document=8, seed=2)
    assert applied == 8
    with factory() as session:
        codings = session.scalars(select(Coding)).all()
        assert {c.coder_id for c in codings} == set(bench.coder_ids[:2])
        for coding in codings:
            assert coding.document.text[coding.start : coding.end] == coding.quote
            assert coding.quote == coding.quote.strip()
        events = session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "coding.added")
        )
        assert events == len(codings)


def test_multi_row_inserts_store_what_apply_code_would(engine, corpus):
    factory = make_sessionmaker(engine)
    bench = seeding.create_project(factory, coders=2, codes=20)
    seeding.import_transcripts(factory, bench, corpus)
    with factory() as session:
        ids = seeding.document_ids(session, bench.project_id)

    def rows() -> set[tuple[object, ...]]:
        with factory() as session:
            return set(
                session.execute(
                    select(
                        Coding.document_id,
                        Coding.code_id,
                        Coding.coder_id,
                        Coding.start,
                        Coding.end,
                        Coding.quote,
                        Coding.origin,
                    )
                ).all()
            )

    seeding.code_documents(factory, bench, ids, per_document=10, seed=7)
    through_services = rows()
    with factory.begin() as session:
        session.query(Event).filter(Event.action == "coding.added").delete()
        session.query(Coding).delete()
    stored = seeding.bulk_code_documents(factory, bench, ids, per_document=10, seed=7, batch=2)
    assert rows() == through_services
    assert stored == len(through_services)
    with factory() as session:
        details = session.scalars(select(Event.detail).where(Event.action == "coding.added"))
        assert sorted(d["start"] for d in details) == sorted(r[3] for r in through_services)
        assert session.scalar(select(func.count()).select_from(Document)) == 3
