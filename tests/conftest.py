"""Shared fixtures. Each group lives in its own module so branches merge without conflicts."""
from fixtures_model import tiny_gpt2_path, tiny_llama_path  # noqa: F401
