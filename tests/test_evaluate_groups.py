"""summary.json groups on real benchmarks: each group is computed over exactly the problems that have it
(MBPP's "challenge" tests exist for 11 problems; EvalPlus has "base" and "plus" everywhere)."""
import json

import pytest

from harness.core.evaluation import evaluate, score_samples, summarize
from harness.core.executor import ExecConfig, Executor


@pytest.fixture(scope="module")
def executor():
    ex = Executor(ExecConfig(sandbox="process", workers=2, timeout_s=3, memory_mb=512), warn=lambda m: None)
    ex.start()
    yield ex
    ex.close()


def test_mbpp_groups_count_only_the_problems_that_have_them(executor, data_dir, tmp_path):
    from benchmarks_data.registry import get_benchmark

    problems = {p.task_id: p for p in get_benchmark("mbpp", str(data_dir)).load_problems()}
    ids = ["Mbpp/11", "Mbpp/12", "Mbpp/13", "Mbpp/14"]   # only Mbpp/11 has challenge tests
    assert [bool(problems[t].test_groups) for t in ids] == [True, False, False, False]
    samples = [{"task_id": t, "solution": problems[t].canonical_solution} for t in ids]
    result = evaluate("mbpp", samples, str(tmp_path / "out"), data_path=str(data_dir), executor=executor,
                      exec_config=executor.config, allow_missing=True, quiet=True, k=[1])
    assert [r.status for r in result.results] == ["passed"] * 4
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pass_at_k"] == {"pass@1": 1.0}
    assert summary["groups"] == {"base": {"pass@1": 1.0}, "challenge": {"pass@1": 1.0}}
    assert summary["group_problems"] == {"base": 4, "challenge": 1}


def test_mbpp_plus_base_and_plus_over_references_and_failures(executor, data_dir, cache_dir):
    from benchmarks_data.registry import get_benchmark

    bench = get_benchmark("mbpp-plus", str(data_dir))
    ids = ["Mbpp/2", "Mbpp/3", "Mbpp/4"]
    bench.prepare(executor.run_jobs, task_ids=set(ids))
    problems = {p.task_id: p for p in bench.load_problems(task_ids=set(ids))}
    assert all(set(p.test_groups) == {"base", "plus"} for p in problems.values())
    samples = samples_from([(t, problems[t].canonical_solution) for t in ids]
                           + [("Mbpp/2", "def similar_elements(a, b):\n    return None\n")])
    results = score_samples(bench, problems, samples, 0, executor, executor.config, None, quiet=True)
    assert [r.passed for r in results] == [True, True, True, False]
    summary = summarize(bench, problems, results, [1], {}, "")
    # Mbpp/2 passes half its samples, the others all theirs.
    assert summary["groups"]["base"]["pass@1"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert summary["groups"]["plus"]["pass@1"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert summary["group_problems"] == {"base": 3, "plus": 3}


def samples_from(pairs):
    from harness.core.samples import samples_from_records

    return samples_from_records({"task_id": t, "solution": code} for t, code in pairs)
