"""The job table on both backends: queue, claim (one claimer per job, even racing), progress,
heartbeat, outcome, dead workers' jobs failed, pruning."""

from __future__ import annotations

import threading
import time

import pytest

from finder.storage import jobs
from finder.storage.store import Store


@pytest.fixture()
def store(database_url):
    store = Store(database_url)
    store.migrate()
    yield store
    store.db.close()


def test_a_job_goes_from_queued_to_done_with_its_file(store):
    job_id = jobs.create(store, "export", {"format": "csv"}, "alice", b"input")
    assert jobs.get(store, job_id)["state"] == "queued" and jobs.input_of(store, job_id) == b"input"
    job = jobs.claim(store, "w1")
    assert (job["id"], job["state"], job["worker"], job["params"]) == (job_id, "running", "w1", {"format": "csv"})
    assert jobs.progress(store, job_id, "w1", "Écriture", 5, 10)
    assert (jobs.get(store, job_id)["done"], jobs.get(store, job_id)["total"]) == (5, 10)
    assert jobs.result(store, job_id) is None  # not done yet
    assert jobs.finish(store, job_id, "w1", "Prêt.", {"sites": 3}, (b"\x00data", "a.csv", "text/csv"))
    done = jobs.get(store, job_id)
    assert (done["state"], done["message"], done["outcome"]) == ("done", "Prêt.", {"sites": 3})
    assert jobs.result(store, job_id) == (b"\x00data", "a.csv", "text/csv")
    assert jobs.input_of(store, job_id) is None  # the upload is not kept once the job ended
    assert jobs.claim(store, "w2") is None


def test_jobs_are_claimed_oldest_first_and_failure_keeps_its_message(store):
    first = jobs.create(store, "export", {}, "alice")
    second = jobs.create(store, "import", {}, "bob")
    assert jobs.claim(store, "w")["id"] == first
    assert jobs.fail(store, first, "w", "Le fichier est vide.")
    assert jobs.get(store, first)["state"] == "failed" and jobs.get(store, first)["error"] == "Le fichier est vide."
    assert jobs.claim(store, "w")["id"] == second
    assert [j["id"] for j in jobs.recent(store)] == [second, first]
    assert [j["id"] for j in jobs.recent(store, created_by="bob")] == [second]


def test_racing_claimers_never_take_the_same_job(store):
    ids = {jobs.create(store, "export", {"n": i}, "alice") for i in range(12)}
    taken: list[tuple[str, int]] = []
    barrier = threading.Barrier(4)

    def claimer(name: str):
        barrier.wait()
        while (job := jobs.claim(store, name)) is not None:
            taken.append((name, job["id"]))

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [job_id for _, job_id in taken]
    assert sorted(claimed) == sorted(ids)  # every job once, none twice
    for name, job_id in taken:
        assert jobs.get(store, job_id)["worker"] == name


def test_two_claimers_of_one_job_one_wins(store):
    job_id = jobs.create(store, "export", {}, "alice")
    barrier = threading.Barrier(2)
    got = []

    def claimer(name):
        barrier.wait()
        got.append(jobs.claim(store, name))

    threads = [threading.Thread(target=claimer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [j for j in got if j is not None]
    assert len(winners) == 1 and winners[0]["id"] == job_id


def test_a_dead_workers_job_is_failed_and_the_worker_cannot_write_over_it(store):
    job_id = jobs.create(store, "import", {}, "alice")
    jobs.claim(store, "dead", now=time.time() - 600)
    fresh = jobs.create(store, "export", {}, "alice")
    jobs.claim(store, "alive")
    assert jobs.reap(store, stale_seconds=120) == [job_id]
    job = jobs.get(store, job_id)
    assert job["state"] == "failed" and "interrompu" in job["message"] and "Relancez" in job["message"]
    assert jobs.get(store, fresh)["state"] == "running"
    assert not jobs.progress(store, job_id, "dead", "Validation", 1, 2)
    assert not jobs.finish(store, job_id, "dead", "Fini.")
    assert jobs.get(store, job_id)["state"] == "failed"
    assert not jobs.beat(store, fresh, "someone-else")  # only the claimer writes
    assert jobs.beat(store, fresh, "alive")


def test_only_the_last_finished_jobs_are_kept(store):
    for _ in range(5):
        job_id = jobs.create(store, "export", {}, "alice")
        jobs.claim(store, "w")
        jobs.finish(store, job_id, "w", "ok", result=(b"x", "a.csv", "text/csv"))
    queued = jobs.create(store, "export", {}, "alice")
    assert jobs.prune(store, keep=2) == 3
    assert [j["id"] for j in jobs.recent(store)] == [queued, queued - 1, queued - 2]


def files(store) -> list[tuple]:
    with store.db.connection() as con:
        return sorted(tuple(r) for r in con.execute("SELECT job, role FROM job_files"))


def test_a_jobs_files_live_apart_from_its_row_and_go_with_it(store):
    """SQLite rewrites a whole row on every UPDATE: the upload and the result are rows of job_files."""
    dead = jobs.create(store, "import", {}, "alice", b"upload 1")
    jobs.claim(store, "dead", now=time.time() - 600)
    failed = jobs.create(store, "import", {}, "alice", b"upload 2")
    jobs.claim(store, "w")
    done = jobs.create(store, "import", {}, "alice", b"upload 3")
    with store.db.connection() as con:
        assert con.execute("SELECT COUNT(*) FROM jobs WHERE input IS NOT NULL OR result IS NOT NULL").fetchone() == (0,)
    assert files(store) == [(dead, "input"), (failed, "input"), (done, "input")]
    assert jobs.reap(store, stale_seconds=120) == [dead]
    assert jobs.fail(store, failed, "w", "Non.")
    jobs.claim(store, "w")
    assert jobs.finish(store, done, "w", "ok", result=(b"file", "a.csv", "text/csv"))
    assert files(store) == [(done, "result")] and jobs.result(store, done) == (b"file", "a.csv", "text/csv")
    for _ in range(2):
        job_id = jobs.create(store, "export", {}, "alice")
        jobs.claim(store, "w")
        jobs.finish(store, job_id, "w", "ok", result=(b"y", "b.csv", "text/csv"))
    jobs.prune(store, keep=1)
    assert files(store) == [(job_id, "result")]
