"""One warm pool per node: processes of one user that ask for the same pool share one service's
sandboxes (ExecConfig(share="node")), which goes away shortly after its last user."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import pytest

from harness.core.executor import ExecConfig, Executor
from harness.rewards import CodeReward
from sandboxes import Job, TestCase as Case
from sandboxes.docker_backend import LABEL, OWNER_LABEL, labelled

ROOT = pathlib.Path(__file__).resolve().parents[1]
GRACE_S = 1.0


@pytest.fixture
def runtime_env(monkeypatch):
    """A private runtime dir (short: it holds a unix socket) and a short grace, for us and our children."""
    with tempfile.TemporaryDirectory(prefix="ch-") as d:
        os.chmod(d, 0o700)
        monkeypatch.setenv("XDG_RUNTIME_DIR", d)
        monkeypatch.setenv("CODEHARNESS_POOL_GRACE_S", str(GRACE_S))
        yield pathlib.Path(d)


def gone(pid: int) -> bool:
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # exited, not yet reaped by whoever adopted it


def wait_until(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def owned_by(client, pid: int) -> list:
    owner = f"{socket.gethostname()}:{pid}"
    return [c for c in labelled(client)
            if c.labels.get(OWNER_LABEL) == owner]


def test_four_processes_share_one_pool_and_it_goes_away(docker_client, runtime_env, humaneval_problems, tmp_path):
    problems = humaneval_problems[:10]
    samples = [(p.task_id, c) for p in problems
               for c in (p.canonical_solution[len(p.prompt):], "    return None\n")]
    with CodeReward("humaneval", sandbox="docker", workers=2, timeout_s=5) as alone:  # a pool of its own
        expected = alone.score(None, [c for _, c in samples], task_id=[t for t, _ in samples])
    assert expected.statuses.count("passed") == 10

    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "node_pool_client.py"), json.dumps(samples),
                               str(go)], stdout=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    seen: dict[str, tuple[str, str]] = {}   # container id -> (pool label, owner), of every codeharness container
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for c in labelled(docker_client):
                seen[c.id] = (c.labels.get(LABEL), c.labels.get(OWNER_LABEL))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        go.touch()  # all four attached: now they score at once
        reports = [json.loads(p.stdout.readline()) for p in procs]
        for p in procs:
            assert p.wait(timeout=60) == 0
    finally:
        stop.set()
        watcher.join()
        for p in procs:
            p.kill()

    service = reports[0]["service"]
    assert {r["service"] for r in reports} == {service}
    assert service not in {r["pid"] for r in reports}
    host = socket.gethostname()
    ours = {f"{host}:{pid}" for pid in [service] + [r["pid"] for r in reports]}
    containers = {cid: v for cid, v in seen.items() if v[1] in ours}
    assert len(containers) == 2                                  # exactly one pool's worth
    assert {owner for _, owner in containers.values()} == {f"{host}:{service}"}
    assert len({pool for pool, _ in containers.values()}) == 1
    for r in reports:
        assert r["statuses"] == expected.statuses
        assert r["rewards"] == expected.rewards

    assert wait_until(lambda: gone(service) and not owned_by(docker_client, service), GRACE_S + 10)
    assert not list(runtime_env.glob("codeharness/*.sock"))


def slow_job(seconds: float) -> Job:
    return Job(program=f"import time\ndef f():\n    t = time.time()\n    while time.time() - t < {seconds}: pass\n"
                       "    return 1\n",
               tests=[Case("t", code="assert f() == 1")], entry_point="f")


def test_a_killed_service_is_replaced_and_its_jobs_rerun(docker_client, runtime_env):
    quick = [Job(program=f"def f(): return {i}", tests=[Case("t", code="assert f() == 1")], entry_point="f")
             for i in range(3)]
    with Executor(ExecConfig(sandbox="docker", workers=1, timeout_s=5, share="node")) as ex:
        assert [o.tests[0].status for o in ex.run_jobs(quick)] == ["failed", "passed", "failed"]
        first = ex.pool.service_pid
        assert len(owned_by(docker_client, first)) == 1
        running = ex.submit(slow_job(2.0))
        time.sleep(1.0)
        os.kill(first, signal.SIGKILL)
        outcome = running.result(timeout=120)   # resent to the service that replaced the dead one
        assert not outcome.error and outcome.tests[0].status == "passed"
        second = ex.pool.service_pid
        assert second != first and ex.pool.restarts == 1
        assert [o.tests[0].status for o in ex.run_jobs(quick)] == ["failed", "passed", "failed"]
        assert wait_until(lambda: not owned_by(docker_client, first), 30)  # the dead one's sandboxes went too
    assert wait_until(lambda: gone(second) and not owned_by(docker_client, second), GRACE_S + 10)


ADAPTER_CALL = """
import harness.adapters as a
score = a.compute_score("x", "def add(a, b):\\n    return a + b\\n", ["assert add(1, 2) == 3"], sandbox="process",
                        workers=2, timeout_s=2)
print(score, getattr(a.shared_reward(None, sandbox="process", workers=2, timeout_s=2).executor.pool, "service_pid", None))
"""


def test_rl_adapters_share_the_node_pool_by_default(runtime_env, monkeypatch):
    """veRL reward workers / OpenRLHF actors: separate processes, one pool between them."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    run = lambda **extra: subprocess.run([sys.executable, "-c", ADAPTER_CALL], env=dict(env, **extra),
                                         capture_output=True, text=True, timeout=120).stdout.split()
    import harness.adapters as adapters

    monkeypatch.setattr(adapters, "_REWARDS", {})
    reward = adapters.shared_reward(None, sandbox="process", workers=2, timeout_s=2)
    try:
        good = "def add(a, b):\n    return a + b\n"
        assert reward.score(None, [good], tests=[["assert add(1, 2) == 3"]]).rewards == [1.0]
        service = reward.executor.pool.service_pid
        assert run() == ["1.0", str(service)]            # another process: the same service
        assert run(CODEHARNESS_POOL="process") == ["1.0", "None"]   # opted out: a pool of its own
    finally:
        reward.close()
