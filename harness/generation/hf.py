"""Hugging Face transformers backend: batched generation on one device (bf16 on CUDA, float32 on CPU).

Prompts are left-padded so every row's new tokens start at the same column, and sorted by length so a batch
wastes little compute on padding. Stop sequences end a row early (its later tokens are padding); a batch ends
when all its rows have stopped or hit `max_new_tokens`.
"""
from __future__ import annotations

from typing import Any, Optional

from harness.errors import UserError
from harness.generation.base import Backend, GenerationConfig


def _stop_criteria(tokenizer, stops: list[str], prompt_len: int):
    """A transformers StoppingCriteria that flags each row whose generated text contains a stop sequence.
    Only the newest tokens are decoded: a stop string of L characters spans at most L tokens."""
    import torch
    from transformers import StoppingCriteria

    lookback = max(len(s) for s in stops) + 2

    class StopOnStrings(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            tail = input_ids[:, prompt_len:][:, -lookback:]
            texts = tokenizer.batch_decode(tail, skip_special_tokens=True)
            return torch.tensor([any(s in t for s in stops) for t in texts], device=input_ids.device)

    return StopOnStrings()


class HFBackend(Backend):
    name = "hf"

    def __init__(self, model: str, chat: bool = False, device: Optional[str] = None, dtype: Optional[str] = None,
                 trust_remote_code: bool = False):
        super().__init__(model, chat)
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as e:
            raise UserError("the hf backend needs torch and transformers (pip install 'codeharness[train]')") from e
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            dtype = "bfloat16" if self.device.startswith("cuda") and torch.cuda.is_bf16_supported() else "float32"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, padding_side="left",
                                                           trust_remote_code=trust_remote_code)
            self.lm = AutoModelForCausalLM.from_pretrained(model, dtype=getattr(torch, dtype),
                                                           trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as e:
            raise UserError(f"cannot load model {model!r}: {str(e).splitlines()[0]}") from None
        self.lm.to(self.device).eval()
        if self.tokenizer.pad_token is None:
            # Padding is masked out, so any existing token will do; eos is what most causal LMs use.
            self.tokenizer.pad_token = self.tokenizer.eos_token or self.tokenizer.unk_token
        if chat and not getattr(self.tokenizer, "chat_template", None):
            raise UserError(f"model {model!r} has no chat template; drop --chat to prompt it as a base model")

    @classmethod
    def from_model(cls, lm, tokenizer, chat: bool = False) -> "HFBackend":
        """A backend over a model already in memory (a trainer's policy, evaluated between steps).
        The model is used as it is: its device and dtype; the caller puts it in eval mode."""
        backend = cls.__new__(cls)
        Backend.__init__(backend, getattr(lm.config, "_name_or_path", "") or "<in memory>", chat)
        backend.lm, backend.tokenizer = lm, tokenizer
        backend.device = str(next(lm.parameters()).device)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
        return backend

    def _format(self, prompt: str) -> str:
        if not self.chat:
            return prompt
        return self.tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                                  add_generation_prompt=True)

    def _generate(self, prompts: list[str], config: GenerationConfig) -> list[list[str]]:
        import torch

        if config.seed is not None:
            torch.manual_seed(config.seed)
        texts = [self._format(p) for p in prompts]
        # Greedy decoding gives the same text n times: compute it once and copy.
        copies = 1 if config.greedy else config.n
        rows = [i for i in range(len(texts)) for _ in range(copies)]
        lengths = [len(ids) for ids in self.tokenizer(texts, add_special_tokens=not self.chat)["input_ids"]]
        rows.sort(key=lambda i: -lengths[i])
        results: list[list[str]] = [[] for _ in prompts]
        for start in range(0, len(rows), config.batch_size):
            chunk = rows[start:start + config.batch_size]
            for i, text in zip(chunk, self._generate_batch([texts[i] for i in chunk], config)):
                results[i].append(text)
        return [r * config.n if copies == 1 else r for r in results]

    def generate_kwargs(self, config: GenerationConfig, prompt_len: int) -> dict[str, Any]:
        """Arguments for `model.generate` (shared with bench_generation, so it measures this exact path)."""
        from transformers import StoppingCriteriaList

        kwargs: dict[str, Any] = dict(max_new_tokens=config.max_new_tokens, pad_token_id=self.tokenizer.pad_token_id)
        if config.greedy:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            kwargs.update(do_sample=True, temperature=config.temperature, top_p=config.top_p, top_k=None)
        if config.stop:
            kwargs["stopping_criteria"] = StoppingCriteriaList([_stop_criteria(self.tokenizer, config.stop,
                                                                               prompt_len)])
        return kwargs

    def _generate_batch(self, texts: list[str], config: GenerationConfig) -> list[str]:
        import torch

        # Left padding per call: a tokenizer shared with a trainer keeps its own padding side.
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, padding_side="left",
                             add_special_tokens=not self.chat)
        enc = {k: v.to(self.device) for k, v in enc.items()}
        prompt_len = enc["input_ids"].shape[1]
        kwargs = self.generate_kwargs(config, prompt_len)
        with torch.inference_mode():
            out = self.lm.generate(**enc, **kwargs)
        return self.tokenizer.batch_decode(out[:, prompt_len:], skip_special_tokens=True)

    def close(self) -> None:
        import torch

        self.lm = None   # drop the weights; the backend is unusable afterwards
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
