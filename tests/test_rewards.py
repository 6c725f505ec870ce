"""CodeReward: TRL's reward contract, the three modes, groups, and None on sandbox failure.
Process backend (no isolation) for speed; the same code path runs Docker in test_trl_grpo."""
import math

import pytest

from harness.errors import UserError
from harness.core.executor import ExecConfig, Executor
from harness.rewards.inputs import completion_text, prepare_completion
from harness.rewards import CodeReward, ShapedValues
from sandboxes import SandboxPool
from outages import DiesOnMarker

ADD_TESTS = ["assert add(1, 2) == 3", "assert add(0, 2) == 2", "assert add(2, 2) == 4"]


@pytest.fixture(scope="module")
def executor():
    ex = Executor(ExecConfig(sandbox="process", workers=2, timeout_s=1, memory_mb=512), warn=lambda m: None)
    ex.start()
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def humaneval_reward(executor):
    return CodeReward("humaneval", executor=executor)


def body(p):
    return p.canonical_solution[len(p.prompt):]


def test_binary_humaneval_matches_evaluate(humaneval_reward, executor):
    """The reward path and `evaluate` judge the same samples alike (one scoring path)."""
    from benchmarks_data.registry import get_benchmark
    from harness.core.evaluation import evaluate

    problems = get_benchmark("humaneval").load_problems()[:3]
    completions, task_ids, samples = [], [], []
    for p in problems:
        for c in (body(p), "    return None\n", "    return (\n"):
            completions.append(c)
            task_ids.append(p.task_id)
            samples.append({"task_id": p.task_id, "completion": c})
    rewards = humaneval_reward(["prompt"] * len(completions), completions, task_id=task_ids)
    assert rewards == [1.0, 0.0, 0.0] * 3
    assert humaneval_reward.last_verdicts == ["passed", "failed", "syntax_error"] * 3
    expected = evaluate("humaneval", samples, executor=executor, exec_config=executor.config, allow_missing=True,
                        quiet=True)
    assert [r.status for r in expected.results] == humaneval_reward.last_verdicts


def test_chat_completions_and_fenced_full_programs(humaneval_reward, humaneval_problems):
    p = humaneval_problems[0]
    full = p.canonical_solution.replace("from typing import List\n", "")  # chat answers often drop imports
    chat = [[{"role": "assistant", "content": f"Sure:\n```python\n{full}```\nDone."}],
            [{"role": "assistant", "content": "```python\ndef has_close_elements(numbers, threshold):\n"
                                              "    return True\n```"}]]
    assert humaneval_reward(None, chat, task_id=[p.task_id] * 2) == [1.0, 0.0]


def test_prepare_completion_forms(humaneval_problems):
    from benchmarks_data.registry import get_benchmark

    bench, p = get_benchmark("humaneval"), humaneval_problems[0]
    assert prepare_completion(body(p), p, bench) == (body(p), None)
    completion, solution = prepare_completion("```py\ndef has_close_elements(a, b):\n    return 1\n```", p, bench)
    assert completion is None and solution.startswith("from typing import List\n")
    # a chat answer that ends in a special token, with a test block the sanitizer drops
    completion, solution = prepare_completion(
        "Here:\n```python\ndef has_close_elements(a, b):\n    return 1\n\nprint(has_close_elements(1, 2))\n```"
        "<|im_end|>", p, bench)
    assert completion is None and "print(" not in solution and "im_end" not in solution
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == "a"
    with pytest.raises(UserError):
        completion_text(42)


def test_fraction_runs_every_test(executor):
    reward = CodeReward(mode="fraction", executor=executor)
    completions = ["def add(a, b): return a + b",
                   "def add(a, b): return b if a == 0 else -1",      # passes only the second test
                   "def add(a, b):\n    raise ValueError('x')",
                   "def add(a, b:"]
    assert reward(None, completions, tests=[ADD_TESTS] * 4) == [1.0, pytest.approx(1 / 3), 0.0, 0.0]
    assert [t["status"] for t in reward.last_results[1].tests] == ["failed", "passed", "failed"]


def test_shaped_values_and_overrides(executor):
    completions = ["def f(): return 1", "def f(): return 2", "def f(:", "def f(): return 1 / 0",
                   "def f():\n    while True: pass"]
    tests = [["assert f() == 1"]] * len(completions)
    default = CodeReward(mode="shaped", executor=executor)
    d = ShapedValues()
    assert default(None, completions, tests=tests) == [d.passed, d.failed, d.syntax_error, d.runtime_error,
                                                       d.timeout]
    custom = CodeReward(mode="shaped", shaping={"timeout": -5.0, "failed": 0.1}, executor=executor)
    assert custom(None, completions, tests=tests) == [1.0, 0.1, -1.0, -0.6, -5.0]
    with pytest.raises(UserError, match="unknown shaped"):
        CodeReward(mode="shaped", shaping={"oops": 1.0}, executor=executor)
    with pytest.raises(UserError, match="unknown reward mode"):
        CodeReward(mode="best", executor=executor)


