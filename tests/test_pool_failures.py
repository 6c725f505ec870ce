"""A job that takes its sandbox down on every attempt is the sample's own failure (never a
sandbox_error it could hide behind: reward None, dropped by RL batches), as long as fresh
sandboxes still start; when they do not, it is the infrastructure's. The gVisor fork bomb in the
hostile corpus (tests/test_hostile.py) is the real case; these workers script the two situations."""
from __future__ import annotations

from harness.core.judge import verdict
from sandboxes import Job, TestCase
from sandboxes.pool import SandboxPool, WorkerDied


class ScriptedWorker:
    """execute() dies for jobs named 'bomb'; start() fails once the engine is 'down'."""

    def __init__(self, engine: dict):
        self.engine = engine

    def start(self) -> None:
        self.engine["starts"] += 1
        if self.engine["down"] and self.engine["starts"] > 1:
            raise WorkerDied("cannot start a container: engine unreachable")

    def execute(self, job: Job):
        raise WorkerDied("container 123 exited")

    def close(self) -> None:
        pass


def run_one(down: bool):
    engine = {"starts": 0, "down": down}
    pool = SandboxPool(lambda i: ScriptedWorker(engine), workers=1).start()
    try:
        job = Job(program="", tests=[TestCase("t0")], job_id="bomb")
        return verdict(pool.submit(job).result(), expected_tests=1)
    finally:
        pool.close()


def test_a_job_that_kills_every_fresh_sandbox_fails_as_the_sample():
    v = run_one(down=False)
    assert v.status == "runtime_error" and "sandbox down" in v.detail


def test_a_sandbox_that_cannot_be_restarted_is_an_infrastructure_error():
    assert run_one(down=True).status == "sandbox_error"
