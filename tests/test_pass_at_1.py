"""The train-time pass@1 (PassAt1Eval): a sample the sandbox failed to judge is not a pass, and the share
of those is reported beside pass@1, in the trainers' logs too."""
import io
import json

import pytest

from harness.core.executor import ExecConfig, Executor
from harness.training.pass_at_1 import PassAt1Eval
from sandboxes import SandboxPool
from outages import DiesOnMarker


@pytest.fixture(scope="module")
def humaneval():
    from benchmarks_data.registry import get_benchmark

    bench = get_benchmark("humaneval")
    return bench, bench.load_problems()[:10]


def test_sandbox_failures_count_against_pass_at_1_and_their_share_is_reported(humaneval):
    bench, problems = humaneval
    # 5 correct bodies, then 5 correct bodies whose sandbox dies (a real runner killed mid-job, retried once).
    completions = [p.canonical_solution[len(p.prompt):] for p in problems]
    completions[5:] = ['    "KILL_THE_SANDBOX"\n' + c for c in completions[5:]]
    pool = SandboxPool(lambda i: DiesOnMarker(i), workers=2, description="dying")
    with Executor(ExecConfig(sandbox="process", timeout_s=3), pool=pool.start()) as ex:
        out = PassAt1Eval(bench, problems, ex).score(completions)
    pool.close()
    assert out["pass@1"] == 0.5
    assert (out["sandbox_errors"], out["sandbox_error_rate"], out["n_problems"]) == (5, 0.5, 10)


def test_trainer_logs_show_the_sandbox_error_share_beside_pass_at_1(tmp_path):
    from trainers.metrics_log import MetricsLogger

    stream = io.StringIO()
    logger = MetricsLogger(str(tmp_path), console_keys=("loss",), tensorboard=False, stream=stream)
    logger.log(6, {"loss": 1.5, "eval/pass@1": 0.5, "eval/sandbox_errors": 5, "eval/sandbox_error_rate": 0.5})
    line = stream.getvalue()
    assert "eval/pass@1=0.5" in line and "eval/sandbox_error_rate=0.5" in line
    row = json.loads((tmp_path / "metrics.jsonl").read_text())
    assert row["eval/sandbox_error_rate"] == 0.5
