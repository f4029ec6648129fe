"""``qualcode bench web``: simulated coders against a real server subprocess lose nothing."""

from __future__ import annotations

import pytest

from qualcode.bench.web import run


@pytest.mark.slow
@pytest.mark.parametrize(("server", "threads"), [("waitress", None), ("gunicorn", 2)])
def test_web_bench_drives_the_real_server_and_accounts_for_every_coding(server, threads):
    result = run(
        3, 4, server=server, threads=threads, documents=2, words=400, per_document=3, think=0.05
    )
    assert result.errors == 0, result.error_samples
    assert result.lost == 0
    assert result.unexpected == 0
    assert result.requests == sum(lat.count for lat in result.kinds.values()) > 10
    assert {"events", "apply", "page", "codings"} <= set(result.kinds)
    assert result.sign_in.count == 6  # the form, then the POST, for each coder
    assert result.applied > 0
    assert result.throughput_per_second > 0
    assert f"{server} (" in result.table()
