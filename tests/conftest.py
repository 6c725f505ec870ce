"""Shared fixtures. Docker-backed fixtures fail (not skip) under CI=true: CI must prove isolation."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest_docker import hardening_client, hostile_pool  # noqa: F401
from fixtures_model import tiny_gpt2_path, tiny_llama_path  # noqa: F401  (session fixtures)

REPO = Path(__file__).resolve().parents[1]


def shared_benchmarks() -> Path:
    env = os.environ.get("CODEHARNESS_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "benchmarks"


# Code under test that loads a benchmark by name (an RL adapter, a subprocess) finds the data too.
if shared_benchmarks().is_dir():
    os.environ.setdefault("CODEHARNESS_DATA_DIR", str(shared_benchmarks()))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = shared_benchmarks()
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (set CODEHARNESS_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def docker_client(hardening_client):
    return hardening_client  # one engine check per session, shared with the hardening suites


@pytest.fixture(scope="session")
def docker_executor(docker_client):
    from harness.core.executor import ExecConfig, Executor

    ex = Executor(ExecConfig(sandbox="docker", workers=2, timeout_s=3, memory_mb=512))
    ex.start()
    yield ex
    ex.close()


@pytest.fixture(scope="session")
def humaneval_problems():
    from benchmarks_data.registry import get_benchmark

    return get_benchmark("humaneval").load_problems()


@pytest.fixture(scope="session")
def run_jobs():
    """`run_jobs(jobs) -> outcomes` through the process-backend pool: the real runner, no container;
    for checking benchmark data against trusted reference solutions."""
    from local_run_jobs import LocalRunJobs

    pool = LocalRunJobs(workers=2)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """A private cache dir (expected outputs of EvalPlus references) shared by this test session."""
    path = tmp_path_factory.mktemp("codeharness-cache")
    old = os.environ.get("CODEHARNESS_CACHE_DIR")
    os.environ["CODEHARNESS_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CODEHARNESS_CACHE_DIR", None)
    else:
        os.environ["CODEHARNESS_CACHE_DIR"] = old


def pytest_collection_modifyitems(config, items):
    """Slow tests (full reference runs) run only when asked for with `-m slow`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
