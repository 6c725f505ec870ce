"""`codeharness train sft | ppo | rm` and `diagnose r2` end to end on tiny models, sandbox = process."""
import json
import os
import re
import subprocess
import sys

import pytest
import torch
from transformers import AutoModelForCausalLM

from harness.cli.commands import main
from tiny_lm import save_tiny

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SANDBOX = ["--sandbox", "process", "--workers", "2", "--timeout", "2", "--memory", "256"]
NAMES = "x y z a b c n i".split()


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return str(path)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics(out):
    return [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    from harness.data.synthesize import synthesize
    from local_run_jobs import LocalRunJobs

    out = tmp_path_factory.mktemp("syn") / "data"
    run_jobs = LocalRunJobs()
    try:
        synthesize(30, 0, str(out), run_jobs, progress=False)
    finally:
        run_jobs.close()
    return str(out)


@pytest.fixture(scope="module")
def word_model(tmp_path_factory):
    """Word-level tiny GPT-2: one token per digit, so `return 7` is one sampling decision."""
    return save_tiny(tmp_path_factory.mktemp("word") / "model")


@pytest.fixture(scope="module")
def int_tasks(tmp_path_factory):
    """Constant-returning functions with graded tests: about 1 in 5 random one-token answers is an int."""
    rows = [{"task_id": f"int/{n}", "prompt": f"def {n}():\n    return ",
             "tests": [f"assert isinstance({n}(), int)", f"assert {n}() >= 3", f"assert {n}() >= 5",
                       f"assert {n}() >= 7", f"assert {n}() == 9"]} for n in NAMES]
    return write_jsonl(tmp_path_factory.mktemp("int") / "int.jsonl", rows)


def test_sft_cli_loss_falls_eval_runs_checkpoint_reloads_and_resumes(tiny_gpt2_path, synthetic_dir, tmp_path, capsys):
    out = str(tmp_path / "sft")
    common = ["train", "sft", "--model", tiny_gpt2_path, "--data", f"synthetic:{synthetic_dir}", "--out", out,
              "--set", "lr=3e-3", "--set", "batch_size=4", "--set", "bf16=false", "--set", "log_every=1",
              "--set", "max_seq_len=512", "--set", "warmup_steps=0", "--set", "save_every=6",
              "--eval-every", "6", "--eval-problems", "3", "--eval-max-new-tokens", "24", *SANDBOX]
    assert main(common + ["--set", "max_steps=12"]) == 0
    rows = metrics(out)
    assert [r["step"] for r in rows] == list(range(1, 13))
    losses = [r["loss"] for r in rows]
    assert sum(losses[-3:]) < 0.9 * sum(losses[:3]), losses
    evals = [r for r in rows if "eval/pass@1" in r]
    assert [r["step"] for r in evals] == [6, 12] and all(r["eval/n_problems"] == 3 for r in evals)
    assert 0.0 <= evals[-1]["eval/pass@1"] <= 1.0 and evals[-1]["eval/sandbox_errors"] == 0
    assert evals[-1]["eval/sandbox_error_rate"] == 0.0
    printed = capsys.readouterr().out
    assert "pass@1" in printed and "on 3 held-out problems" in printed
    model = AutoModelForCausalLM.from_pretrained(os.path.join(out, "checkpoint-12"))
    assert model.config.n_layer == 2
    # OUT/final: the finished model alone, loadable as the next stage's --model, same weights as the last step.
    final = AutoModelForCausalLM.from_pretrained(os.path.join(out, "final"))
    assert not os.path.exists(os.path.join(out, "final", "trainer_state.pt"))
    assert all(torch.equal(a, b) for a, b in zip(final.state_dict().values(), model.state_dict().values()))
    assert f"final model {os.path.join(out, 'final')}" in printed

    # Resume: a longer run continues from checkpoint-12 instead of starting over.
    assert main(common + ["--set", "max_steps=15"]) == 0
    rows = metrics(out)
    assert [r["step"] for r in rows[12:]] == [13, 14, 15]
    assert os.path.isdir(os.path.join(out, "checkpoint-15"))
    assert re.search(r"sft: 15 steps", capsys.readouterr().out)


def test_sft_cli_from_jsonl_with_yaml_config_and_flag_precedence(word_model, tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"prompt": f"def {a} (", "response": f"{b} ) : return {c}"}
                                              for a, b, c in zip("xyzabc", "yzabcn", "123456")])
    cfg = tmp_path / "sft.yaml"
    cfg.write_text("lr: 0.003\nbatch_size: 3\nmax_steps: 50\nbf16: false\noutput_dir: ignored\nlog_every: 1\n")
    out = str(tmp_path / "o")
    assert main(["train", "sft", "--model", word_model, "--data", data, "--out", out, "--config", str(cfg),
                 "--set", "max_steps=20", *SANDBOX]) == 0
    rows = metrics(out)
    assert len(rows) == 20                               # --set beat the YAML; --out beat its output_dir
    assert rows[-1]["loss"] < 0.5 * rows[0]["loss"]
    assert not os.path.exists("ignored")