def test_inline_forms_and_trainer_kwargs(executor):
    reward = CodeReward(executor=executor, name="unit_reward")
    extra, metric = {}, {}
    check = "def check(candidate):\n    assert candidate(3) == 9\n"
    out = reward(["p"] * 4,
                 ["def sq(x): return x * x", "def sq(x): return x + x", "print(int(input()) * 2)",
                  "print(int(input()) + 2)"],
                 test=[check, check, None, None], entry_point=["sq", "sq", None, None],
                 inputs=[None, None, ["3\n"], ["3\n"]], outputs=[None, None, ["6\n"], ["6\n"]],
                 completion_ids=[[1]] * 4, trainer_state=object(),
                 log_extra=lambda col, vals: extra.update({col: vals}),
                 log_metric=lambda name, v: metric.update({name: v}))
    assert out == [1.0, 0.0, 1.0, 0.0]
    assert reward.__name__ == "unit_reward"
    assert extra["unit_reward/status"] == ["passed", "failed", "passed", "failed"]
    assert metric["unit_reward/pass_rate"] == 0.5 and metric["unit_reward/sandbox_error_rate"] == 0.0


def test_group_scores(executor):
    reward = CodeReward(executor=executor)
    good, bad = "def add(a, b): return a + b", "def add(a, b): return 0"
    groups = reward.score_groups(["p"] * 8, [good, bad, good, good, bad, bad, bad, bad], group_size=4,
                                 tests=[ADD_TESTS] * 8, task_id=["a"] * 4 + ["b"] * 4)
    g0, g1 = groups
    assert (g0.task_id, g0.pass_count, g0.mean, g0.all_tie) == ("a", 3, 0.75, False)
    assert g0.std == pytest.approx(math.sqrt(0.75 * 0.25))
    assert (g1.pass_count, g1.mean, g1.std, g1.all_tie) == (0, 0.0, 0.0, True)
    assert len(reward.last_results) == 8
    with pytest.raises(UserError, match="groups of 3"):
        reward.score_groups(None, [good] * 8, group_size=3, tests=[ADD_TESTS] * 8)


def test_bad_columns_are_user_errors(humaneval_reward):
    with pytest.raises(UserError, match="unknown task_id"):
        humaneval_reward(None, ["x"], task_id=["HumanEval/9999"])
    with pytest.raises(UserError, match="has 1 values for 2"):
        humaneval_reward(None, ["x", "y"], task_id=["HumanEval/0"])
    with pytest.raises(UserError, match="no problem"):
        humaneval_reward(None, ["x"], other=["y"])
    with pytest.raises(UserError, match="2 prompts for 1"):
        humaneval_reward(["a", "b"], ["x"], task_id=["HumanEval/0"])


def test_none_on_sandbox_failure_never_zero():
    pool = SandboxPool(lambda i: DiesOnMarker(i), workers=2, description="dying")
    with Executor(ExecConfig(sandbox="process", timeout_s=1), pool=pool.start()) as ex:
        reward = CodeReward(executor=ex)
        good = "def add(a, b): return a + b"
        doomed = 'def add(a, b):\n    "KILL_THE_SANDBOX"\n    return a + b'
        out = reward(None, [good, doomed, "def add(a, b): return 0"], tests=[ADD_TESTS] * 3)
        assert out == [1.0, None, 0.0]
        failed = reward.last_results[1]
        assert failed.status == "sandbox_error" and failed.attempts == 2 and "injected" in failed.detail
        group = reward.score_groups(None, [doomed] * 2 + [good, "x = ("], 4, tests=[ADD_TESTS] * 4)[0]
        assert (group.n_scored, group.sandbox_errors, group.mean) == (2, 2, 0.5)
    pool.close()


@pytest.fixture(scope="module")
def humaneval_problems():
    from benchmarks_data.registry import get_benchmark

    return get_benchmark("humaneval").load_problems()


def test_mbpp_367_answer_keeps_the_node_class_its_test_setup_builds_trees_from(executor, data_dir):
    """Mbpp/367's test setup builds trees from the answer's `class Node`, which is_tree_balanced never
    names: a sanitizer that keeps only what the entry point references dropped it (NameError in setup)."""
    reward = CodeReward("mbpp", data_path=str(data_dir), executor=executor)
    p = {q.task_id: q for q in reward.benchmark.load_problems()}["Mbpp/367"]
    assert "class Node" in p.canonical_solution and "Node(" in p.test_setup
    chat = f"Here is the solution:\n```python\n{p.canonical_solution}\n\nprint(is_tree_balanced(None))\n```\nDone."
    wrong = p.canonical_solution.replace("<= 1", "<= 5")
    assert reward(None, [chat, p.canonical_solution, wrong], task_id=["Mbpp/367"] * 3) == [1.0, 1.0, 0.0]
    assert reward.last_verdicts == ["passed", "passed", "failed"]
