"""Generation backends (hf, openai-compatible servers, vllm) behind one small interface."""
from harness.generation.base import Backend, GenerationConfig, make_backend

__all__ = ["Backend", "GenerationConfig", "make_backend"]
