"""`codeharness report` on two fake checkpoints' run dirs: the numbers people read must be the right ones."""
import argparse
import json
import os

import pandas as pd
import pytest

from harness.cli import report as report_cli
from harness.reports import report
from harness.errors import UserError


def write_run(d, benchmark, results, summary=None):
    d.mkdir(parents=True)
    with open(d / "results.jsonl", "w") as f:
        for i, (task, passed, status) in enumerate(results):
            f.write(json.dumps({"task_id": task, "sample_index": i, "passed": passed, "status": status,
                                "tests": [{"status": status, "time": 0.01}], "duration_s": 0.1}) + "\n")
    if summary is not None:
        (d / "summary.json").write_text(json.dumps({"benchmark": benchmark, **summary}))


@pytest.fixture
def two_runs(tmp_path):
    # Checkpoint A: humaneval 2 samples x 3 tasks, LeetCode with a difficulty breakdown.
    a, b = tmp_path / "ckpt-A", tmp_path / "ckpt-B"
    he_a = [("HE/0", True, "passed"), ("HE/0", False, "failed"), ("HE/1", False, "syntax_error"),
            ("HE/1", False, "syntax_error"), ("HE/2", True, "passed"), ("HE/2", True, "passed")]
    write_run(a / "humaneval", "humaneval", he_a, {
        "n_samples": 6, "n_problems": 3, "pass_at_k": {"pass@1": 0.5, "pass@2": 2 / 3},
        "groups": {"base": {"pass@1": 0.5}, "plus": {"pass@1": 0.4}},
        "status_counts": {"passed": 3, "failed": 1, "syntax_error": 2}, "config": {"judge": "strict"},
        "image_id": "sha256:abc"})
    write_run(a / "leetcode-contest", "leetcode-contest", [("LC/1", True, "passed"), ("LC/2", False, "timeout")], {
        "pass_at_k": {"pass@1": 0.5},
        "breakdown": {"difficulty": {"Easy": {"pass@1": 1.0}, "Hard": {"pass@1": 0.0}}}})
    # Checkpoint B: better on humaneval, and its summaries lack every optional key.
    he_b = [("HE/0", True, "passed"), ("HE/0", True, "passed"), ("HE/1", True, "passed"),
            ("HE/1", False, "runtime_error"), ("HE/2", False, "timeout"), ("HE/2", True, "passed")]
    write_run(b / "humaneval", "humaneval", he_b, {"pass_at_k": {"pass@1": 4 / 6}})
    # No summary.json at all: pass@1 and statuses come from results.jsonl.
    write_run(b / "leetcode-contest", "leetcode-contest",
              [("LC/1", True, "passed"), ("LC/2", True, "passed"), ("LC/3", False, "failed"), ("LC/3", False, "failed")])
    return str(a), str(b)


