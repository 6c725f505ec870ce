"""--backend ray: the same verdicts as the local pool, spread over several Ray nodes, with no
sample lost or doubled when a node's actor dies mid-run. One small local multi-node Ray
cluster (ray.cluster_utils.Cluster: 3 nodes x 1 CPU on this machine) is shared by the module."""
from __future__ import annotations

import collections
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.core.executor import ExecConfig, Executor
from sandboxes import Job, Limits
from sandboxes import TestCase as Case

REPO = Path(__file__).resolve().parents[1]
needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="Ray is not installed (pip install 'codeharness[ray]')")
NODES = 3
# A lost job would make a run wait forever: fail instead (pytest-timeout; cluster start-up included).
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'codeharness[ray]')")
    from ray.cluster_utils import Cluster

    # Actors on the nodes import this checkout, whatever is installed.
    old_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [old_path] if p])
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    for _ in range(NODES - 1):
        c.add_node(num_cpus=1)
    ray.init(address=c.address, logging_level="WARNING")
    c.wait_for_nodes()
    yield c
    ray.shutdown()
    c.shutdown()
    if old_path is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old_path


@pytest.fixture(scope="module")
def mix():
    from benchmarks_data.registry import get_benchmark

    from harness.bench.throughput import mix_samples

    return mix_samples(get_benchmark("humaneval").load_problems()[:20])


def verdicts(results) -> list[tuple]:
    return [(r.task_id, r.sample_index, r.status, r.passed, [t["status"] for t in r.tests]) for r in results]


def numbered_job(i: int, sleep_s: float = 0.0) -> Job:
    """Job i prints its number and returns it; the test expects i for even i and -1 for odd i,
    so a result handed to the wrong index shows in its verdict and its output."""
    program = f"import time\nprint('job-{i}')\ntime.sleep({sleep_s})\ndef f():\n    return {i}\n"
    return Job(program=program, entry_point="f", limits=Limits(cpu_time_s=5),
               tests=[Case("t", kind="call", args=[], expected=i if i % 2 == 0 else -1)])


def check_numbered(outcomes: dict[int, object], n: int) -> None:
    assert sorted(outcomes) == list(range(n))
    for i, o in outcomes.items():
        assert not o.error, (i, o.error)
        assert f"job-{i}\n" == o.stdout_tail, (i, o.stdout_tail)
        assert [t.status for t in o.tests] == ["passed" if i % 2 == 0 else "failed"], i



