"""One universal answer-key thief per problem (tests/hostile/thief.py) on real benchmarks under the
default strict judge, in Docker: it computes nothing, so every pass would be a stolen answer. On the
runner before the clean room it scored pass@1 0.94-0.996; it must score 0."""
from __future__ import annotations

import pytest

from tests.hostile.thief import thief_program, thief_samples

pytestmark = pytest.mark.docker


def thief_pass_at_1(docker_executor, name: str, data_dir, limit=None) -> float:
    from benchmarks_data.registry import get_benchmark
    from harness.core.evaluation import evaluate

    from benchmarks_data.base import needs_prepare

    bench = get_benchmark(name, str(data_dir))
    if needs_prepare(bench):   # EvalPlus: expected outputs are computed once, in the sandbox
        bench.prepare(docker_executor.run_jobs)
    problems = bench.load_problems()[:limit]
    result = evaluate(bench, thief_samples(problems), executor=docker_executor,
                      exec_config=docker_executor.config, k=[1], quiet=True, allow_missing=True)
    assert result.summary["status_counts"].get("sandbox_error", 0) == 0, result.summary["status_counts"]
    return result.summary["pass_at_k"]["pass@1"]


def test_the_thief_steals_where_the_tests_are_in_its_memory():
    from tests.test_clean_room import run_in_fresh_process

    planted = "test_code = 'def check(candidate):\\n    assert candidate([1, 2], 3) == [4]\\n'"
    assert run_in_fresh_process(planted, thief_program("f"), "f([1, 2], 3)") == "[4]"


@pytest.mark.parametrize("name", ["humaneval", "mbpp", "leetcode-contest"])
def test_thief_scores_zero_on_a_sample_of_each(docker_executor, data_dir, name):
    assert thief_pass_at_1(docker_executor, name, data_dir, limit=15) == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["humaneval", "mbpp", "mbpp-sanitized", "leetcode-contest", "leetcodedataset",
                                  "humaneval-plus"])
def test_thief_scores_zero_on_whole_benchmarks(docker_executor, data_dir, name):
    assert thief_pass_at_1(docker_executor, name, data_dir) == 0.0
