"""What keeps `codeharness serve` honest under load: counters for /metrics, and the ASGI guard
in front of the app (bearer token -> 401, body size -> 413, request accounting).

The token is an `Authorization: Bearer` header, or on paths whose clients cannot send headers
(OpenRLHF's remote reward client) a `?token=` query parameter.

The guard reads the whole body itself, up to the limit, before the app sees the request: an
oversized or never-ending upload is refused without the app buffering it.
"""
from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs
import threading
import time
from collections import Counter, deque
from typing import Optional

OPEN_PATHS = ("/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


class ServerMetrics:
    """Thread-safe counters; `queued` is samples admitted and not yet judged (the back-pressure gauge)."""

    WINDOW_S = 60.0

    def __init__(self):
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter = Counter()          # (path, status code) -> count
        self.in_flight = 0
        self.queued = 0
        self.samples_total = 0
        self.statuses: Counter = Counter()
        self.rejected_full = 0
        self._recent: deque = deque()               # (time, samples) of finished batches

    def admit(self, n: int, capacity: int) -> bool:
        with self._lock:
            if self.queued and self.queued + n > capacity:  # an idle server takes any one request it accepted
                self.rejected_full += 1
                return False
            self.queued += n
            return True

    def release(self, n: int = 1) -> None:
        with self._lock:
            self.queued -= n

    def record(self, statuses: list[str]) -> None:
        now = time.monotonic()
        with self._lock:
            self.samples_total += len(statuses)
            self.statuses.update(statuses)
            self._recent.append((now, len(statuses)))
            self._trim(now)

    def _trim(self, now: float) -> None:
        while self._recent and now - self._recent[0][0] > self.WINDOW_S:
            self._recent.popleft()

    def request_started(self) -> None:
        with self._lock:
            self.in_flight += 1

    def request_finished(self, path: str, code: int) -> None:
        with self._lock:
            self.in_flight -= 1
            self.requests[(path, code)] += 1

    def snapshot(self) -> dict:
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            recent = sum(n for _, n in self._recent)
            span = min(self.WINDOW_S, max(1e-9, time.time() - self.started))
            return {
                "uptime_s": round(time.time() - self.started, 3),
                "requests": [{"path": p, "code": c, "count": n} for (p, c), n in sorted(self.requests.items())],
                "in_flight_requests": self.in_flight,
                "queue_depth": self.queued,
                "rejected_queue_full": self.rejected_full,
                "samples_total": self.samples_total,
                "samples_per_s": round(recent / span, 3),
                "statuses": dict(self.statuses),
            }

    def prometheus(self) -> str:
        s = self.snapshot()
        lines = ["# TYPE codeharness_requests_total counter"]
        lines += [f'codeharness_requests_total{{path="{r["path"]}",code="{r["code"]}"}} {r["count"]}'
                  for r in s["requests"]]
        for name, kind, value in (("in_flight_requests", "gauge", s["in_flight_requests"]),
                                  ("queue_depth", "gauge", s["queue_depth"]),
                                  ("rejected_queue_full_total", "counter", s["rejected_queue_full"]),
                                  ("samples_total", "counter", s["samples_total"]),
                                  ("samples_per_second", "gauge", s["samples_per_s"]),
                                  ("uptime_seconds", "gauge", s["uptime_s"])):
            lines += [f"# TYPE codeharness_{name} {kind}", f"codeharness_{name} {value}"]
        lines.append("# TYPE codeharness_sample_status_total counter")
        lines += [f'codeharness_sample_status_total{{status="{k}"}} {v}' for k, v in sorted(s["statuses"].items())]
        return "\n".join(lines) + "\n"


async def _send_json(send, code: int, body: dict, headers: Optional[list] = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
                + (headers or [])})
    await send({"type": "http.response.body", "body": data})


class Guard:
    """ASGI middleware: auth, body limit, in-flight and per-path response counts."""

    def __init__(self, app, metrics: ServerMetrics, max_body_bytes: int, token: Optional[str] = None,
                 query_token_paths: tuple[str, ...] = ()):
        self.app, self.metrics, self.max_body, self.token = app, metrics, max_body_bytes, token
        self.query_token_paths = query_token_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        code_seen = [500]

        async def send_counted(message):
            if message["type"] == "http.response.start":
                code_seen[0] = message["status"]
            await send(message)

        self.metrics.request_started()
        try:
            await self._handle(scope, receive, send_counted, path)
        finally:
            label = path if path.startswith(("/v1/", "/healthz", "/metrics")) else "other"
            self.metrics.request_finished(label, code_seen[0])

    async def _handle(self, scope, receive, send, path):
        headers = dict(scope.get("headers") or [])
        if self.token and path not in OPEN_PATHS:
            auth = headers.get(b"authorization", b"").decode("latin-1")
            given = auth[7:] if auth[:7].lower() == "bearer " else ""
            if not given and any(path == p or path.startswith(p + "/") for p in self.query_token_paths):
                given = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [""])[0]
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return await _send_json(send, 401, {"detail": "missing or wrong bearer token"},
                                        [(b"www-authenticate", b"Bearer")])
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            return await _send_json(send, 400, {"detail": "bad Content-Length header"})
        if declared > self.max_body:
            return await _send_json(send, 413, {"detail": f"request body of {declared} bytes is over the "
                                                          f"{self.max_body}-byte limit"})
        if path.startswith("/v1/") and b"json" not in headers.get(b"content-type", b""):
            # The API only speaks JSON: `curl -d` (form content type) should not get a confusing 422.
            scope = dict(scope, headers=[(k, v) for k, v in scope.get("headers", []) if k != b"content-type"]
                         + [(b"content-type", b"application/json")])
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                return await _send_json(send, 413, {"detail": f"request body is over the {self.max_body}-byte limit"})
            chunks.append(body)
            if not message.get("more_body"):
                break
        replay = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = [False]

        async def replay_receive():
            if not sent[0]:
                sent[0] = True
                return replay
            return await receive()

        await self.app(scope, replay_receive, send)
