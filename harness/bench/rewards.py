"""`codeharness bench-rewards`: reward latency and throughput, through the callable and through
the HTTP server, on the same workload and worker count.

Workload: 64 HumanEval prompts x 8 completions = 512 (per prompt: 4 canonical, 2 `return None`,
1 syntax error, 1 raising). Two shapes:
  batch:  the 512 as one call / one POST, repeated --repeats times: latency per batch, samples/s;
  groups: 64 calls / POSTs of one group (8), --concurrency at a time, as rollout workers send them:
          per-call latency p50/p99, samples/s.
Server overhead = server time / callable time - 1, per shape (the target is under 10%).
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

GROUP = ["{canonical}"] * 4 + ["    return None\n"] * 2 + ["    return (\n", "    raise ValueError('planted')\n"]


def workload(problems: int = 64) -> tuple[list[str], list[str], list[float]]:
    """(completions, task_ids, expected binary rewards), 8 per prompt, groups consecutive."""
    from benchmarks_data.registry import get_benchmark

    completions, task_ids, expected = [], [], []
    for p in get_benchmark("humaneval").load_problems()[:problems]:
        canonical = p.canonical_solution[len(p.prompt):]
        for c in GROUP:
            completions.append(canonical if c == "{canonical}" else c)
            task_ids.append(p.task_id)
            expected.append(1.0 if c == "{canonical}" else 0.0)
    return completions, task_ids, expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`codeharness serve` in a child process, for benchmarks and tests."""

    def __init__(self, *args: str, token: Optional[str] = None, env: Optional[dict] = None):
        self.port = free_port()
        self.token = token
        cmd = [sys.executable, "-m", "harness.cli", "serve", "--port", str(self.port), *args]
        if token:
            cmd += ["--token", token]
        self.log = open(os.devnull, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.PIPE, env=env, text=True)

    def wait_ready(self, timeout: float = 60.0) -> "ServerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read()[-2000:]}")
            try:
                code, _ = request(self.port, "GET", "/healthz")
                if code == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not become ready")

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def __enter__(self) -> "ServerProcess":
        return self.wait_ready()

    def __exit__(self, *exc) -> None:
        self.close()


_conns = {}


def request(port: int, method: str, path: str, body=None, token: Optional[str] = None, raw: Optional[bytes] = None,
            timeout: float = 120.0) -> tuple[int, dict]:
    """One HTTP request on this thread's keep-alive connection: (status, JSON body)."""
    import threading

    key = (threading.get_ident(), port)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    for attempt in (1, 2):
        conn = _conns.get(key)
        fresh = conn is None
        if fresh:
            conn = _conns[key] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            break
        except (http.client.HTTPException, OSError):
            conn.close()
            _conns.pop(key, None)
            if fresh:  # a kept-alive connection the server closed meanwhile is retried once, fresh
                raise
    if resp.getheader("connection", "").lower() == "close":
        conn.close()
        _conns.pop(key, None)
    try:
        return resp.status, json.loads(payload) if payload else {}
    except ValueError:
        return resp.status, {"text": payload.decode("utf-8", "replace")}


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def _timed_calls(call, items: list, concurrency: int) -> tuple[float, list[float]]:
    """(wall seconds, per-call latencies) of call(item) over items, `concurrency` at a time."""
    def timed(item):
        t0 = time.perf_counter()
        call(item)
        return time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(timed, items))
    return time.perf_counter() - t0, latencies


def bench(sandbox: str = "docker", workers: Optional[int] = None, repeats: int = 5, concurrency: int = 8,
          timeout: float = 3.0, problems: int = 64) -> list[dict]:
    """Rounds alternate callable / server so that a noisy neighbour hits both alike; each path has its
    own pool of `workers`. Overhead compares median round times."""
    from harness.rewards.code_reward import CodeReward
    from sandboxes import default_workers

    workers = workers or default_workers()
    completions, task_ids, expected = workload(problems)
    groups = [(completions[i:i + 8], task_ids[i:i + 8]) for i in range(0, len(completions), 8)]
    shapes = {"batch 512": (lambda call: _timed_calls(lambda _: call(completions, task_ids), [0], 1)),
              f"groups of 8 x{concurrency}": (lambda call: _timed_calls(lambda g: call(*g), groups, concurrency))}
    rounds = {(p, s): [] for p in ("callable", "server") for s in shapes}
    latencies = {k: [] for k in rounds}

    with CodeReward("humaneval", sandbox=sandbox, workers=workers, timeout_s=timeout) as reward, \
            ServerProcess("--sandbox", sandbox, "--workers", str(workers), "--timeout", str(timeout),
                          "--benchmark", "humaneval") as server:
        def via_server(c, t):
            code, body = request(server.port, "POST", "/v1/rewards", {"completions": c, "columns": {"task_id": t}})
            if code != 200:
                raise RuntimeError(f"server answered {code}: {str(body)[:300]}")
            return body["rewards"]

        paths = {"callable": lambda c, t: reward(None, c, task_id=t), "server": via_server}
        for name, call in paths.items():  # warm-up, and both paths must agree with the expected verdicts
            if call(completions, task_ids) != expected:
                raise RuntimeError(f"{name}: rewards differ from the expected verdicts")
        for _ in range(repeats):
            for shape, measure in shapes.items():
                for name, call in paths.items():
                    wall, lat = measure(call)
                    rounds[(name, shape)].append(wall)
                    latencies[(name, shape)] += lat
    rows = []
    for (name, shape), walls in rounds.items():
        med = percentile(walls, 50)
        lat = latencies[(name, shape)]
        rows.append({"path": name, "shape": shape, "samples": len(completions) * repeats,
                     "samples_per_s": round(len(completions) / med, 1),
                     "p50_ms": round(1000 * percentile(lat, 50), 1), "p99_ms": round(1000 * percentile(lat, 99), 1)})
    for r in rows:
        if r["path"] == "server":
            base = percentile(rounds[("callable", r["shape"])], 50)
            r["overhead"] = round(percentile(rounds[("server", r["shape"])], 50) / base - 1, 4)
    return rows
