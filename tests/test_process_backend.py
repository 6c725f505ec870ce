"""The process backend (development only) runs the same runner; it must warn and still judge."""
import json
import subprocess
import sys


def test_process_backend_scores_and_warns(tmp_path, humaneval_problems):
    rows = []
    for p in humaneval_problems[:5]:
        rows.append({"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]})
        rows.append({"task_id": p.task_id, "completion": "    return None\n"})
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "evaluate", "--benchmark", "humaneval", "--samples",
                           str(path), "--output-dir", str(tmp_path / "o"), "--sandbox", "process", "--allow-missing",
                           "--k", "1,2", "--workers", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING: --sandbox process" in proc.stderr  # it always says what isolation it lacks
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["pass_at_k"] == {"pass@1": 0.5, "pass@2": 1.0}
    assert "pass@1" in proc.stdout
