import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # tests/runner_client.py


@pytest.fixture(scope="session")
def data_dir() -> str:
    """The benchmark data dir: $CODEHARNESS_DATA_DIR, else <repo>/../shared/benchmarks."""
    env = os.environ.get("CODEHARNESS_DATA_DIR")
    path = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks"
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (set CODEHARNESS_DATA_DIR)")
    return str(path)


@pytest.fixture(scope="session")
def run_jobs():
    """Jobs through the runner as local subprocesses (2 workers), as the sandbox pool would run them."""
    from runner_client import LocalPool
    pool = LocalPool(workers=2)
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
