"""codeharness driven by veRL's and OpenRLHF's own reward code (installed from PyPI by
tests/frameworks/install.sh): veRL's reward-loop manager calling compute_score on every
ground-truth format, OpenRLHF's single-turn executor scoring through its reward_func file
loader and its HTTP client against `codeharness serve`, sandbox failures included."""
import asyncio
import json
import logging
import os
import socket
import threading
import time
from types import SimpleNamespace

import pytest

import harness.adapters as adapters
from harness.core.executor import ExecConfig, Executor
from harness.errors import UserError
from harness.rewards import CodeReward
from sandboxes import SandboxPool
from outages import AlwaysDies

OPTS = {"sandbox": "process", "workers": 2, "timeout_s": 2}
ADD = "def add(a, b):\n    return a + b\n"
SUB = "def add(a, b):\n    return a - b\n"
SOLUTION = "class Solution:\n    def add(self, a, b):\n        return a + b\n"


def framework(module: str):
    """The framework module; CI installs them (tests/frameworks/install.sh), so there it must import."""
    if os.environ.get("CI") == "true":
        import importlib

        return importlib.import_module(module)
    return pytest.importorskip(module, reason="install the frameworks: sh tests/frameworks/install.sh")


@pytest.fixture(scope="module", autouse=True)
def close_shared():
    yield
    for r in adapters._REWARDS.values():
        r.close()
    adapters._REWARDS.clear()


@pytest.fixture(scope="module")
def tokenizer(tiny_gpt2_path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_gpt2_path)


@pytest.fixture(scope="module")
def references():
    from benchmarks_data.registry import get_benchmark

    he = get_benchmark("humaneval").load_problems()[0]
    mbpp = next(p for p in get_benchmark("mbpp").load_problems() if p.task_id == "Mbpp/11")
    return {"humaneval": he.canonical_solution, "mbpp": mbpp.canonical_solution}


@pytest.fixture()
def dying_executor():
    pool = SandboxPool(lambda i: AlwaysDies(i), workers=1).start()
    yield Executor(ExecConfig(sandbox="process"), pool=pool)
    pool.close()


# ---------------------------------------------------------------- veRL
def verl_manager(tokenizer, name="compute_score", **reward_kwargs):
    """veRL's own loading path: reward.custom_reward_function -> load_reward_manager -> NaiveRewardManager."""
    framework("verl")
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import load_reward_manager

    config = OmegaConf.create({"reward": {
        "custom_reward_function": {"path": adapters.__file__, "name": name, "reward_kwargs": {**OPTS, **reward_kwargs}},
        "reward_manager": {"source": "register", "name": "naive"}}})
    return load_reward_manager(config, tokenizer)


def verl_score(manager, tokenizer, response, data_source, ground_truth, extra_info=None) -> dict:
    import numpy as np
    import torch
    from verl import DataProto

    prompt = tokenizer("Write the function.", return_tensors="pt").input_ids
    resp = tokenizer(response, return_tensors="pt").input_ids
    data = DataProto.from_dict(
        tensors={"prompts": prompt, "responses": resp,
                 "attention_mask": torch.ones(1, prompt.shape[1] + resp.shape[1], dtype=torch.long)},
        non_tensors={"data_source": np.array([data_source], dtype=object),
                     "reward_model": np.array([{"ground_truth": ground_truth}], dtype=object),
                     "extra_info": np.array([dict(extra_info or {})], dtype=object)})
    return manager.loop.run_until_complete(manager.run_single(data))