def test_ppo_cli_logs_verdicts_scores_and_times(word_model, int_tasks, tmp_path, capsys):
    out = str(tmp_path / "ppo")
    assert main(["train", "ppo", "--model", word_model, "--data", int_tasks, "--out", out, "--strategy", "bw",
                 "--n-samples", "4", "--reward", "fraction", "--set", "total_steps=2", "--set", "max_new_tokens=1",
                 "--set", "prompts_per_step=4", "--set", "bf16=false", "--set", "minibatch_size=4", *SANDBOX]) == 0
    rows = metrics(out)
    assert len(rows) == 2
    last = rows[-1]
    assert sum(v for k, v in last.items() if k.startswith("exec/")) == 16
    assert last["filter/n_kept"] == 8                    # best + worst of 4 per prompt
    assert 0 <= last["score/mean"] <= last["reward/mean"] + 1e-9   # all tests pass => fraction is 1
    for key in ("time/generation", "time/execution", "time/training", "time/step", "time/execution_share"):
        assert key in last
    assert os.path.exists(os.path.join(out, "config.json")) and os.path.isdir(os.path.join(out, "critic"))
    assert "strategy bw" in capsys.readouterr().out


def test_rm_cli_then_ppo_and_r2_with_the_reward_model(word_model, int_tasks, tmp_path, capsys):
    rm_out = str(tmp_path / "rm")
    assert main(["train", "rm", "--model", word_model, "--data", int_tasks, "--out", rm_out, "--n-samples", "8",
                 "--max-new-tokens", "1", "--label", "fraction", "--eval-fraction", "0.25", "--set", "lr=1e-3",
                 "--set", "batch_size=8", "--set", "num_epochs=2", "--set", "bf16=false", *SANDBOX]) == 0
    pairs = [json.loads(line) for line in open(os.path.join(rm_out, "pairs.jsonl"))]
    assert pairs and {p["split"] for p in pairs} == {"train", "eval"}
    assert os.path.exists(os.path.join(rm_out, "scalar_head.pt"))
    assert "eval accuracy" in capsys.readouterr().out

    ppo_out = str(tmp_path / "ppo")
    assert main(["train", "ppo", "--model", word_model, "--data", int_tasks, "--out", ppo_out, "--reward",
                 f"rm:{rm_out}", "--n-samples", "4", "--set", "total_steps=1", "--set", "max_new_tokens=1",
                 "--set", "prompts_per_step=2", "--set", "bf16=false", *SANDBOX]) == 0
    row = metrics(ppo_out)[-1]
    assert -1 <= row["reward/mean"] <= 1 and "score/mean" in row and "time/reward_model" in row
    assert sum(v for k, v in row.items() if k.startswith("exec/")) == 8   # the score ran in the sandbox

    mix_out = str(tmp_path / "mix")
    assert main(["train", "ppo", "--model", word_model, "--data", int_tasks, "--out", mix_out, "--reward", "mix:0.5",
                 "--reward-model", rm_out, "--exec-reward", "fraction", "--n-samples", "4", "--set", "total_steps=1",
                 "--set", "max_new_tokens=1", "--set", "prompts_per_step=2", "--set", "bf16=false", *SANDBOX]) == 0
    row = metrics(mix_out)[-1]
    assert -0.5 <= row["reward/mean"] <= 1 and "time/reward_model" in row and "score/mean" in row
    assert sum(v for k, v in row.items() if k.startswith("exec/")) == 8

    assert main(["diagnose", "r2", "--model", word_model, "--benchmark", int_tasks, "--n", "6", "--reward",
                 f"rm:{rm_out}", "--max-new-tokens", "1", *SANDBOX]) == 0
    assert "reward model" in capsys.readouterr().out


def test_diagnose_r2_visible_tests_prints_one_row_per_strategy(word_model, int_tasks, tmp_path, capsys):
    out = tmp_path / "r2.json"
    assert main(["diagnose", "r2", "--model", word_model, "--benchmark", int_tasks, "--n", "10",
                 "--reward", "visible-tests:3", "--max-new-tokens", "1", "--out", str(out), *SANDBOX]) == 0
    text = capsys.readouterr().out
    assert "first 3 tests" in text and "0/8 problems" in text
    lines = text.strip().splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["r2", "paper_r2"])
    assert [line.split()[0] for line in lines[header + 2:header + 6]] == ["none", "bon", "br", "bw"]
    table = {r["strategy"]: r for r in json.loads(out.read_text())}
    assert set(table) == {"none", "bon", "br", "bw"}
    assert table["bon"]["n_kept"] == 8 and table["bw"]["n_kept"] == 16 and table["none"]["n_kept"] == 80


