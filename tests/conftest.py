"""Shared fixtures. Docker-backed fixtures fail (not skip) under CI=true: CI must prove isolation."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest_docker import docker_engine_or_skip, hardening_client, hostile_pool  # noqa: F401
from fixtures_model import tiny_gpt2_path, tiny_llama_path  # noqa: F401  (session fixtures)

REPO = Path(__file__).resolve().parents[1]


def shared_benchmarks() -> Path:
    env = os.environ.get("CODEHARNESS_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = shared_benchmarks()
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (set CODEHARNESS_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def docker_client():
    return docker_engine_or_skip()


@pytest.fixture(scope="session")
def docker_executor(docker_client):
    from harness.executor import ExecConfig, Executor

    ex = Executor(ExecConfig(sandbox="docker", workers=2, timeout_s=3, memory_mb=512))
    ex.start()
    yield ex
    ex.close()


@pytest.fixture(scope="session")
def humaneval_problems():
    from benchmarks_data.registry import get_benchmark

    return get_benchmark("humaneval").load_problems()