def verl_cases(refs):
    calls = json.dumps({"inputs": ["1\n2", "[3]\n[4]"], "outputs": ["3", "[3, 4]"], "fn_name": "add"})
    args = {"inputs": [[1, 2], [5, 6]], "outputs": [[3], [11]], "fn_name": "add"}
    asserts = ["assert add(1, 2) == 3", "assert add(2, 2) == 4"]
    io = {"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]}
    read_sum = "a, b = map(int, input().split())\nprint(a + b)\n"
    read_diff = "a, b = map(int, input().split())\nprint(a - b)\n"
    return [  # (data_source, ground_truth, extra_info, good response, bad response)
        ("apps", calls, None, "```python\n" + ADD + "```", SUB),
        ("taco", calls, None, SOLUTION, SOLUTION.replace("+", "-")),
        ("apps", args, None, ADD, SUB),
        ("codecontests", json.dumps(io), None, read_sum, read_diff),
        ("sandbox_fusion", {"assert_case": asserts, "inputs": ["", ""], "outputs": ["", ""]}, None, ADD, SUB),
        ("x", json.dumps(asserts), None, ADD, SUB),
        ("openai/openai_humaneval", "HumanEval/0", None, refs["humaneval"], "def has_close_elements(n, t):\n"
                                                                         "    return True\n"),
        ("mbpp", 11, None, refs["mbpp"], "def remove_Occ(s, ch):\n    return s\n"),
        ("anything", "", {"benchmark": "mbpp", "task_id": 11, "index": 3}, refs["mbpp"],
         "def remove_Occ(s, ch):\n    return s\n"),
    ]


def test_verl_reward_manager_scores_every_ground_truth_format(tokenizer, references):
    manager = verl_manager(tokenizer)
    for source, truth, info, good, bad in verl_cases(references):
        assert verl_score(manager, tokenizer, good, source, truth, info)["reward_score"] == 1.0, (source, truth)
        assert verl_score(manager, tokenizer, bad, source, truth, info)["reward_score"] == 0.0, (source, truth)


def test_verl_unknown_ground_truth_is_an_error_naming_it(tokenizer):
    manager = verl_manager(tokenizer)
    with pytest.raises(UserError, match="unknown key 'input_output'"):
        verl_score(manager, tokenizer, ADD, "apps", {"input_output": "{}"})
    with pytest.raises(UserError, match="argument lists: give 'fn_name'"):
        verl_score(manager, tokenizer, ADD, "apps", {"inputs": [[1, 2]], "outputs": [3]})
    with pytest.raises(UserError, match="extra_info\\['benchmark'\\]: unknown benchmark 'nope'"):
        verl_score(manager, tokenizer, ADD, "x", "1", {"benchmark": "nope"})


def test_verl_async_reward_with_logged_extras(tokenizer):
    manager = verl_manager(tokenizer, name="compute_score_async", return_dict=True)
    assert manager.is_async_reward_score
    out = verl_score(manager, tokenizer, SUB, "apps", {"inputs": [[1, 2]], "outputs": [3], "fn_name": "add"})
    assert out["reward_score"] == 0.0
    assert out["reward_extra_info"] == {"score": 0.0, "passed": 0.0, "status": "failed"}
    out = verl_score(manager, tokenizer, ADD, "apps", {"inputs": [[1, 2]], "outputs": [3], "fn_name": "add"})
    assert out["reward_extra_info"] == {"score": 1.0, "passed": 1.0, "status": "passed"}


# ---------------------------------------------------------------- OpenRLHF
class OneReply:
    """Stands in for the vLLM engine: OpenRLHF's executor asks it for one continuation."""

    def __init__(self, token_ids):
        self.token_ids = list(token_ids)

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        out = SimpleNamespace(token_ids=self.token_ids, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[out])


def openrlhf_rollout(tokenizer, remote_rm_url, prompt, response, label) -> dict:
    """OpenRLHF's SingleTurnAgentExecutor.execute: generate, then fetch the reward as OpenRLHF does."""
    framework("openrlhf")
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    executor = SingleTurnAgentExecutor(remote_rm_url=remote_rm_url)
    engine = OneReply(tokenizer(response, add_special_tokens=False)["input_ids"])
    params = SimpleNamespace(max_tokens=256, logprobs=None)
    return asyncio.run(executor.execute(prompt, label, params, 1024, tokenizer, engine))


REWARD_FILE = """from harness.rewards.adapters import make_openrlhf_reward_func
reward_func = make_openrlhf_reward_func(on_sandbox_error=-1.0, sandbox="process", workers=2, timeout_s=2)
"""


def test_openrlhf_reward_func_file(tokenizer, tmp_path, dying_executor, monkeypatch, caplog):
    import torch

    path = tmp_path / "reward_func.py"
    path.write_text(REWARD_FILE)
    label = json.dumps({"inputs": [[1, 2]], "outputs": [3], "fn_name": "add"})
    out = openrlhf_rollout(tokenizer, str(path), "Write add.\n", ADD, label)
    assert out["reward"].tolist() == [1.0] and out["scores"].tolist() == [1.0]
    assert out["extra_logs"]["pass"].tolist() == [1.0]
    assert openrlhf_rollout(tokenizer, str(path), "Write add.\n", SUB, label)["reward"].tolist() == [0.0]

    reward = CodeReward(executor=dying_executor)
    monkeypatch.setattr(adapters, "shared_reward", lambda benchmark=None, **o: reward)
    with caplog.at_level(logging.ERROR, logger="codeharness.rewards"):
        out = openrlhf_rollout(tokenizer, str(path), "Write add.\n", ADD, label)
    assert out["reward"].tolist() == [-1.0], "a sandbox failure gets the operator's value, never None"
    assert out["extra_logs"]["sandbox_error"].tolist() == [1.0]
    torch.tensor([out["reward"].item()])  # what OpenRLHF's experience maker does with it
    assert any("sandbox failed" in r.getMessage() for r in caplog.records)


def test_openrlhf_reward_func_requires_a_fill_value():
    with pytest.raises(TypeError, match="on_sandbox_error"):
        adapters.make_openrlhf_reward_func()
    with pytest.raises(UserError, match="finite number"):
        adapters.make_openrlhf_reward_func(on_sandbox_error=float("nan"))
    with pytest.raises(UserError, match="finite number"):
        adapters.make_openrlhf_reward_func(on_sandbox_error="raise")


class InProcessServer:
    """`codeharness serve`'s app on a free port in a thread (so a test can give it a failing pool)."""

    def __init__(self, executor, **config):
        import uvicorn

        from harness.rewards.serve import ServeConfig, create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        app = create_app(ServeConfig(port=self.port, **config), executor)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def test_openrlhf_http_client_against_serve(tokenizer, references, dying_executor, caplog):
    framework("openrlhf")
    pytest.importorskip("uvicorn")
    prompt, truth = "Complete the function.\n", "HumanEval/0"
    with InProcessServer(Executor(ExecConfig(**OPTS)), token="T", openrlhf_sandbox_error_reward=-1.0) as s:
        # The benchmark named in the URL (a server started without --benchmark); the token in the query.
        url = s.url("/v1/openrlhf/humaneval?token=T")
        out = openrlhf_rollout(tokenizer, [url], prompt, references["humaneval"], truth)
        assert out["reward"] == [1.0] and out["scores"] == [1.0] and out["extra_logs"]["pass"] == [1.0]
        out = openrlhf_rollout(tokenizer, [url], prompt, "def has_close_elements(n, t):\n    return True\n", truth)
        assert out["reward"] == [0.0]
        label = json.dumps({"inputs": ["1\n2"], "outputs": ["3"], "fn_name": "add"})
        assert openrlhf_rollout(tokenizer, [s.url("/v1/openrlhf?token=T")], prompt, ADD, label)["reward"] == [1.0]
        # no token: 401, which OpenRLHF's client retries and drops (reward None): the documented failure
        from harness.bench.rewards import request as http

        body = {"query": [prompt + ADD], "prompts": [prompt], "labels": [label]}
        assert http(s.port, "POST", "/v1/openrlhf", body)[0] == 401

    with InProcessServer(dying_executor, openrlhf_sandbox_error_reward=-1.0) as s:
        with caplog.at_level(logging.ERROR, logger="codeharness.rewards"):
            out = openrlhf_rollout(tokenizer, [s.url("/v1/openrlhf")], prompt, ADD, label)
        assert out["reward"] == [-1.0] and out["extra_logs"]["sandbox_error"] == [1.0]
        assert any("sandbox failed" in r.getMessage() for r in caplog.records)

    with InProcessServer(dying_executor) as s:  # no fill value chosen: every request refused, and said why
        code, detail = http(s.port, "POST", "/v1/openrlhf", body)
        assert code == 400 and "--openrlhf-sandbox-error-reward" in detail["detail"]
        code, out = http(s.port, "POST", "/v1/openrlhf?sandbox_error_reward=0", body)
        assert code == 200 and out["rewards"] == [0.0] and out["extra_logs"]["sandbox_error"] == [1.0]
