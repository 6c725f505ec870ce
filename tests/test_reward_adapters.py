"""veRL and OpenRLHF adapters: their call contracts, label forms, and loud sandbox failures."""
import json
import math

import pytest

import harness.adapters as adapters
from harness.errors import UserError
from harness.core.executor import ExecConfig, Executor
from harness.rewards import CodeReward
from sandboxes import SandboxPool
from outages import AlwaysDies

OPTS = {"sandbox": "process", "workers": 2, "timeout_s": 1}
GOOD, BAD = "def add(a, b):\n    return a + b\n", "def add(a, b):\n    return a - b\n"
TESTS = ["assert add(1, 2) == 3", "assert add(2, 2) == 4"]


@pytest.fixture(scope="module", autouse=True)
def close_shared():
    yield
    for r in adapters._REWARDS.values():
        r.close()
    adapters._REWARDS.clear()


def test_verl_compute_score_label_forms(humaneval_body):
    # veRL passes exactly these keywords (NaiveRewardManager), plus reward_kwargs from the config.
    call = lambda src, sol, gt: adapters.compute_score(data_source=src, solution_str=sol, ground_truth=gt,
                                                       extra_info={"index": 0}, **OPTS)
    assert call("mbpp_like", "```python\n" + GOOD + "```", json.dumps(TESTS)) == 1.0
    assert call("mbpp_like", BAD, json.dumps({"tests": TESTS, "entry_point": "add"})) == 0.0
    assert call("x", GOOD, {"tests": TESTS}) == 1.0
    np = pytest.importorskip("numpy")
    assert call("x", GOOD, {"tests": np.array(TESTS, dtype=object)}) == 1.0
    assert call("x", "print(sum(map(int, input().split())))", {"inputs": ["1 2\n"], "outputs": ["3\n"]}) == 1.0
    # data_source naming a registered benchmark + a task_id ground truth
    assert call("humaneval", humaneval_body, "HumanEval/0") == 1.0
    assert call("humaneval", "    return None\n", json.dumps({"task_id": "HumanEval/0"})) == 0.0
    assert isinstance(call("x", GOOD, TESTS), float)


def test_verl_batch_keeps_order_across_sources(humaneval_body):
    out = adapters.compute_score_batch(
        data_sources=["humaneval", "inline", "humaneval", "inline"],
        solution_strs=[humaneval_body, BAD, "    return None\n", GOOD],
        ground_truths=["HumanEval/0", json.dumps(TESTS), "HumanEval/0", json.dumps(TESTS)],
        extra_infos=[None] * 4, **OPTS)
    assert out == [1.0, 0.0, 0.0, 1.0]


def test_bad_ground_truth_is_a_clear_error():
    with pytest.raises(UserError, match="not valid JSON"):
        adapters.compute_score("x", GOOD, "[assert", **OPTS)
    with pytest.raises(UserError, match="no benchmark"):
        adapters.compute_score("x", GOOD, "HumanEval/0", **OPTS)
    with pytest.raises(UserError, match="unknown reward options"):
        adapters.compute_score("x", GOOD, json.dumps(TESTS), colour="red")


def test_openrlhf_reward_func_contract():
    torch = pytest.importorskip("torch")
    reward_func = adapters.make_openrlhf_reward_func(on_sandbox_error=0.0, **OPTS)
    prompts = ["Write add.\nAnswer:", "Write add.\nAnswer:", "Write add.\nAnswer:"]
    queries = [prompts[0] + " " + GOOD + "</s>", prompts[1] + "\n```python\n" + BAD + "```<|im_end|>",
               prompts[2] + " def add(a, b:"]
    labels = [json.dumps(TESTS), {"tests": TESTS}, json.dumps(TESTS)]
    out = reward_func(queries, prompts, labels)
    assert set(out) == {"rewards", "scores", "extra_logs"}
    assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].tolist() == [1.0, 0.0, 0.0]
    assert out["scores"].tolist() == [1.0, 0.0, 0.0]
    assert out["extra_logs"]["syntax_error"].tolist() == [0.0, 0.0, 1.0]
    assert out["extra_logs"]["sandbox_error"].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(UserError, match="lengths differ"):
        reward_func(queries, prompts[:1], labels)


@pytest.fixture()
def dying_reward(monkeypatch):
    pool = SandboxPool(lambda i: AlwaysDies(i), workers=1).start()
    executor = Executor(ExecConfig(sandbox="process"), pool=pool)
    reward = CodeReward(executor=executor)
    monkeypatch.setattr(adapters, "shared_reward", lambda benchmark=None, **o: reward)
    yield reward
    pool.close()


def test_sandbox_failure_raises_or_is_explicit(dying_reward):
    with pytest.raises(adapters.SandboxFailure, match="sandbox failed on 1 of 1.*injected"):
        adapters.compute_score("x", GOOD, json.dumps(TESTS))
    assert math.isnan(adapters.compute_score("x", GOOD, json.dumps(TESTS), on_sandbox_error="nan"))
    assert adapters.compute_score("x", GOOD, json.dumps(TESTS), on_sandbox_error=-1.0) == -1.0
    out = adapters.make_openrlhf_reward_func(on_sandbox_error=-1.0)([GOOD], [""], [json.dumps(TESTS)])
    assert out["rewards"].tolist() == [-1.0] and out["extra_logs"]["sandbox_error"].tolist() == [1.0]
    with pytest.raises(UserError, match="on_sandbox_error"):
        adapters.compute_score("x", GOOD, json.dumps(TESTS), on_sandbox_error="zero")


@pytest.fixture(scope="module")
def humaneval_body():
    from benchmarks_data.registry import get_benchmark

    p = get_benchmark("humaneval").load_problems()[0]
    return p.canonical_solution[len(p.prompt):]