def test_without_ray_a_one_line_error_names_the_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if it were not installed
    with pytest.raises(UserError, match=r"pip install 'codeharness\[ray\]'"):
        Executor(ExecConfig(sandbox="process", backend="ray")).start()

    from harness.cli.commands import main

    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"task_id": "HumanEval/0", "completion": "    return False\n"}) + "\n")
    code = main(["evaluate", "--benchmark", "humaneval", "--samples", str(samples), "--output-dir",
                 str(tmp_path / "o"), "--allow-missing", "--sandbox", "process", "--backend", "ray"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "pip install 'codeharness[ray]'" in err[0]


def test_cli_and_executor_do_not_import_ray():
    code = ("import sys, harness.cli.commands, harness.core.executor, harness.core.evaluation, harness.bench.ray_overhead; "
            "harness.cli.commands.build_parser(); print('ray' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@needs_ray
def test_mix_verdicts_identical_to_local_pool(cluster, mix, tmp_path):
    from harness.core.evaluation import evaluate
    from harness.core.results import read_results

    local = evaluate("humaneval", mix, exec_config=ExecConfig(sandbox="process", workers=2, timeout_s=3),
                     allow_missing=True, quiet=True, k=[1])
    out = tmp_path / "ray"
    on_ray = evaluate("humaneval", mix, str(out), allow_missing=True, quiet=True, k=[1],
                      exec_config=ExecConfig(sandbox="process", timeout_s=3, backend="ray"))
    assert verdicts(on_ray.results) == verdicts(local.results)
    assert on_ray.pass_at_k == {"pass@1": 0.5}
    # Streamed back in completion order, written in input order.
    assert verdicts(read_results(str(out / "results.jsonl"))) == verdicts(local.results)
    assert json.loads((out / "summary.json").read_text())["config"]["backend"] == "ray"


@needs_ray
def test_jobs_spread_over_nodes_with_bounded_in_flight(cluster):
    from harness.distributed.ray_backend import RayPool

    with RayPool("process", per_worker=2, warn=lambda m: None) as pool:
        assert pool.size == NODES and len(pool.node_states()) == NODES
        outcomes, peak = {}, 0
        for i, o in pool.run(numbered_job(i, 0.05) for i in range(30)):
            outcomes[i] = o
            peak = max([peak] + [len(n.in_flight) for n in pool.node_states()])
        check_numbered(outcomes, 30)
        assert len({o.worker.split("/")[0] for o in outcomes.values()}) == NODES
        assert 1 <= peak <= 2  # back-pressure: per_worker jobs per (1-worker) node at most


@needs_ray
def test_killed_actor_loses_and_doubles_nothing(cluster):
    import ray

    from harness.distributed.ray_backend import RayPool

    warnings: list[str] = []
    n = 48
    with RayPool("process", warn=warnings.append) as pool:
        got: list[tuple[int, object]] = []
        victim = None
        for i, o in pool.run(numbered_job(i, 0.15) for i in range(n)):
            got.append((i, o))
            if len(got) == 6:
                victim = max(pool.node_states(), key=lambda s: len(s.in_flight))
                assert victim.in_flight, "the killed actor should hold unfinished jobs"
                ray.kill(victim.handle)
        counts = collections.Counter(i for i, _ in got)
        assert all(c == 1 for c in counts.values()), "a sample got two results"
        check_numbered(dict(got), n)
        assert pool.lost_actors == 1 and pool.requeued >= 1
        assert sum(o.attempts == 2 for _, o in got) == pool.requeued  # the re-run jobs say so
        assert any("died" in w and victim.node_id[:8] in w for w in warnings)
        # The node is still alive, so it got a fresh actor that took work again.
        again = {s.node_id: s for s in pool.node_states()}[victim.node_id]
        assert again.state == "ready" and again.respawns == 1


@needs_ray
def test_when_every_actor_is_gone_each_job_still_gets_one_outcome(cluster):
    import ray

    from harness.distributed.ray_backend import RayPool

    with RayPool("process", respawns=0, warn=lambda m: None) as pool:
        futures = [pool.submit(numbered_job(i, 0.5)) for i in range(9)]
        for s in pool.node_states():
            ray.kill(s.handle)
        outcomes = [f.result(timeout=60) for f in futures]
        assert all(o.error and not o.tests for o in outcomes)  # sandbox_error, never a model failure
        assert pool.lost_actors == NODES
        late = pool.submit(numbered_job(0)).result(timeout=60)
        assert "no live Ray sandbox actor" in late.error


@needs_ray
def test_sample_killing_its_sandbox_does_not_take_the_node_down(cluster):
    from harness.distributed.ray_backend import RayPool

    killer = Job(program="import os\nos.kill(os.getppid(), 9)\ndef f():\n    return 0\n", entry_point="f",
                 tests=[Case("t", kind="call", args=[], expected=0)], limits=Limits(cpu_time_s=5))
    with RayPool("process", warn=lambda m: None) as pool:
        jobs = [numbered_job(i) for i in range(12)]
        jobs.insert(3, killer)
        outcomes = pool.run_all(jobs)
        # Without namespaces the kill takes the runner down (an infrastructure failure after a retry);
        # under bubblewrap the runner is PID 1 and the kill is dropped. Either way: no verdict is lost.
        assert (outcomes[3].error and not outcomes[3].tests) or outcomes[3].finished
        check_numbered(dict(enumerate(outcomes[:3] + outcomes[4:])), 12)
        assert pool.lost_actors == 0
        assert all(s.state == "ready" for s in pool.node_states())


def _docker_answers() -> bool:
    try:
        from sandboxes import engine, image

        return image.find(engine.connect()) is not None
    except Exception:
        return False


@needs_ray
@pytest.mark.docker
def test_docker_sandboxes_on_ray_nodes(cluster, mix):
    if not _docker_answers():
        if os.environ.get("CI"):
            raise RuntimeError("Docker engine or sandbox image missing in CI")
        pytest.skip("Docker engine or sandbox image not available")
    from harness.core.evaluation import evaluate

    few = [s for s in mix if s["task_id"] in ("HumanEval/0", "HumanEval/1", "HumanEval/2")]
    local = evaluate("humaneval", few, exec_config=ExecConfig(sandbox="process", workers=2, timeout_s=3),
                     allow_missing=True, quiet=True, k=[1])
    with Executor(ExecConfig(sandbox="docker", timeout_s=3, backend="ray"), warn=lambda m: None) as ex:
        assert ex.pool.size == NODES and ex.image_id
        on_ray = evaluate("humaneval", few, executor=ex, allow_missing=True, quiet=True, k=[1],
                          exec_config=ex.config)
    assert verdicts(on_ray.results) == verdicts(local.results)


def test_drivers_sharing_the_node_pool_start_one_pool_per_machine(cluster):
    """backend=ray from two drivers with share="node": every actor on this machine attaches to one
    pool service (the simulated nodes all live here) instead of each starting its own."""
    config = ExecConfig(sandbox="process", backend="ray", workers=1, share="node")
    with Executor(config, warn=lambda m: None) as a, Executor(config, warn=lambda m: None) as b:
        services = {n.info["service_pid"] for ex in (a, b) for n in ex.pool.node_states()}
        assert len(services) == 1 and None not in services
        for ex in (a, b):
            check_numbered(dict(enumerate(ex.run_jobs([numbered_job(i) for i in range(6)]))), 6)
