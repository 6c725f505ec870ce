"""Any OpenAI-compatible server (vLLM, TGI, SGLang, llama.cpp, OpenAI): /v1/completions or /v1/chat/completions.

Requests run `concurrency` at a time; connection errors, timeouts, 408/409/429 and 5xx answers are retried
with exponential backoff and jitter, other 4xx answers fail at once (retrying a bad request cannot help).
A server may return fewer choices than `n` (some cap it); the rest is asked for again.
"""
from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from harness.errors import UserError
from harness.generation.base import Backend, GenerationConfig

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


class OpenAICompatBackend(Backend):
    name = "openai"

    def __init__(self, model: str, chat: bool = False, base_url: Optional[str] = None,
                 api_key: Optional[str] = None, concurrency: int = 8, max_retries: int = 5,
                 backoff_s: float = 1.0, timeout_s: float = 600.0):
        super().__init__(model, chat)
        import requests  # light, but only this backend needs it

        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "http://127.0.0.1:8000/v1").rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "")
        self.concurrency, self.max_retries = concurrency, max_retries
        self.backoff_s, self.timeout_s = backoff_s, timeout_s
        self._local = threading.local()   # one requests.Session per worker thread
        self._requests = requests

    def _session(self):
        if not hasattr(self._local, "session"):
            self._local.session = self._requests.Session()
            if self.api_key:
                self._local.session.headers["Authorization"] = f"Bearer {self.api_key}"
        return self._local.session

    def _payload(self, prompt: str, n: int, config: GenerationConfig) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "n": n, "max_tokens": config.max_new_tokens,
                                "temperature": config.temperature, "top_p": config.top_p}
        if config.stop:
            # The OpenAI API accepts at most 4; the rest are applied client-side (Backend.generate cuts at all).
            body["stop"] = config.stop[:4]
        if config.seed is not None:
            body["seed"] = config.seed
        if self.chat:
            body["messages"] = [{"role": "user", "content": prompt}]
        else:
            body["prompt"] = prompt
        return body

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/{'chat/completions' if self.chat else 'completions'}"
        for attempt in range(self.max_retries + 1):
            try:
                resp = self._session().post(url, json=body, timeout=self.timeout_s)
            except (self._requests.ConnectionError, self._requests.Timeout) as e:
                error = f"cannot reach {url}: {type(e).__name__}"
            else:
                if resp.status_code == 200:
                    try:
                        return resp.json()
                    except ValueError:
                        error = f"{url} answered 200 with a body that is not JSON"
                elif resp.status_code in RETRY_STATUS:
                    error = f"{url} answered {resp.status_code}: {resp.text[:200]}"
                else:
                    raise UserError(f"{url} answered {resp.status_code}: {resp.text[:300]}")
            if attempt < self.max_retries:
                # Full jitter (AWS architecture blog, "Exponential Backoff and Jitter") spreads retries apart.
                time.sleep(random.uniform(0, self.backoff_s * 2 ** attempt))
        raise UserError(f"giving up after {self.max_retries + 1} attempts; last error: {error}")

    def _texts(self, answer: dict[str, Any]) -> list[str]:
        try:
            choices = sorted(answer["choices"], key=lambda c: c.get("index", 0))
            if self.chat:
                return [c["message"]["content"] or "" for c in choices]
            return [c["text"] for c in choices]
        except (KeyError, TypeError) as e:
            raise UserError(f"server answer has no {e} field where the OpenAI API puts one") from None

    def _samples(self, prompt: str, config: GenerationConfig) -> list[str]:
        # Greedy samples are all alike: ask for one and copy it.
        want = 1 if config.greedy else config.n
        out: list[str] = []
        while len(out) < want:
            texts = self._texts(self._post(self._payload(prompt, want - len(out), config)))
            if not texts:
                raise UserError(f"{self.base_url} returned no choices")
            out.extend(texts)
        out = out[:want]
        return out * config.n if config.greedy else out

    def _generate(self, prompts: list[str], config: GenerationConfig) -> list[list[str]]:
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            return list(pool.map(lambda p: self._samples(p, config), prompts))