@pytest.mark.parametrize("argv, message", [
    (["train", "sft", "--data", "{bad}", "--config", "{cfg}"], r"cfg.yaml: unknown SFTConfig field 'lrr'"),
    (["train", "sft", "--data", "{bad}"], r"bad.jsonl:2: field 'response' missing"),
    (["train", "ppo", "--data", "{sft_only}"], r"sft_only.jsonl:1: no tests"),
    (["train", "sft", "--data", "nosuchbench:train"], r"unknown benchmark 'nosuchbench'"),
    (["train", "sft", "--data", "{sft_only}", "--set", "lr"], r"--set 'lr': expected key=value"),
    (["train", "sft", "--data", "{sft_only}", "--set", "max_steps=many"], r"override 'max_steps': expected int"),
    (["train", "ppo", "--data", "{sft_only}", "--reward", "mix:0.3"], r"needs --reward-model"),
    (["diagnose", "r2", "--benchmark", "{sft_only}", "--reward", "visible-tests:0"], r"use visible-tests:K"),
])
def test_bad_config_or_data_is_one_line_error(word_model, tmp_path, capsys, argv, message):
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "a", "response": "b"}, {"prompt": "c"}])
    sft_only = write_jsonl(tmp_path / "sft_only.jsonl", [{"prompt": "a", "response": "b"}])
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("lrr: 1\n")
    argv = [a.format(bad=bad, sft_only=sft_only, cfg=cfg) for a in argv]
    argv += ["--model", word_model] + ([] if argv[0] == "diagnose" else ["--out", str(tmp_path / "o")]) + SANDBOX
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(message, err), err


def test_sft_under_accelerate_two_processes_matches_one_process(word_model, tmp_path):
    """DDP with 2 CPU processes x 1 micro-batch = 1 process x 2 accumulated micro-batches, step for step."""
    data = write_jsonl(tmp_path / "d.jsonl", [{"prompt": f"def {a} (", "response": f"{b} ) : return {c}"}
                                              for a, b, c in zip("xyzabcni", "yzabcnix", "12345678")])
    flags = ["--data", data, "--model", word_model, "--set", "lr=3e-3", "--set", "batch_size=2", "--set",
             "max_steps=3", "--set", "bf16=false", "--set", "log_every=1", *SANDBOX]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    # --multi_gpu is the DDP launcher; on a machine without GPUs the loop runs it on CPU with gloo.
    ddp = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                          "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                          "--main_process_port", str(free_port()),
                          "-m", "harness.cli", "train", "sft", "--out", str(tmp_path / "ddp"), *flags],
                         env=env, capture_output=True, text=True, timeout=300)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    assert main(["train", "sft", "--out", str(tmp_path / "one"), "--set", "grad_accum_steps=2", *flags]) == 0
    ddp_rows, one_rows = metrics(str(tmp_path / "ddp")), metrics(str(tmp_path / "one"))
    assert [r["step"] for r in ddp_rows] == [1, 2, 3]         # process 0 alone logs
    for a, b in zip(ddp_rows, one_rows):
        assert a["tokens"] == b["tokens"] and a["loss"] == pytest.approx(b["loss"], rel=1e-4)
    m_ddp = AutoModelForCausalLM.from_pretrained(str(tmp_path / "ddp" / "checkpoint-3"))
    m_one = AutoModelForCausalLM.from_pretrained(str(tmp_path / "one" / "checkpoint-3"))
    for p, q in zip(m_ddp.parameters(), m_one.parameters()):
        assert torch.allclose(p, q, atol=1e-5)
    assert ddp.stdout.count("sft: 3 steps") == 1               # one summary, from process 0


def test_cli_help_does_not_import_torch():
    code = ("import sys; from harness.cli.commands import build_parser; build_parser(); "
            "bad = [m for m in ('torch', 'transformers', 'trainers.sft') if m in sys.modules]; "
            "print(bad); sys.exit(bool(bad))")
    r = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": REPO}, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sft_rows_without_room_for_a_response_are_skipped_or_an_error(word_model, tmp_path, capsys):
    long = " ".join(["x"] * 40)
    data = write_jsonl(tmp_path / "d.jsonl", [{"prompt": long, "response": "y"}, {"prompt": "def x (", "response": "y"}])
    base = ["train", "sft", "--model", word_model, "--data", data, "--out", str(tmp_path / "o"), "--set",
            "max_seq_len=16", "--set", "max_steps=1", "--set", "bf16=false", *SANDBOX]
    assert main(base) == 0
    assert "1 of 2 examples have no response token within max_seq_len=16; skipped" in capsys.readouterr().err
    only_long = write_jsonl(tmp_path / "l.jsonl", [{"prompt": long, "response": "y"}])
    assert main(base[:5] + [only_long] + base[6:] + ["--out", str(tmp_path / "o2")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("codeharness: error: train sft: SFT needs")
