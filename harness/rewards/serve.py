"""`codeharness serve`: batch evaluation and rewards over HTTP (JSON in, JSON out).

    codeharness serve --host 127.0.0.1 --port 8000 [--token T] [--benchmark humaneval]

    POST /v1/rewards    {"completions": [...], "prompts": [...], "columns": {"task_id": [...]}, "group_size": 8}
                        -> {"rewards": [1.0, 0.0, null, ...], "statuses": [...], "groups": [...]}
    POST /v1/evaluate   {"benchmark": "humaneval", "samples": [{"task_id": ..., "completion": ...}]}
                        -> {"results": [...], "summary": {...}}   (harness.evaluate, as the CLI runs it)
    POST /v1/openrlhf[/BENCHMARK]   OpenRLHF's remote reward contract: {"query", "prompts", "labels"} ->
                        {"rewards", "scores", "extra_logs"}; never null: a sandbox failure gets the operator's
                        --openrlhf-sandbox-error-reward (or ?sandbox_error_reward=), counted in extra_logs
    GET  /healthz, GET /metrics (Prometheus text; ?format=json), GET /openapi.json

Every request shares one Executor (one warm pool): jobs of concurrent requests interleave on
it, so a slow sample holds one worker for at most its own limits and never the server. Requests
wait on futures, not threads. Admission is bounded by samples in the queue: past --max-queue the
answer is 429 with Retry-After, never an unbounded backlog. `null` reward = sandbox failure.
"""
# No `from __future__ import annotations`: FastAPI reads the endpoint annotations at runtime.
import asyncio
import logging
import os
import threading
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from typing import Any, Literal, Optional, Union

from harness.errors import UserError

log = logging.getLogger("codeharness.serve")


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    token: Optional[str] = None
    benchmark: Optional[str] = None      # default benchmark for task_id columns
    data_dir: Optional[str] = None
    split: Optional[str] = None
    mode: str = "binary"
    max_body_bytes: int = 16 << 20
    max_request_samples: int = 4096
    max_queue: int = 16384               # samples admitted and not yet judged
    # Problems files (or dirs of them) a request may name as `benchmark`, besides the registered names.
    allowed_benchmarks: tuple[str, ...] = ()
    # Reward /v1/openrlhf gives a sample whose sandbox failed (OpenRLHF crashes on null).
    openrlhf_sandbox_error_reward: Optional[float] = None


def unknown_benchmark() -> UserError:
    """One message for every name a request may not use: it must not tell which server paths exist."""
    from benchmarks_data.registry import BENCHMARKS

    return UserError(f"unknown benchmark; use a registered name ({', '.join(sorted(BENCHMARKS))}) "
                     "or a problems file the server allows (codeharness serve --allow-benchmark PATH)")


def allowed_roots(paths) -> tuple[str, ...]:
    """The operator's --allow-benchmark paths, checked at start-up and resolved (symlinks included)."""
    roots = []
    for path in paths:
        if not os.path.exists(path):
            raise UserError(f"--allow-benchmark {path}: no such file or directory")
        roots.append(os.path.realpath(path))
    return tuple(roots)


def _under(path: str, roots) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _models():
    """Request/response schemas (pydantic, imported with fastapi only when serving)."""
    from pydantic import BaseModel, ConfigDict, Field

    class ChatMessage(BaseModel):
        model_config = ConfigDict(extra="allow")
        role: str = "assistant"
        content: Union[str, list[Any]]

    class RewardRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        completions: list[Union[str, list[ChatMessage]]] = Field(
            description="model outputs: strings, or chat messages [{role, content}]")
        prompts: Optional[list[Any]] = Field(None, description="optional; same length as completions")
        columns: dict[str, list[Any]] = Field(default_factory=dict, description=(
            "per-completion dataset columns: task_id (with a benchmark), or inline tests: tests (asserts), "
            "test + entry_point, inputs/outputs"))
        benchmark: Optional[str] = Field(None, description=(
            "registered benchmark name, or a problems file the server allows; default: the server's"))
        mode: Optional[Literal["binary", "fraction", "shaped"]] = None
        group_size: Optional[int] = Field(None, ge=1, description="return per-group statistics for groups of N")
        details: bool = Field(False, description="include per-sample results")

    class RewardResponse(BaseModel):
        rewards: list[Optional[float]]
        statuses: list[str]
        groups: Optional[list[dict]] = None
        results: Optional[list[dict]] = None

    class SampleIn(BaseModel):
        task_id: Union[str, int]
        completion: Optional[str] = None
        solution: Optional[str] = None

    class EvaluateRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")
        benchmark: str = Field(description="registered benchmark name, or a problems file the server allows")
        samples: list[SampleIn]
        split: Optional[str] = None
        k: list[int] = Field(default_factory=lambda: [1])

    class EvaluateResponse(BaseModel):
        results: list[dict]
        summary: dict

    class OpenRLHFRequest(BaseModel):
        query: list[str]
        prompts: list[str]
        labels: list[Any]

    class OpenRLHFResponse(BaseModel):
        rewards: list[float]
        scores: list[float]
        extra_logs: dict[str, list[float]]

    return locals()


