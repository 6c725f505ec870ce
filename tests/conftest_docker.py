"""Docker fixtures for the hardening suites (hostile corpus, isolation, stability).

Small limits keep attacks quick: 2 s CPU, 256 MB. Import these from tests/conftest.py.
"""
from __future__ import annotations

import os

import pytest

HOSTILE_TIMEOUT_S = 2.0
HOSTILE_MEMORY_MB = 256


def docker_engine_or_skip():
    """A client with the sandbox image, or a skip naming why (a failure under CI=true)."""
    from sandboxes import engine, image

    try:
        client = engine.connect()
    except engine.SandboxUnavailable as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Docker engine: {e}")
    if image.find(client) is None:
        if os.environ.get("CI"):
            raise RuntimeError("sandbox image missing in CI: `codeharness setup` should have built it")
        pytest.skip("sandbox image not built (run `codeharness sandbox build`)")
    return client


def runsc_or_skip(client) -> None:
    runtimes = (client.info().get("Runtimes") or {})
    if "runsc" not in runtimes:
        pytest.skip("gVisor runtime `runsc` not registered with the Docker engine "
                    "(run `codeharness setup --runsc`)")


def hostile_limits():
    from sandboxes import Limits

    return Limits(cpu_time_s=HOSTILE_TIMEOUT_S, memory_mb=HOSTILE_MEMORY_MB)


@pytest.fixture(scope="session")
def hardening_client():
    return docker_engine_or_skip()


@pytest.fixture(scope="session")
def hostile_pool(hardening_client):
    """Two warm runc containers shared by the hardening tests."""
    from sandboxes import make_pool

    pool = make_pool("docker", workers=2, limits=hostile_limits(), client=hardening_client)
    pool.start()
    yield pool
    pool.close()