def test_report_numbers_files_and_plots(two_runs, tmp_path):
    out = tmp_path / "rep"
    text = report.write_report(list(two_runs), str(out))
    assert (out / "report.md").read_text() == text
    for png in ("pass_at_k.png", "status_counts.png"):
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000

    # The comparison table: best in bold, Δ = last - first run, groups shown.
    assert "| humaneval | all | pass@1 | 50.0 | **66.7** | +16.7 |" in text
    assert "| humaneval | all | pass@2 | 66.7 | — | — |" in text
    assert "| humaneval | plus | pass@1 | 40.0 | — | — |" in text
    # leetcode B has no summary: pass@1 = mean per-task rate = (1 + 1 + 0) / 3.
    assert "| leetcode-contest | all | pass@1 | 50.0 | **66.7** | +16.7 |" in text
    assert "### leetcode-contest: pass@1 by difficulty" in text and "| Hard | 0.0 |" in text
    # Status counts with shares, and the at-a-glance lines.
    assert ("| humaneval | ckpt-A | 3 (50%) | 1 (17%) | 2 (33%) | 0 (0%) | 0 (0%) |\n"
            "| humaneval | ckpt-B | 4 (67%) | 0 (0%) | 0 (0%) | 1 (17%) | 1 (17%) |") in text
    assert "`ckpt-B` is best at pass@1 66.7% (+16.7 points over `ckpt-A`)" in text
    assert "`ckpt-A` on humaneval: failing samples are mostly syntax_error 33%, failed 17%" in text
    assert "`ckpt-B` on leetcode-contest: solves 2/3 tasks, 1 that no other run solves (e.g. LC/2)" in text
    assert "`ckpt-A` on humaneval: solves 2/3 tasks, 0 that" in text
    assert "`ckpt-B` on humaneval: solves 3/3 tasks, 1 that no other run solves (e.g. HE/1)" in text

    scores = pd.read_csv(out / "scores.csv")
    row = scores[(scores.run == "ckpt-B") & (scores.benchmark == "humaneval") & (scores.metric == "pass@1")]
    assert row["value"].tolist() == pytest.approx([4 / 6])
    hard = scores[(scores.dimension == "difficulty") & (scores.category == "Hard")]
    assert hard[["run", "value"]].values.tolist() == [["ckpt-A", 0.0]]
    status = pd.read_csv(out / "status.csv").set_index(["run", "benchmark"])
    assert status.loc[("ckpt-B", "leetcode-contest"), "failed"] == 2
    assert status.loc[("ckpt-B", "humaneval"), "timeout"] == 1


def test_single_benchmark_dir_and_duplicate_names(tmp_path):
    write_run(tmp_path / "x" / "run", "mbpp", [("M/1", True, "passed")], {"pass_at_k": {"pass@1": 1.0}})
    write_run(tmp_path / "y" / "run", "mbpp", [("M/1", False, "failed")], {"pass_at_k": {"pass@1": 0.0}})
    runs = report.load_runs([str(tmp_path / "x" / "run"), str(tmp_path / "y" / "run")])
    assert [(r.run, r.benchmark) for r in runs] == [("run", "mbpp"), ("run-2", "mbpp")]
    text = report.write_report([str(tmp_path / "x" / "run"), str(tmp_path / "y" / "run")], str(tmp_path / "o"),
                               plots=False)
    assert "| mbpp | all | pass@1 | **100.0** | 0.0 | -100.0 |" in text


def test_bad_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(UserError, match="not a directory"):
        report.load_runs([str(tmp_path / "missing")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no summary.json or results.jsonl"):
        report.load_runs([str(tmp_path / "empty")])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "summary.json").write_text('{"benchmark": "x",\n "pass_at_k": }')
    with pytest.raises(UserError, match=r"summary.json:2:"):
        report.load_runs([str(bad)])
    (bad / "summary.json").write_text("{}")
    (bad / "results.jsonl").write_text('{"task_id": "a", "passed": true}\n{"task_id": "b"}\n')
    with pytest.raises(UserError, match=r"results.jsonl:2:"):
        report.load_runs([str(bad)])


def test_report_cli(two_runs, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    report_cli.add_arguments(parser)
    assert report_cli.run(parser.parse_args([*two_runs, "--out", str(tmp_path / "r"), "--no-plots"])) == 0
    assert "## Scores (%)" in capsys.readouterr().out
    assert (tmp_path / "r" / "report.md").exists() and not (tmp_path / "r" / "pass_at_k.png").exists()


def test_report_cli_writes_into_the_first_run_by_default(two_runs, tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    parser = argparse.ArgumentParser()
    report_cli.add_arguments(parser)
    assert report_cli.run(parser.parse_args([*two_runs, "--no-plots"])) == 0
    first = str(two_runs[0])
    assert os.path.exists(os.path.join(first, "report.md")) and os.path.exists(os.path.join(first, "scores.csv"))
    assert not any(elsewhere.iterdir()), "report wrote into the current directory"
    assert os.path.join(first, "report.md") in capsys.readouterr().out
