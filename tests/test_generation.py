"""Generation end to end on CPU: a tiny checkpoint loaded by path, an OpenAI-compatible server on 127.0.0.1."""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks_data.base import Problem
from benchmarks_data.registry import get_benchmark
from harness.cli import generate as gen_cli
from harness.generation import generate as gen
from harness.errors import UserError
from harness.generation.base import Backend, GenerationConfig, make_backend
from harness.generation.sanitize import sanitize_completion


@pytest.fixture(scope="module")
def humaneval():
    bench = get_benchmark("humaneval")
    return bench, bench.load_problems()[:3]


@pytest.fixture(scope="module")
def hf_gpt2(tiny_gpt2_path):
    from harness.generation.hf import HFBackend
    return HFBackend(tiny_gpt2_path)


def read_samples(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


class Counting(Backend):
    """Wraps a backend and records what it was asked, to check that a resumed run asks only for the rest."""
    name = "counting"

    def __init__(self, inner):
        super().__init__(inner.model, inner.chat)
        self.inner, self.asked = inner, []

    def _generate(self, prompts, config):
        self.asked.append((len(prompts), config.n))
        return self.inner._generate(prompts, config)


# ---------------------------------------------------------------- hf backend

def test_hf_end_to_end_samples_file_is_well_formed_and_resumable(hf_gpt2, humaneval, tmp_path):
    bench, problems = humaneval
    out = tmp_path / "samples.jsonl"
    config = GenerationConfig(temperature=0.8, top_p=0.95, max_new_tokens=12, seed=0, batch_size=4)
    backend = Counting(hf_gpt2)
    rep = gen.generate(None, backend, problems, 2, config, str(out), benchmark=bench, progress=False)
    rows = read_samples(out)
    assert rep.written == 6 and rep.skipped == 0 and len(rows) == 6
    by_id = {p.task_id: p for p in problems}
    for row in rows:
        assert set(row) == {"task_id", "completion", "raw"}
        p = by_id[row["task_id"]]
        assert row["completion"] == sanitize_completion(p.prompt, row["raw"], p.entry_point, gen.DEFAULT_STOP)
        assert not any(s in row["completion"] for s in ("\ndef ", "\nprint("))

    # Interrupted mid-line: the partial line is dropped, the run goes on to n=3 asking only for what is missing.
    with open(out, "a", encoding="utf-8") as f:
        f.write('{"task_id": "HumanEval/0", "compl')
    backend.asked.clear()
    rep = gen.generate(None, backend, problems, 3, config, str(out), benchmark=bench, progress=False)
    rows = read_samples(out)
    assert rep.written == 3 and rep.skipped == 6 and len(rows) == 9
    assert backend.asked == [(3, 1)]
    assert all(sum(r["task_id"] == p.task_id for r in rows) == 3 for p in problems)

    # Complete: nothing asked, nothing written.
    backend.asked.clear()
    rep = gen.generate(None, backend, problems, 3, config, str(out), benchmark=bench, progress=False)
    assert rep.written == 0 and backend.asked == [] and len(read_samples(out)) == 9


def test_samples_file_with_a_bad_line_in_the_middle_is_an_error_naming_it(hf_gpt2, humaneval, tmp_path):
    bench, problems = humaneval
    out = tmp_path / "s.jsonl"
    out.write_text('{"task_id": "HumanEval/0", "completion": ""}\nnot json\n{"task_id": "HumanEval/1"}\n')
    with pytest.raises(UserError, match=r"s.jsonl:2:"):
        gen.generate(None, hf_gpt2, problems, 1, GenerationConfig(max_new_tokens=4), str(out), progress=False)
    out.write_text('{"task_id": "Other/7", "completion": ""}\n')
    with pytest.raises(UserError, match="Other/7"):
        gen.generate(None, hf_gpt2, problems, 1, GenerationConfig(max_new_tokens=4), str(out), progress=False)


def test_hf_greedy_is_deterministic_and_independent_of_batch_padding(hf_gpt2):
    config = GenerationConfig(n=2, max_new_tokens=16)
    alone = hf_gpt2.generate(["def f(x):\n"], config)[0]
    padded = hf_gpt2.generate(["import os\nimport sys\n\n\nclass Parser(object):\n    def parse(self, text):\n",
                               "def f(x):\n"], GenerationConfig(n=2, max_new_tokens=16, batch_size=2))[1]
    assert alone[0] == alone[1] == padded[0] == padded[1]


def test_hf_sampling_is_seeded(hf_gpt2):
    config = GenerationConfig(n=3, temperature=1.0, top_p=0.95, max_new_tokens=12, seed=123)
    a = hf_gpt2.generate(["x = "], config)
    b = hf_gpt2.generate(["x = "], config)
    assert a == b and len(set(a[0])) > 1


def test_hf_stops_at_a_stop_sequence(hf_gpt2):
    prompt = ["def parse(text):\n    "]
    full = hf_gpt2.generate(prompt, GenerationConfig(max_new_tokens=40))[0][0]
    assert len(full) > 12
    stop = full[len(full) // 2:len(full) // 2 + 3]
    cut = hf_gpt2.generate(prompt, GenerationConfig(max_new_tokens=40, stop=[stop]))[0][0]
    assert cut == full[:full.index(stop)]


def test_llama_chat_template_and_solution_records(tiny_llama_path, humaneval, tmp_path):
    bench, problems = humaneval
    out = tmp_path / "chat.jsonl"
    backend = make_backend("hf", tiny_llama_path, chat=True)
    assert backend._format("hi").endswith("<|assistant|>\n")
    rep = gen.generate(None, backend, problems[:2], 1, GenerationConfig(max_new_tokens=8), str(out), chat=True,
                       benchmark=bench, progress=False)
    rows = read_samples(out)
    assert rep.written == 2 and all(set(r) == {"task_id", "solution", "raw"} for r in rows)


def test_generate_cli_writes_samples(tiny_gpt2_path, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    gen_cli.add_arguments(parser)
    out = tmp_path / "cli.jsonl"
    args = parser.parse_args(["--model", tiny_gpt2_path, "--benchmark", "humaneval", "--limit", "2",
                              "--max-new-tokens", "8", "--out", str(out)])
    assert gen_cli.run(args) == 0
    assert [r["task_id"] for r in read_samples(out)] == ["HumanEval/0", "HumanEval/1"]
    assert "2 samples written" in capsys.readouterr().out


def test_bad_configuration_is_a_user_error():
    with pytest.raises(UserError):
        GenerationConfig(n=0)
    with pytest.raises(UserError):
        GenerationConfig(top_p=0)
    with pytest.raises(UserError, match="unknown backend"):
        make_backend("nope", "m")
    with pytest.raises(UserError, match="cannot load model"):
        make_backend("hf", "/nonexistent/checkpoint")


def test_vllm_backend_missing_package_is_a_clear_error():
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401
        pytest.skip("vllm is installed")
    except ImportError:
        pass
    with pytest.raises(UserError, match="needs the `vllm` package"):
        make_backend("vllm", "m")


# ---------------------------------------------------------------- openai-compatible backend

class FakeServer:
    """An OpenAI-compatible server: echoes a deterministic body, fails the first `fail_first` requests with
    500, returns at most `max_n` choices per request and ignores `stop` (so the client must cut)."""

    def __init__(self, fail_first=0, max_n=2, status=None):
        self.requests, self.fail_first, self.max_n, self.status = [], fail_first, max_n, status
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append((self.path, body, self.headers.get("Authorization")))
                if server.status or len(server.requests) <= server.fail_first:
                    self._send(server.status or 500, {"error": "overloaded"})
                    return
                n = min(body["n"], server.max_n)
                if self.path == "/v1/completions":
                    choices = [{"index": i, "text": "    return 1\n\nprint('hi')\n"} for i in range(n)]
                elif self.path == "/v1/chat/completions":
                    text = "Sure:\n```python\ndef f():\n    return 2\n\nprint(f())\n```\n"
                    choices = [{"index": i, "message": {"role": "assistant", "content": text}} for i in range(n)]
                else:
                    self._send(404, {"error": "no such route"})
                    return
                self._send(200, {"object": "text_completion", "choices": choices})

            def _send(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def openai_backend(url, chat=False, **kw):
    return make_backend("openai", "tiny-model", chat=chat, base_url=url, api_key="sk-test", backoff_s=0.01, **kw)


def test_openai_completions_retry_on_500_and_top_up_capped_n(humaneval, tmp_path):
    bench, problems = humaneval
    out = tmp_path / "oai.jsonl"
    with FakeServer(fail_first=1, max_n=2) as server:
        backend = openai_backend(server.url, concurrency=2)
        config = GenerationConfig(temperature=0.8, max_new_tokens=32, seed=7)
        rep = gen.generate(None, backend, problems[:1], 3, config, str(out), benchmark=bench, progress=False)
    rows = read_samples(out)
    assert rep.written == 3 and all(r["completion"] == "    return 1\n" for r in rows)
    assert rows[0]["raw"] == "    return 1\n"          # cut at the "\nprint(" stop by the client
    paths = [p for p, _, _ in server.requests]
    assert paths == ["/v1/completions"] * 3           # one 500, then n=3 capped at 2, then the last 1
    assert [b["n"] for _, b, _ in server.requests] == [3, 3, 1]
    _, body, auth = server.requests[-1]
    assert body["model"] == "tiny-model" and body["prompt"] == problems[0].prompt and body["seed"] == 7
    assert body["max_tokens"] == 32 and "\ndef " in body["stop"] and auth == "Bearer sk-test"


def test_openai_chat_endpoint_gives_full_solutions(tmp_path):
    problems = [Problem(task_id=f"T/{i}", prompt="def f():\n", entry_point="f", instruction="Write f.")
                for i in range(2)]
    out = tmp_path / "chat.jsonl"
    with FakeServer() as server:
        rep = gen.generate(None, openai_backend(server.url, chat=True), problems, 1, GenerationConfig(),
                           str(out), chat=True, progress=False)
    rows = read_samples(out)
    assert rep.written == 2
    assert all(r["solution"] == "def f():\n    return 2\n" for r in rows)
    assert all(p == "/v1/chat/completions" and b["messages"] == [{"role": "user", "content": "Write f."}]
               for p, b, _ in server.requests)
    # greedy: one choice asked for, copied n times
    assert all(b["n"] == 1 for _, b, _ in server.requests)


def test_openai_bad_request_fails_at_once_and_persistent_500_gives_up():
    with FakeServer(status=400) as server:
        with pytest.raises(UserError, match="answered 400"):
            openai_backend(server.url).generate(["x"], GenerationConfig())
        assert len(server.requests) == 1
    with FakeServer(status=503) as server:
        with pytest.raises(UserError, match="giving up after 3 attempts"):
            openai_backend(server.url, max_retries=2).generate(["x"], GenerationConfig())
        assert len(server.requests) == 3


# ---------------------------------------------------------------- throughput measurement

def test_bench_generation_counts_every_token(tiny_llama_path, tmp_path, capsys):
    from harness.bench import generation as bg
    from harness.cli import bench_generation as bg_cli

    results = bg.measure_throughput(tiny_llama_path, batch_sizes=(1, 3), prompt_tokens=8, new_tokens=5, repeats=1)
    assert [(r.batch_size, r.prompt_tokens, r.generated_tokens) for r in results] == [(1, 8, 5), (3, 8, 15)]
    assert all(r.tokens_per_s == pytest.approx(r.generated_tokens / r.seconds) and r.device == "cpu"
               for r in results)
    parser = argparse.ArgumentParser()
    bg_cli.add_arguments(parser)
    out = tmp_path / "t.json"
    assert bg_cli.run(parser.parse_args(["--model", tiny_llama_path, "--batch-sizes", "2", "--prompt-tokens", "4",
                                     "--new-tokens", "3", "--repeats", "1", "--json", str(out)])) == 0
    assert json.loads(out.read_text())[0]["generated_tokens"] == 6


def test_bench_model_is_about_100m_parameters():
    import torch
    from transformers import AutoModelForCausalLM

    from harness.bench.generation import BENCH_MODEL
    from harness.generation.random_model import model_config

    shape = {k: v for k, v in BENCH_MODEL.items() if k != "corpus_chars"}
    with torch.device("meta"):   # shapes only, no memory
        model = AutoModelForCausalLM.from_config(model_config(**shape))
    assert 90e6 < sum(p.numel() for p in model.parameters()) < 110e6
