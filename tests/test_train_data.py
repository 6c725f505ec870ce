"""Data specs for `codeharness train`, the visible-tests view, and the score read off the reward's run."""
import json

import pytest

from benchmarks_data import registry
from benchmarks_data.base import Benchmark, DataError, Problem
from benchmarks_data.views import VisibleTests
from harness.core.executor import ExecConfig, Executor
from harness.rewards import CodeReward
from harness.training.data import hold_out, load_data, parse_data_spec, response_for, sft_records
from harness.training.rewards import VerdictReward, VerdictScore, parse_reward_spec
from harness.errors import UserError
from sandboxes.job import TestCase as Case


@pytest.fixture(scope="module")
def executor():
    ex = Executor(ExecConfig(sandbox="process", workers=2, timeout_s=2, memory_mb=256), warn=lambda m: None)
    yield ex
    ex.close()


class Split(Benchmark):
    """Stands in for a loader that reads splits (mbpp, leetcodedataset): records what it was asked for."""
    name = "fakesplit"

    def load_problems(self):
        return [Problem(task_id=f"{self.split}/0", prompt="def f():\n", canonical_solution="def f():\n    return 1\n",
                        entry_point="f", tests=[Case(name="t", code="assert f() == 1")])]


def test_spec_forms(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.BENCHMARKS, "fakesplit", Split)
    atomic = parse_data_spec("atomic")
    assert (atomic.kind, atomic.name, atomic.split, atomic.path) == ("benchmark", "atomic", None, None)
    assert parse_data_spec("atomic:strings").split == "strings"
    d = tmp_path / "syn"
    d.mkdir()
    assert (parse_data_spec(f"synthetic:{d}").path, parse_data_spec(f"synthetic:{d}").split) == (str(d), "train")
    assert parse_data_spec(f"synthetic:{d}:test").split == "test"
    assert parse_data_spec("rows.jsonl").kind == "file"
    spec = parse_data_spec("fakesplit:train", data_dir="/data")
    assert (spec.name, spec.split, spec.path) == ("fakesplit", "train", "/data")
    data = load_data(spec, need_response=True, need_tests=True)
    assert [p.task_id for p in data.problems] == ["train/0"]
    assert data.records == [{"prompt": "def f():\n", "response": "    return 1\n", "task_id": "train/0"}]
    with pytest.raises(DataError, match="unknown benchmark 'nope'"):
        parse_data_spec("nope:train")


def test_response_strips_the_prompt_only_when_it_is_a_prefix():
    assert response_for(Problem("a", "def f():\n", canonical_solution="def f():\n    return 1\n")) == "    return 1\n"
    assert response_for(Problem("b", "Write f.", canonical_solution="def f():\n    return 1\n")).startswith("def f")
    assert sft_records([Problem("c", "p", canonical_solution=None)]) == []


def test_atomic_records_and_hold_out():
    data = load_data(parse_data_spec("atomic:strings"), need_response=True)
    p = data.problems[0]
    assert p.prompt + data.records[0]["response"] == p.canonical_solution
    rest, held = hold_out(data, 3, seed=1)
    assert len(held) == 3 and len(rest.problems) == len(data.problems) - 3
    assert not {h.task_id for h in held} & {r["task_id"] for r in rest.records}
    assert [h.task_id for h in hold_out(data, 3, seed=1)[1]] == [h.task_id for h in held]


def test_file_rows_errors_name_file_line_field(tmp_path):
    f = tmp_path / "rows.jsonl"
    f.write_text('{"prompt": "a", "response": "b"}\n{not json\n')
    with pytest.raises(DataError, match=r"rows.jsonl:2: not valid JSON"):
        load_data(parse_data_spec(str(f)), need_response=True)
    f.write_text(json.dumps({"prompt": 3, "response": "b"}) + "\n")
    with pytest.raises(DataError, match=r"rows.jsonl:1: field 'prompt' must be a string"):
        load_data(parse_data_spec(str(f)), need_response=True)
    f.write_text(json.dumps({"prompt": "def g():\n    return ", "tests": ["assert g() == 2"]}) + "\n")
    data = load_data(parse_data_spec(str(f)), need_tests=True)
    assert data.problems[0].task_id == "rows/1" and data.problems[0].entry_point == "g"


def test_visible_tests_view_runs_only_the_first_k(executor):
    base = load_data(parse_data_spec("atomic:strings")).benchmark
    p = base.load_problems()[0]
    view = VisibleTests(base, 2)
    assert [t.name for t in view.load_problems()[0].tests] == [t.name for t in p.tests[:2]]
    reward = CodeReward(view, mode="fraction", executor=executor)
    assert reward(None, [p.canonical_solution], task_id=[p.task_id]) == [1.0]
    assert len(reward.last_results[0].tests) == 2
    with pytest.raises(DataError):
        VisibleTests(base, 0)


def test_score_reuses_the_reward_run_only_for_the_same_inputs(tmp_path, executor):
    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps({"task_id": "t", "prompt": "def h():\n    return ",
                             "tests": ["assert isinstance(h(), int)", "assert h() == 4"]}) + "\n")
    data = load_data(parse_data_spec(str(f)), need_tests=True)
    reward = VerdictReward(data.benchmark, executor, "fraction")
    score = VerdictScore(data.benchmark, executor, reward=reward)
    comps, ids = ["4", "3", "(", "'x'"], ["t"] * 4
    assert reward(None, comps, task_id=ids) == [1.0, 0.5, 0.0, 0.0]
    assert reward.last_counts == {"passed": 1, "failed": 2, "syntax_error": 1}
    assert score(None, comps, task_id=ids) == [1.0, 0.0, 0.0, 0.0] and score.reused
    assert score(None, ["4", "5"], task_id=ids[:2]) == [1.0, 0.0] and not score.reused
    assert score.last_counts == {"passed": 1, "failed": 1}


def test_reward_specs():
    assert parse_reward_spec("fraction").exec_mode == "fraction"
    assert parse_reward_spec("rm:/m").rm_path == "/m"
    mix = parse_reward_spec("mix:0.25", reward_model="/m")
    assert (mix.source, mix.rm_weight, mix.rm_path) == ("mix", 0.25, "/m")
    for bad in ("shaped", "mix:2", "mix:x", "rm:"):
        with pytest.raises(UserError):
            parse_reward_spec(bad, reward_model="/m")


def test_cli_strategies_match_the_filtration_module():
    from harness.cli.train import STRATEGIES
    from trainers.filtration import STRATEGIES as CORE

    assert STRATEGIES == CORE
