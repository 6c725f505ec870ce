"""`codeharness serve` from a real client on 127.0.0.1: contract errors, back-pressure, and a
bounded load with hostile samples (every request answered once, correctly; RSS bounded)."""
import json
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from harness.bench.rewards import ServerProcess  # noqa: E402
from harness.bench.rewards import request as http  # noqa: E402

TOKEN = "test-token"
LOOP = "def f(x):\n    while True:\n        pass\n"
EXIT0 = "import os\nos._exit(0)\n"
CRASH_AT_IMPORT = "import sys\nsys.exit(0)\n"


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--sandbox", "process", "--workers", "2", "--timeout", "0.5", "--memory", "256",
                       "--benchmark", "humaneval", "--max-body-mb", "0.25", "--max-request-samples", "64",
                       "--max-queue", "256", "--openrlhf-sandbox-error-reward", "-1", token=TOKEN) as s:
        yield s


def post(server, path, body, token=TOKEN, raw=None):
    return http(server.port, "POST", path, body, token=token, raw=raw)


def test_health_metrics_openapi(server):
    assert http(server.port, "GET", "/healthz")[0] == 200
    code, schema = http(server.port, "GET", "/openapi.json")
    assert code == 200 and {"/v1/rewards", "/v1/evaluate", "/v1/openrlhf"} <= set(schema["paths"])
    assert http(server.port, "GET", "/metrics")[0] == 401
    code, m = http(server.port, "GET", "/metrics?format=json", token=TOKEN)
    assert code == 200 and {"queue_depth", "in_flight_requests", "samples_per_s", "statuses"} <= set(m)
    code, text = http(server.port, "GET", "/metrics", token=TOKEN)
    assert "codeharness_queue_depth" in text["text"]


def test_auth_size_and_malformed_requests(server):
    body = {"completions": ["def f(x): return x"], "columns": {"tests": [["assert f(1) == 1"]]}}
    assert post(server, "/v1/rewards", body, token=None)[0] == 401
    assert post(server, "/v1/rewards", body, token="wrong")[0] == 401
    assert post(server, "/v1/rewards", body) == (200, {"rewards": [1.0], "statuses": ["passed"]})
    code, out = post(server, "/v1/rewards", None, raw=b'{"completions": ["' + b"x" * 300_000 + b'"]}')
    assert code == 413 and "limit" in out["detail"]
    code, out = post(server, "/v1/rewards", {"completions": ["x"] * 65, "columns": {"tests": [["assert 1"]] * 65}})
    assert code == 413 and "65 samples" in out["detail"]
    assert post(server, "/v1/rewards", None, raw=b"{not json")[0] == 422
    code, out = post(server, "/v1/rewards", {"completions": 5})
    assert code == 422 and out["detail"][0]["loc"] == ["body", "completions"]
    code, out = post(server, "/v1/rewards", {"completions": ["x"], "columns": {"task_id": ["HumanEval/999"]}})
    assert code == 400 and "unknown task_id" in out["detail"]
    code, out = post(server, "/v1/evaluate", {"benchmark": "nope", "samples": [{"task_id": "x", "completion": ""}]})
    assert code == 400 and "unknown benchmark" in out["detail"]


