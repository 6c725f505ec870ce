"""Injected infrastructure outages on the real process-backend runner, for the tests of what a
sandbox failure becomes (sandbox_error, reward None, the operator's fill value).

An outage is the engine going away: the job's sandbox dies, and the retry's fresh sandbox is
refused once, after which the engine is back. (A job that merely kills its own sandbox every time
while fresh ones start is the sample's failure instead: tests/test_pool_failures.py.)"""
from __future__ import annotations

from sandboxes import WorkerDied
from sandboxes.process_backend import ProcessWorker


class EngineOutage(ProcessWorker):
    down = False   # per subclass: set by outage(), cleared by the one refused start

    def start(self, timeout: float = 60.0) -> None:
        if type(self).down:
            type(self).down = False
            raise WorkerDied("injected: engine unreachable")
        super().start(timeout)

    def outage(self, what: str):
        self._close()
        type(self).down = True
        raise WorkerDied(f"injected: {what}")


class AlwaysDies(EngineOutage):
    """The engine fails under every job."""

    def execute(self, job):
        self.outage("container vanished")


class DiesOnMarker(EngineOutage):
    """The engine fails under jobs whose program carries KILL_THE_SANDBOX; others run normally."""

    def execute(self, job):
        if "KILL_THE_SANDBOX" in job.program:
            self.outage("the sandbox died")
        return super().execute(job)
