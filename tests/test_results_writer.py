"""results.jsonl: input order, prefix of the final file at every flush, resume after a cut line."""
import json

import pytest

from harness.core import results as res
from harness.core.results import ResultsWriter, SampleResult


def row(i):
    return SampleResult(task_id=f"T/{i}", sample_index=i, passed=i % 2 == 0, status="passed" if i % 2 == 0 else "failed",
                        tests=[{"name": "check", "status": "passed", "time_s": 0.0, "error_type": "", "message": "é"}])


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_writes_in_input_order_flushes_on_time_and_resumes(tmp_path, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(res.time, "monotonic", lambda: clock[0])
    path = tmp_path / "results.jsonl"
    expected = [(f"T/{i}", i) for i in range(4)]
    w = ResultsWriter(str(path), expected)
    w.add(1, row(1))
    assert path.read_text() == ""                      # waits for sample 0
    w.add(0, row(0))
    assert [r["sample_index"] for r in lines(path)] == [0, 1]   # the first flush is immediate
    w.add(2, row(2))
    assert len(lines(path)) == 2                       # within FLUSH_S of the last flush: buffered
    clock[0] += res.FLUSH_S + 0.01
    w.add(3, row(3))
    assert [r["sample_index"] for r in lines(path)] == [0, 1, 2, 3]
    assert lines(path)[0] == json.loads(row(0).to_json()) and lines(path)[0]["tests"][0]["message"] == "é"
    w.close()
    with open(path, "a") as f:                         # a line cut short by a kill
        f.write('{"task_id": "T/4", "sam')
    again = ResultsWriter(str(path), expected + [("T/4", 4)])
    assert [r.sample_index for r in again.done] == [0, 1, 2, 3] and again.next_index == 4
    again.close()
    assert path.read_text().endswith("}\n")


def test_a_run_that_keeps_no_results_writes_and_summarizes_the_same(tmp_path, humaneval_problems):
    """The CLI holds neither its samples nor its results (its memory must not follow the run's
    size): from a samples file, results.jsonl and the summary are those of a run that keeps
    everything in memory, a resumed run's included."""
    from harness.core.evaluation import evaluate
    from harness.bench.throughput import mix_samples
    from tests.local_run_jobs import LocalRunJobs

    samples = mix_samples(humaneval_problems[:6])
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" + ("\n" if i == 7 else "") for i, s in enumerate(samples)))
    ex = LocalRunJobs()
    common = dict(executor=ex, k=[1], quiet=True, allow_missing=True)
    try:
        full = evaluate("humaneval", samples, str(tmp_path / "full"), **common)
        slim = evaluate("humaneval", str(path), str(tmp_path / "slim"), keep_results=False, **common)
        lines = (tmp_path / "slim" / "results.jsonl").read_text().splitlines()
        (tmp_path / "slim" / "results.jsonl").write_text("\n".join(lines[:25]) + "\n")   # as if killed
        resumed = evaluate("humaneval", str(path), str(tmp_path / "slim"), keep_results=False, **common)
    finally:
        ex.close()
    assert len(full.results) == len(samples) and all(isinstance(r, SampleResult) for r in full.results)
    assert slim.results == [] and resumed.results == []
    for run in (slim, resumed):
        for key in ("pass_at_k", "status_counts", "n_samples", "n_problems"):
            assert run.summary[key] == full.summary[key], key
    assert full.summary["n_samples"] == len(samples)

    def rows(run):   # everything but the timings
        out = []
        for line in (tmp_path / run / "results.jsonl").read_text().splitlines():
            r = json.loads(line)
            out.append((r["task_id"], r["sample_index"], r["status"], r["detail"],
                        [(t["name"], t["status"]) for t in r["tests"]], r["hack_flags"]))
        return out

    assert rows("slim") == rows("full") and len(rows("full")) == len(samples)


def test_a_samples_file_changed_during_a_run_is_an_error(tmp_path):
    from harness.core.samples import SampleFile
    from harness.errors import UserError

    path = tmp_path / "samples.jsonl"
    path.write_text('{"task_id": "a", "completion": "x"}\n{"task_id": "b", "completion": "y"}\n')
    f = SampleFile(str(path))
    assert len(f) == 2 and [s.task_id for s in f] == ["a", "b"]
    path.write_text('{"task_id": "a", "completion": "x"}\n{"task_id": "c", "completion": "y"}\n')
    with pytest.raises(UserError, match=r"samples.jsonl:2: the samples file changed"):
        list(f)
