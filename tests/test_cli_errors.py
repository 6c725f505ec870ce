"""Bad input: one clear line naming the file/line/field, a non-zero exit, no traceback."""
import json
import os
import subprocess
import sys

import pytest


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def evaluate(samples_path, tmp_path, *extra, env=None):
    return run_cli("evaluate", "--benchmark", "humaneval", "--samples", str(samples_path), "--output-dir",
                   str(tmp_path / "out"), "--sandbox", "process", *extra, env=env)


def assert_one_line_error(proc, *needles):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip() and not l.startswith("WARNING")]
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def write(tmp_path, text):
    p = tmp_path / "samples.jsonl"
    p.write_text(text)
    return p


def test_unparseable_line(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "HumanEval/0", "completion": "x"}) + "\n{not json\n")
    assert_one_line_error(evaluate(p, tmp_path), f"{p}:2", "not valid JSON")


def test_missing_field(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "HumanEval/0"}) + "\n")
    assert_one_line_error(evaluate(p, tmp_path), f"{p}:1", "completion")
    p = write(tmp_path, json.dumps({"completion": "x"}) + "\n")
    assert_one_line_error(evaluate(p, tmp_path), f"{p}:1", "task_id")


def test_unknown_task_id(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "HumanEval/9999", "completion": "x"}) + "\n")
    assert_one_line_error(evaluate(p, tmp_path, "--allow-missing"), f"{p}:1", "HumanEval/9999")


def test_missing_problems_need_allow_missing(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "HumanEval/0", "completion": "    return True\n"}) + "\n")
    assert_one_line_error(evaluate(p, tmp_path), "163 of 164", "--allow-missing")


def test_empty_file(tmp_path):
    p = write(tmp_path, "\n")
    assert_one_line_error(evaluate(p, tmp_path), str(p), "empty")


def test_unreadable_path(tmp_path):
    assert_one_line_error(evaluate(tmp_path / "nope.jsonl", tmp_path), "nope.jsonl")


def test_no_docker_engine(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "HumanEval/0", "completion": "    return True\n"}) + "\n")
    proc = run_cli("evaluate", "--benchmark", "humaneval", "--samples", str(p), "--output-dir", str(tmp_path / "o"),
                   "--allow-missing", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert_one_line_error(proc, "Docker", "codeharness setup")


def test_unknown_benchmark(tmp_path):
    p = write(tmp_path, json.dumps({"task_id": "x", "completion": "y"}) + "\n")
    proc = run_cli("evaluate", "--benchmark", "nope", "--samples", str(p), "--output-dir", str(tmp_path / "o"))
    assert_one_line_error(proc, "unknown benchmark", "nope")


def test_output_dir_of_another_run_is_not_mixed_up(tmp_path):
    one = write(tmp_path, json.dumps({"task_id": "HumanEval/0", "completion": "    return True\n"}) + "\n")
    assert evaluate(one, tmp_path, "--allow-missing").returncode == 0
    (tmp_path / "samples.jsonl").write_text(json.dumps({"task_id": "HumanEval/1", "completion": "    return 1\n"})
                                            + "\n")
    assert_one_line_error(evaluate(one, tmp_path, "--allow-missing"), "different run", "--overwrite")


# ---------------------------------------------------------------- issue 14: values JSON allows, Python refuses

ADD = {"task_id": "add", "prompt": "def add(a, b):\n", "entry_point": "add"}
GOOD_SAMPLE = json.dumps({"task_id": "add", "completion": "    return a + b\n"}) + "\n"


def evaluate_custom(tmp_path, problems_text, samples_text=GOOD_SAMPLE):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(problems_text)
    samples = write(tmp_path, samples_text)
    proc = run_cli("evaluate", "--benchmark", str(problems), "--samples", str(samples), "--output-dir",
                   str(tmp_path / "out"), "--sandbox", "process")
    return proc, problems, samples


def assert_exit_2(proc, *needles):
    assert_one_line_error(proc, *needles)
    assert proc.returncode == 2, proc.stderr


@pytest.mark.parametrize("row, field", [
    ({**ADD, "time_limit_s": "NaN", "tests": ["assert add(1, 2) == 3"]}, "time_limit_s"),
    ({**ADD, "time_limit_s": "1e999", "tests": ["assert add(1, 2) == 3"]}, "time_limit_s"),
    ({**ADD, "io": [{"input": [1, 2], "output": 3, "atol": "NaN"}]}, "atol"),
    ({**ADD, "io": [{"input": [1, 2], "output": 3, "atol": "-Infinity"}]}, "atol"),
], ids=["time_limit_s NaN", "time_limit_s 1e999", "atol NaN", "atol -Infinity"])
def test_non_finite_numbers_in_a_problems_file(tmp_path, row, field):
    # json.dumps quotes the placeholder; unquote it into the bare token Python's json reads as nan/inf.
    text = json.dumps({"task_id": "ok", "prompt": "def f():\n", "tests": ["assert True"]}) + "\n"
    value = row.get("time_limit_s") or row["io"][0]["atol"]
    text += json.dumps(row).replace(f'"{value}"', value) + "\n"
    proc, problems, _ = evaluate_custom(tmp_path, text)
    assert_exit_2(proc, f"{problems}:2", field)


def test_syntax_error_in_a_problems_setup(tmp_path):
    row = {**ADD, "setup": "import math\ndef helper(:\n    pass\n", "tests": ["assert add(1, 2) == 3"]}
    proc, problems, _ = evaluate_custom(tmp_path, json.dumps(row) + "\n")
    assert_exit_2(proc, f"{problems}:1", "setup", "line 2")


HUGE_INT = "9" * 5000
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("value", [HUGE_INT, DEEP], ids=["5000-digit integer", "100k levels deep"])
def test_unreadable_values_in_a_samples_file(tmp_path, value):
    text = GOOD_SAMPLE + '{"task_id": "add", "completion": "x", "meta": ' + value + "}\n"
    problems = json.dumps({**ADD, "tests": ["assert add(1, 2) == 3"]}) + "\n"
    proc, _, samples = evaluate_custom(tmp_path, problems, text)
    assert_exit_2(proc, f"{samples}:2", "meta")


@pytest.mark.parametrize("value", [HUGE_INT, DEEP], ids=["5000-digit integer", "100k levels deep"])
def test_unreadable_values_in_a_problems_file(tmp_path, value):
    text = json.dumps({**ADD, "tests": ["assert add(1, 2) == 3"]})[:-1] + ', "metadata": ' + value + "}\n"
    proc, problems, _ = evaluate_custom(tmp_path, text)
    assert_exit_2(proc, f"{problems}:1", "metadata")
