"""harness.data.synthesize writes the dataset; the `synthetic` benchmark reads it and its references pass."""
from __future__ import annotations

import argparse
import json
import os

import pytest

from benchmarks_data.base import DataError
from benchmarks_data.registry import get_benchmark
from harness.cli import data as synth_cli
from harness.errors import UserError
from harness.data.synthesize import synthesize
from local_run_jobs import LocalRunJobs
from sandboxes.job import Limits


@pytest.fixture(scope="module")
def run_jobs():
    runner = LocalRunJobs(workers=2)
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def dataset(run_jobs, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("synth") / "d1")
    report = synthesize(30, 11, out, run_jobs, test_fraction=0.2, progress=False)
    return out, report


def test_writes_jsonl_datasetdict_and_stats(dataset):
    from datasets import load_from_disk
    out, report = dataset
    assert (report.train, report.test) == (24, 6)
    dd = load_from_disk(os.path.join(out, "hf"))
    assert set(dd) == {"train", "test"} and (len(dd["train"]), len(dd["test"])) == (24, 6)
    row = dd["train"][0]
    assert row["prompt"] + row["response"] == row["solution"] and row["prompt"].startswith("def ")
    with open(os.path.join(out, "train.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    assert [r["task_id"] for r in rows] == dd["train"]["task_id"]
    stats = json.load(open(os.path.join(out, "stats.json")))
    assert stats["train"] == 24 and stats["config"]["seed"] == 11 and 0 < stats["acceptance_rate"] <= 1


def test_same_seed_same_files(dataset, run_jobs, tmp_path):
    out, _ = dataset
    synthesize(30, 11, str(tmp_path), run_jobs, test_fraction=0.2, progress=False)
    for name in ("train.jsonl", "test.jsonl"):
        assert open(os.path.join(out, name), "rb").read() == open(os.path.join(tmp_path, name), "rb").read()
    with pytest.raises(UserError, match="overwrite"):
        synthesize(30, 11, str(tmp_path), run_jobs, progress=False)


def test_every_emitted_reference_passes_its_tests(dataset, run_jobs):
    out, _ = dataset
    for split, count in (("train", 24), ("test", 6)):
        bench = get_benchmark("synthetic", data_path=out, split=split)
        problems = bench.load_problems()
        assert len(problems) == count
        jobs = [bench.make_job(p, bench.program_for(p, p.canonical_solution[len(p.prompt):], None), Limits())
                for p in problems]
        for p, o in zip(problems, run_jobs(jobs)):
            assert len(p.tests) >= 10
            assert o.finished and [t.status for t in o.tests] == ["passed"] * len(p.tests), p.task_id


def test_a_wrong_completion_fails(dataset, run_jobs):
    out, _ = dataset
    bench = get_benchmark("synthetic", data_path=out, split="test")
    p = bench.load_problems()[0]
    (o,) = run_jobs([bench.make_job(p, p.prompt + "    return None\n", Limits())])
    assert o.tests[0].status == "failed"


def test_bad_data_gives_one_line_errors(tmp_path):
    with pytest.raises(DataError, match="--data"):
        get_benchmark("synthetic").load_problems()
    bad = tmp_path / "test.jsonl"
    bad.write_text('{"task_id": "x"}\n')
    with pytest.raises(DataError, match=r"test.jsonl:1: malformed"):
        get_benchmark("synthetic", data_path=str(tmp_path)).load_problems()
    with pytest.raises(DataError, match="cannot read"):
        get_benchmark("synthetic", data_path=str(tmp_path), split="train").load_problems()


def test_cli_arguments_and_run(run_jobs, tmp_path, monkeypatch, capsys):
    parser = argparse.ArgumentParser()
    synth_cli.add_arguments(parser)
    args = parser.parse_args(["synthesize", "--n", "8", "--seed", "0", "--out", str(tmp_path / "o"), "--split-by", "depth",
                              "--no-progress"])
    monkeypatch.setattr(synth_cli, "make_run_jobs", lambda a: run_jobs)
    assert synth_cli.run(args) == 0
    assert "wrote 6 train + 2 test" in capsys.readouterr().out
    rows = [json.loads(line) for line in open(tmp_path / "o" / "test.jsonl")]
    assert {r["depth"] for r in rows} == {3}


def test_progress_bar_and_summary_give_one_acceptance_figure(run_jobs, tmp_path, capsys):
    import re

    from harness.data.synthesize import acceptance_text

    report = synthesize(40, 3, str(tmp_path / "o"), run_jobs, test_fraction=0.2, progress=True)
    bar = capsys.readouterr().err
    shown = re.findall(r"accept=([0-9.]+%)", bar)
    assert shown, bar[-500:]
    # the candidates dropped because their split was full passed screening: they count as accepted
    assert report.passed == report.train + report.test + report.surplus
    assert report.surplus > 0, "this seed must drop some accepted candidates, or the two figures agree anyway"
    assert shown[-1] == acceptance_text(report.passed, report.screened)
    stats = json.load(open(tmp_path / "o" / "stats.json"))
    assert acceptance_text(stats["passed"], stats["screened"]) == shown[-1]
    assert abs(stats["acceptance_rate"] - report.passed / report.screened) < 1e-4