def test_evaluate_openrlhf_and_groups(server):
    from benchmarks_data.registry import get_benchmark

    p = get_benchmark("humaneval").load_problems()[0]
    samples = [{"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]},
               {"task_id": p.task_id, "completion": "    return None\n"}]
    code, out = post(server, "/v1/evaluate", {"benchmark": "humaneval", "samples": samples, "k": [1]})
    assert code == 200 and [r["status"] for r in out["results"]] == ["passed", "failed"]
    assert out["summary"]["pass_at_k"] == {"pass@1": 0.5}
    code, out = post(server, "/v1/openrlhf", {"query": ["Q: A: def f(): return 1"], "prompts": ["Q: A:"],
                                              "labels": [json.dumps(["assert f() == 1"])]})
    assert code == 200 and out["rewards"] == [1.0] and out["extra_logs"]["pass"] == [1.0]
    comps = ["def f(): return 1", "def f(): return 2", "def f(): return 1", "def f(:"]
    code, out = post(server, "/v1/rewards", {"completions": comps, "columns": {"tests": [["assert f() == 1"]] * 4},
                                             "group_size": 4, "mode": "shaped"})
    assert code == 200 and out["rewards"] == [1.0, -0.3, 1.0, -1.0]
    assert out["groups"][0]["pass_count"] == 2 and out["groups"][0]["all_tie"] is False


def test_queue_full_gives_429(tmp_path):
    with ServerProcess("--sandbox", "process", "--workers", "1", "--timeout", "1", "--max-request-samples", "4",
                       "--max-queue", "4") as s:
        slow = {"completions": [LOOP] * 4, "columns": {"tests": [["assert f(1) == 1"]] * 4}}
        with ThreadPoolExecutor(4) as pool:
            codes = sorted(c for c, _ in pool.map(lambda _: http(s.port, "POST", "/v1/rewards", slow), range(4)))
        assert codes.count(200) >= 1 and codes.count(429) >= 1, codes
        assert set(codes) <= {200, 429}


def _load(server, n_requests: int, concurrency: int = 32) -> None:
    """n_requests, each with 1-3 samples, a unique expected value per sample, hostile ones mixed in."""
    rng = random.Random(1234)

    def make(i):
        comps, tests, expected = [], [], []
        for j in range(rng.randint(1, 3)):
            value = i * 10 + j
            kind = rng.random()
            if kind < 0.04:
                comps.append(LOOP), expected.append(0.0)
            elif kind < 0.10:
                comps.append(rng.choice([EXIT0, CRASH_AT_IMPORT])), expected.append(0.0)
            elif kind < 0.40:
                comps.append(f"def f(x):\n    return x + {value + 1}\n"), expected.append(0.0)
            else:
                comps.append(f"def f(x):\n    return x + {value}\n"), expected.append(1.0)
            tests.append([f"assert f(1) == {value + 1}"])
        return {"completions": comps, "columns": {"tests": tests}}, expected

    jobs = [make(i) for i in range(n_requests)]

    def send(job):
        body, expected = job
        code, out = post(server, "/v1/rewards", body)
        return code, out.get("rewards"), expected

    before = http(server.port, "GET", "/metrics?format=json", token=TOKEN)[1]["samples_total"]
    with ThreadPoolExecutor(concurrency) as pool:
        answers = list(pool.map(send, jobs))
    assert len(answers) == n_requests
    bad = [(c, got, exp) for c, got, exp in answers if c != 200 or got != exp]
    assert not bad, bad[:5]
    after = http(server.port, "GET", "/metrics?format=json", token=TOKEN)[1]
    assert after["samples_total"] - before == sum(len(e) for _, e in jobs)  # none lost, none counted twice
    assert after["queue_depth"] == 0


def test_bounded_load_with_hostile_samples(server):
    _load(server, 100)  # warm-up: imports, first allocations
    rss_before = server.rss_kb()
    _load(server, 600)
    growth_mb = (server.rss_kb() - rss_before) / 1024
    assert growth_mb < 40, f"server RSS grew {growth_mb:.1f} MB over 600 requests"


@pytest.mark.slow
def test_bounded_load_2000_requests(server, request):
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("slow: run with -m slow")
    _load(server, 200)
    rss_before = server.rss_kb()
    _load(server, 2000)
    growth_mb = (server.rss_kb() - rss_before) / 1024
    assert growth_mb < 60, f"server RSS grew {growth_mb:.1f} MB over 2000 requests"


def problems_file(path, expected):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"task_id": "s", "prompt": "def f():\n", "entry_point": "f",
                                "io": [{"input": [], "output": expected}]}) + "\n")
    return str(path)


def evaluate_on(server, benchmark, completion="    return 0\n", token=TOKEN):
    return http(server.port, "POST", "/v1/evaluate",
                {"benchmark": benchmark, "samples": [{"task_id": "s", "completion": completion}]}, token=token)


def test_requests_cannot_name_server_paths_as_their_benchmark(server, tmp_path):
    """A client once read a problems file on the server's disk (its expected output came back in the
    result's detail), and told existing paths from missing ones by the error text."""
    secret = problems_file(tmp_path / "secret" / "problems.jsonl", "SECRET-42")
    answers = [evaluate_on(server, name) for name in
               (secret, str(tmp_path / "secret" / "missing.jsonl"), str(tmp_path / "secret"), "/etc/passwd",
                "nope", "../" * 8 + "etc/hostname", "a\x00b.jsonl")]
    answers.append(post(server, "/v1/rewards", {"completions": ["    return 0\n"], "benchmark": secret,
                                                "columns": {"task_id": ["s"]}}))
    assert {code for code, _ in answers} == {400}
    details = {out["detail"] for _, out in answers}
    assert len(details) == 1, details
    assert "unknown benchmark" in details.pop() and "SECRET-42" not in json.dumps(answers)


def test_problems_files_the_operator_allows_are_served(tmp_path):
    allowed = tmp_path / "allowed"
    good = problems_file(allowed / "mine.jsonl", "ok")
    secret = problems_file(tmp_path / "secret.jsonl", "SECRET-42")
    (allowed / "link.jsonl").symlink_to(secret)   # a symlink must not lead out of the allowed dir
    single = problems_file(tmp_path / "single.jsonl", 7)
    with ServerProcess("--sandbox", "process", "--workers", "1", "--timeout", "1",
                       "--allow-benchmark", str(allowed), "--allow-benchmark", single) as s:
        code, out = evaluate_on(s, good, "    return 'ok'\n", token=None)
        assert code == 200 and out["summary"]["pass_at_k"] == {"pass@1": 1.0}
        code, out = evaluate_on(s, single, "    return 7\n", token=None)
        assert code == 200 and [r["status"] for r in out["results"]] == ["passed"]
        code, out = http(s.port, "POST", "/v1/rewards", {"completions": ["def f():\n    return 'ok'\n"],
                                                         "benchmark": good, "columns": {"task_id": ["s"]}})
        assert code == 200 and out["rewards"] == [1.0]
        refused = [evaluate_on(s, name, token=None) for name in
                   (str(allowed / "link.jsonl"), secret, str(allowed / "missing.jsonl"),
                    str(allowed / ".." / "secret.jsonl"))]
        assert {c for c, _ in refused} == {400} and len({o["detail"] for _, o in refused}) == 1
        assert "SECRET-42" not in json.dumps(refused)


def test_serve_refuses_to_start_with_a_missing_allowed_path(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "harness.cli", "serve", "--sandbox", "process",
                           "--allow-benchmark", str(tmp_path / "nope")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"codeharness: error: --allow-benchmark {tmp_path / 'nope'}: no such file or directory"]
