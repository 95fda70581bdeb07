from onewindow.core import jobs


def test_due_jobs_run_and_a_failing_job_does_not_stop_the_others(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(jobs, "JOBS", {})
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)

    @jobs.periodic("broken", interval=10)
    def broken() -> None:
        raise RuntimeError("boom")

    @jobs.periodic("fine", interval=10)
    def fine() -> None:
        calls.append("fine")

    assert jobs.run_due_jobs(now=100.0) == ["fine"]
    assert calls == ["fine"]
    # Within the interval nothing runs again; after it, both are due.
    assert jobs.run_due_jobs(now=105.0) == []
    assert jobs.run_due_jobs(now=111.0) == ["fine"]