class ServerState:
    """The shared executor plus one CodeReward per (benchmark, mode), all on that executor."""

    def __init__(self, config: ServeConfig, executor, metrics):
        self.config, self.executor, self.metrics = config, executor, metrics
        self._rewards: dict = {}
        self._lock = threading.Lock()

    def benchmark_name(self, requested: Optional[str]) -> Optional[str]:
        """What a request may name: the server's own benchmark, a registered name, or a problems file
        under an --allow-benchmark path. Anything else, present on disk or not, is the same error."""
        from benchmarks_data.registry import BENCHMARKS

        if requested is None or requested == self.config.benchmark:
            return self.config.benchmark
        if requested in BENCHMARKS:
            return requested
        roots = self.config.allowed_benchmarks
        try:
            real = os.path.realpath(requested) if roots else ""   # resolved: a symlink must not lead out
            if roots and _under(real, roots) and os.path.isfile(real):
                return real
        except (ValueError, OSError):   # a null byte, a name too long
            pass
        raise unknown_benchmark()

    def reward(self, benchmark: Optional[str], mode: Optional[str]):
        from harness.rewards.code_reward import CodeReward

        key = (self.benchmark_name(benchmark), mode or self.config.mode)
        with self._lock:
            if key not in self._rewards:
                self._rewards[key] = CodeReward(key[0], mode=key[1], executor=self.executor,
                                                data_path=self.config.data_dir, split=self.config.split)
            return self._rewards[key]

    def admit(self, n: int) -> None:
        from fastapi import HTTPException

        if n > self.config.max_request_samples:
            raise HTTPException(413, f"{n} samples in one request; the limit is {self.config.max_request_samples}")
        if not self.metrics.admit(n, self.config.max_queue):
            raise HTTPException(429, f"queue full ({self.metrics.queued} samples waiting); retry later",
                                headers={"Retry-After": "1"})

    async def score(self, reward, prompts, completions, columns: dict):
        """prepare -> pool futures -> results: CodeReward.score without holding a thread while waiting."""
        n = len(completions)
        self.admit(n)
        try:
            batch, futures = reward.submit(prompts, completions, **columns)
        except BaseException:
            self.metrics.release(n)
            raise
        for f in futures:  # the queue gauge follows the jobs, even if the client goes away
            f.add_done_callback(lambda _f: self.metrics.release(1))
        self.metrics.release(n - len(futures))
        outcomes = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
        result = reward.finish(batch, outcomes)
        self.metrics.record(result.statuses)
        return result


