"""Finding (and, where we may, starting) a Docker engine."""
from __future__ import annotations

import os
import shutil
import subprocess
import time


class SandboxUnavailable(Exception):
    """No sandbox can be had; the message says in one line what to do."""


def connect(timeout: float = 10.0):
    """A docker SDK client whose daemon answers, or SandboxUnavailable."""
    import docker

    try:
        client = docker.from_env(timeout=max(int(timeout), 60))
        client.ping()
        return client
    except Exception as e:  # docker.errors.DockerException and socket errors alike
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise SandboxUnavailable(
            f"no Docker engine answers at {where} ({type(e).__name__}); "
            "run `codeharness setup` (installs/starts one where it can) or start Docker yourself") from None


def _run(cmd: list[str], quiet: bool) -> None:
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(cmd, check=True, stdout=out, stderr=out, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def apt_install(packages: list[str], quiet: bool = True) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SandboxUnavailable(f"missing {' '.join(packages)}: install it (needs root and apt-get here)")
    try:
        _run(["apt-get", "update", "-qq"], quiet)
        _run(["apt-get", "install", "-y", "-qq", *packages], quiet)
    except subprocess.CalledProcessError as e:
        raise SandboxUnavailable(f"apt-get install {' '.join(packages)} failed (exit {e.returncode})") from None


def ensure_engine(install: bool = True, wait_s: float = 90.0, log=print):
    """Connect to Docker; if none answers, install docker.io and start dockerd where we are root."""
    try:
        return connect()
    except SandboxUnavailable:
        if not install:
            raise
    if os.geteuid() != 0:
        raise SandboxUnavailable("no Docker engine answers and we are not root: start Docker "
                                 "(e.g. `sudo systemctl start docker`) and add your user to the docker group")
    if not shutil.which("dockerd"):
        log("installing the Docker engine (apt-get install docker.io)...")
        apt_install(["docker.io"])
    log("starting dockerd in the background (log: /var/log/codeharness-dockerd.log)...")
    with open("/var/log/codeharness-dockerd.log", "ab") as logf:
        subprocess.Popen(["dockerd"], stdout=logf, stderr=logf, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            return connect()
        except SandboxUnavailable:
            time.sleep(0.5)
    raise SandboxUnavailable(f"dockerd did not answer within {wait_s:.0f}s; see /var/log/codeharness-dockerd.log")
