"""Every benchmark loads from the shared data dir with the documented counts, splits and prompts."""
import ast
from collections import Counter

import pytest

from benchmarks_data.base import DataError
from benchmarks_data.registry import BENCHMARKS, get_benchmark


@pytest.mark.parametrize("name, split, version, count", [
    ("humaneval", None, None, 164),
    ("mbpp", None, None, 500),
    ("mbpp", "all", None, 974),
    ("mbpp", "train", None, 374),
    ("mbpp", "validation", None, 90),
    ("mbpp", "prompt", None, 10),
    ("mbpp-sanitized", None, None, 427),
    ("mbpp-sanitized", "test", None, 257),
    ("leetcode-contest", None, None, 180),
    ("leetcode-contest", "zh", None, 180),
    ("leetcodedataset", None, None, 228),
    ("leetcodedataset", "test", "v0.1.0", 175),
    ("leetcodedataset", "train", "v0.1.0", 1570),
])
def test_counts(data_dir, name, split, version, count):
    problems = get_benchmark(name, data_dir, split, version).load_problems()
    assert len(problems) == count
    assert len({p.task_id for p in problems}) == count
    assert all(p.tests and p.prompt and p.instruction for p in problems)


@pytest.mark.parametrize("name, version, count, n_base", [
    ("humaneval-plus", None, 164, 1570), ("mbpp-plus", None, 378, 1174), ("mbpp-plus", "v0.1.0", 399, None)])
def test_evalplus_records(data_dir, name, version, count, n_base):
    rows = get_benchmark(name, data_dir, version=version).records()
    assert len(rows) == count
    if n_base:
        assert sum(len(r["base_input"]) for r in rows) == n_base


def test_evalplus_needs_prepare(data_dir, cache_dir):
    with pytest.raises(DataError, match="check-dataset --benchmark humaneval-plus"):
        get_benchmark("humaneval-plus", data_dir).load_problems()


def test_mbpp_plus_inputs_get_tuples(data_dir):
    rows = {r["task_id"]: r for r in get_benchmark("mbpp-plus", data_dir).records()}
    assert all(type(a) is tuple for a in rows["Mbpp/2"]["base_input"][0])
    assert [type(x) for x in rows["Mbpp/63"]["base_input"][0][0]] == [tuple] * len(rows["Mbpp/63"]["base_input"][0][0])


def test_mbpp_prompt_and_ids(data_dir):
    p = get_benchmark("mbpp", data_dir).load_problems()[0]
    assert p.task_id == "Mbpp/11" and p.entry_point == "remove_Occ"
    assert p.prompt.startswith('"""\n') and "assert remove_Occ" in p.prompt
    compile(p.prompt + p.canonical_solution, "x", "exec")   # a docstring prompt + the function is a program
    assert len(p.tests) == 3 and all(t.kind == "code" for t in p.tests)


def test_leetcode_contest_tests_split_per_assert(data_dir):
    problems = get_benchmark("leetcode-contest", data_dir).load_problems()
    assert all(len(p.tests) == 100 for p in problems)
    assert Counter(p.metadata["difficulty"] for p in problems) == {"Easy": 45, "Medium": 91, "Hard": 44}
    p = problems[0]
    assert "my_solution = Solution()" in p.test_setup
    assert p.tests[0].code.startswith("test_input =") and p.tests[0].code.count("assert ") == 1
    ast.parse(p.tests[0].code)


def test_leetcodedataset_entry_and_no_judge_marks(data_dir):
    problems = get_benchmark("leetcodedataset", data_dir, "train", "v0.1.0").load_problems()
    p = problems[0]
    assert p.entry_point == "Solution" and p.metadata["method"]
    assert p.tests[0].code.startswith(f"candidate = Solution().{p.metadata['method']}\n")
    nodes = [q for q in problems if "node(" in "".join(t.code for t in q.tests)]
    assert len(nodes) > 100   # the ListNode/TreeNode problems: strict like the rest, no mark of their own
    assert not any("judge" in q.metadata for q in problems)


def test_every_benchmark_has_stop_sequences():
    for cls in BENCHMARKS.values():
        assert cls.stop_sequences and all(s.startswith("\n") for s in cls.stop_sequences), cls.name


def test_unknown_split_and_version():
    with pytest.raises(DataError, match="unknown split 'dev'"):
        get_benchmark("mbpp", split="dev")
    with pytest.raises(DataError, match="unknown version"):
        get_benchmark("humaneval-plus", version="v9")


def test_missing_data_names_the_flag_and_env(tmp_path, monkeypatch):
    monkeypatch.delenv("CODEHARNESS_DATA_DIR", raising=False)
    with pytest.raises(DataError, match="no mbpp/mbpp.jsonl in this data dir"):
        get_benchmark("mbpp", str(tmp_path)).load_problems()
    with pytest.raises(DataError, match="--data-dir"):
        get_benchmark("mbpp", str(tmp_path / "nope")).load_problems()
    monkeypatch.setenv("CODEHARNESS_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="CODEHARNESS_DATA_DIR"):
        get_benchmark("leetcode-contest").load_problems()
    monkeypatch.delenv("CODEHARNESS_DATA_DIR")
    monkeypatch.setenv("CODEHARNESS_OFFLINE", "1")
    with pytest.raises(DataError, match="CODEHARNESS_DATA_DIR"):
        get_benchmark("mbpp-sanitized").load_problems()


def test_data_dir_from_env(data_dir, monkeypatch):
    monkeypatch.setenv("CODEHARNESS_DATA_DIR", data_dir)
    assert len(get_benchmark("mbpp-sanitized").load_problems()) == 427


def test_unknown_benchmark():
    with pytest.raises(DataError, match="unknown benchmark 'nope'"):
        get_benchmark("nope")