def create_app(config: ServeConfig, executor):
    """The ASGI app (FastAPI behind the Guard). The executor is started on startup, closed on shutdown."""
    from fastapi import FastAPI, Query
    from fastapi.responses import JSONResponse, PlainTextResponse

    from benchmarks_data.base import DataError
    from sandboxes.engine import SandboxUnavailable

    from harness.rewards.server_guard import Guard, ServerMetrics

    m = _models()
    metrics = ServerMetrics()
    state = ServerState(config, executor, metrics)

    @asynccontextmanager
    async def lifespan(app):
        await asyncio.to_thread(executor.start)
        try:
            yield
        finally:
            await asyncio.to_thread(executor.close)

    app = FastAPI(title="codeharness", version="1", lifespan=lifespan,
                  description="Sandboxed evaluation and rewards for code LLMs")
    app.state.codeharness = state

    @app.exception_handler(UserError)
    @app.exception_handler(DataError)
    async def bad_input(request, exc):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(SandboxUnavailable)
    async def unavailable(request, exc):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.post("/v1/rewards", response_model=m["RewardResponse"], response_model_exclude_none=True)
    async def rewards(req: m["RewardRequest"]):
        from harness.rewards.code_reward import group_scores

        reward = state.reward(req.benchmark, req.mode)
        completions = [c if isinstance(c, str) else [x.model_dump() for x in c] for c in req.completions]
        if req.group_size and len(completions) % req.group_size:
            raise UserError(f"{len(completions)} completions do not split into groups of {req.group_size}")
        batch = await state.score(reward, req.prompts, completions, req.columns)
        out = {"rewards": batch.rewards, "statuses": batch.statuses}
        if req.group_size:
            out["groups"] = [asdict(g) for g in group_scores(batch, req.group_size)]
        if req.details:
            out["results"] = [asdict(r) for r in batch.results]
        return out

    async def openrlhf(req, benchmark: Optional[str], fill: Optional[float]):
        from harness.rewards.adapters import _columns, _response_of, fill_sandbox_errors, openrlhf_logs, \
            sandbox_error_fill

        try:
            if fill is None and config.openrlhf_sandbox_error_reward is None:
                raise UserError("no reward for a sandbox failure: start the server with "
                                "--openrlhf-sandbox-error-reward V or add ?sandbox_error_reward=V to the URL")
            fill = sandbox_error_fill(config.openrlhf_sandbox_error_reward if fill is None else fill,
                                      "sandbox_error_reward")
            if not (len(req.query) == len(req.prompts) == len(req.labels)):
                raise UserError("query, prompts and labels must have the same length")
            responses = [_response_of(q, p) for q, p in zip(req.query, req.prompts)]
            batch = await state.score(state.reward(benchmark, None), None, responses, _columns(req.labels))
        except (UserError, DataError) as e:
            # OpenRLHF retries a 4xx and then drops the sample silently: say why here.
            log.error("/v1/openrlhf: %s", e)
            raise
        rewards = fill_sandbox_errors(batch, fill)
        return {"rewards": rewards, "scores": rewards, "extra_logs": openrlhf_logs(batch)}

    @app.post("/v1/openrlhf", response_model=m["OpenRLHFResponse"])
    async def openrlhf_default(req: m["OpenRLHFRequest"], sandbox_error_reward: Optional[float] = None):
        return await openrlhf(req, None, sandbox_error_reward)

    @app.post("/v1/openrlhf/{benchmark:path}", response_model=m["OpenRLHFResponse"])
    async def openrlhf_named(req: m["OpenRLHFRequest"], benchmark: str, sandbox_error_reward: Optional[float] = None):
        return await openrlhf(req, benchmark, sandbox_error_reward)

    @app.post("/v1/evaluate", response_model=m["EvaluateResponse"])
    async def evaluate_samples(req: m["EvaluateRequest"]):
        from harness.core.evaluation import evaluate

        benchmark = state.benchmark_name(req.benchmark)
        n = len(req.samples)
        state.admit(n)
        try:
            result = await asyncio.to_thread(
                evaluate, benchmark, [s.model_dump(exclude_none=True) for s in req.samples],
                data_path=config.data_dir, split=req.split, k=req.k, executor=executor,
                exec_config=executor.config, allow_missing=True, quiet=True)
        finally:
            metrics.release(n)
        metrics.record([r.status for r in result.results])
        return {"results": [asdict(r) for r in result.results], "summary": result.summary}

    @app.get("/healthz")
    async def healthz():
        ok = executor.pool is not None
        body = {"status": "ok" if ok else "starting", "sandbox": executor.config.sandbox,
                "workers": getattr(executor.pool, "size", 0), "judge": executor.config.judge,
                "image_id": executor.image_id}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics")
    async def metrics_endpoint(format: str = Query("prometheus", pattern="^(prometheus|json)$")):
        if format == "json":
            return metrics.snapshot()
        return PlainTextResponse(metrics.prometheus(), media_type="text/plain; version=0.0.4")

    guarded = Guard(app, metrics, config.max_body_bytes, config.token, query_token_paths=("/v1/openrlhf",))
    guarded.fastapi = app
    return guarded
