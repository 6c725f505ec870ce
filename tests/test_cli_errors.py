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
