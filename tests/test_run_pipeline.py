"""`codeharness run`: generate -> evaluate -> report for several benchmarks, with a tiny model on CPU."""
import argparse
import json

from benchmarks_data import registry
from benchmarks_data.base import Benchmark, Problem
from harness.cli import run as run_pipeline


class TwoProblems(Benchmark):
    name = "two-problems"
    stop_sequences = ["\n\n"]

    def load_problems(self):
        return [Problem(task_id=f"two/{i}", prompt=f"def f{i}(x):\n", entry_point=f"f{i}") for i in range(2)]


def fake_evaluate(calls):
    """Stands in for harness.evaluate.evaluate: marks samples with an even line number as passed."""
    def evaluate(benchmark, samples_path, output_dir, **options):
        calls.append((benchmark, samples_path, output_dir, options))
        with open(samples_path) as f:
            rows = [json.loads(line) for line in f]
        with open(f"{output_dir}/results.jsonl", "w") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps({"task_id": r["task_id"], "sample_index": i, "passed": i % 2 == 0,
                                    "status": "passed" if i % 2 == 0 else "failed", "tests": [],
                                    "duration_s": 0.0}) + "\n")
    return evaluate


def test_run_generates_evaluates_and_reports_each_benchmark(tiny_gpt2_path, tmp_path, monkeypatch):
    monkeypatch.setitem(registry.BENCHMARKS, TwoProblems.name, TwoProblems)
    parser = argparse.ArgumentParser()
    run_pipeline.add_arguments(parser)
    out = tmp_path / "ckpt"
    args = parser.parse_args(["--model", tiny_gpt2_path, "--benchmark", "humaneval,two-problems", "--limit", "2",
                              "--n", "2", "--max-new-tokens", "6", "--seed", "1", "--out", str(out),
                              "--eval-option", "workers=3", "--eval-option", "judge=strict", "--no-plots"])
    calls = []
    text = run_pipeline.run_pipeline(args, evaluate=fake_evaluate(calls))
    eval_opts = lambda c: {k: v for k, v in c[3].items() if k not in ("exec_config", "allow_missing", "k")}
    assert [(c[0], eval_opts(c)) for c in calls] == [("humaneval", {"workers": 3, "judge": "strict"}),
                                                     ("two-problems", {"workers": 3, "judge": "strict"})]
    for name in ("humaneval", "two-problems"):
        rows = [json.loads(line) for line in open(out / name / "samples.jsonl")]
        assert len(rows) == 4 and all("completion" in r for r in rows)
        assert calls[0 if name == "humaneval" else 1][1:3] == (str(out / name / "samples.jsonl"), str(out / name))
    # the benchmark's own stop sequences were used for its samples
    assert all("\n\n" not in json.loads(line)["raw"] for line in open(out / "two-problems" / "samples.jsonl"))
    assert (out / "report.md").exists() and "| two-problems | all | pass@1 | 50.0 |" in text

    # Rerun: nothing left to generate; evaluate runs again (it resumes on its own).
    calls.clear()
    run_pipeline.run_pipeline(args, evaluate=fake_evaluate(calls))
    assert sum(1 for _ in open(out / "humaneval" / "samples.jsonl")) == 4 and len(calls) == 2


def test_eval_options_parse():
    assert run_pipeline.parse_options(["a=1", "b=0.5", "c=true", "max-workers=x"]) == \
        {"a": 1, "b": 0.5, "c": True, "max_workers": "x"}


def test_run_end_to_end_in_docker(tiny_gpt2_path, tmp_path, docker_client):
    """tiny local model -> generate -> evaluate in Docker -> report with the numbers of those samples."""
    parser = argparse.ArgumentParser()
    run_pipeline.add_arguments(parser)
    out = tmp_path / "run"
    args = parser.parse_args(["--model", tiny_gpt2_path, "--benchmark", "humaneval", "--limit", "3", "--n", "2",
                              "--max-new-tokens", "8", "--seed", "0", "--out", str(out), "--workers", "2",
                              "--timeout", "3", "--k", "1,2"])
    run_pipeline.run_pipeline(args)
    results = [json.loads(line) for line in open(out / "humaneval" / "results.jsonl")]
    samples = [json.loads(line) for line in open(out / "humaneval" / "samples.jsonl")]
    assert [(r["task_id"], r["sample_index"]) for r in results] == [(s["task_id"], i) for i, s in enumerate(samples)]
    assert len(results) == 6
    summary = json.loads((out / "humaneval" / "summary.json").read_text())
    assert sum(summary["status_counts"].values()) == 6
    assert summary["pass_at_k"]["pass@1"] == sum(r["passed"] for r in results) / 6
    report = (out / "report.md").read_text()
    assert "humaneval" in report
    assert (out / "scores.csv").exists() and (out / "pass_at_k.png").exists()
