"""Session-scoped tiny checkpoints (built once per test run); conftest.py imports these fixtures."""
import pytest

from tiny_model import build_tiny_model


@pytest.fixture(scope="session")
def tiny_gpt2_path(tmp_path_factory) -> str:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-gpt2"), arch="gpt2")


@pytest.fixture(scope="session")
def tiny_llama_path(tmp_path_factory) -> str:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"), arch="llama")
