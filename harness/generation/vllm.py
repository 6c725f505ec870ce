"""vLLM in-process backend (optional: used only when the `vllm` package is installed)."""
from __future__ import annotations

from typing import Optional

from harness.errors import UserError
from harness.generation.base import Backend, GenerationConfig


class VLLMBackend(Backend):
    name = "vllm"
    prompts_per_call = 512   # continuous batching wants many prompts at once

    def __init__(self, model: str, chat: bool = False, tensor_parallel_size: int = 1,
                 dtype: str = "auto", gpu_memory_utilization: float = 0.9, max_model_len: Optional[int] = None):
        super().__init__(model, chat)
        try:
            from vllm import LLM
        except ImportError:
            raise UserError("the vllm backend needs the `vllm` package (pip install vllm), which is not "
                            "installed; use --backend hf, or serve the model and use --backend openai") from None
        self.llm = LLM(model=model, tensor_parallel_size=tensor_parallel_size, dtype=dtype,
                       gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len)

    def _generate(self, prompts: list[str], config: GenerationConfig) -> list[list[str]]:
        from vllm import SamplingParams

        # vLLM schedules its own batches (continuous batching); batch_size does not apply.
        params = SamplingParams(n=config.n, temperature=config.temperature, top_p=config.top_p,
                                max_tokens=config.max_new_tokens, stop=config.stop or None, seed=config.seed)
        if self.chat:
            outputs = self.llm.chat([[{"role": "user", "content": p}] for p in prompts], params, use_tqdm=False)
        else:
            outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [[c.text for c in o.outputs] for o in outputs]
