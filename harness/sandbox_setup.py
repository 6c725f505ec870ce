"""Set-up of what the sandboxes need: a Docker engine that answers, the sandbox image, gVisor registered
with dockerd. Shared by `codeharness setup`, `demo` and the test suite."""
from __future__ import annotations

import json
import time

from harness.errors import UserError


def setup(install: bool = True, force_image: bool = False, log=print) -> dict:
    """Make sure a Docker engine answers and the sandbox image exists; return what was found."""
    from sandboxes import docker_backend, engine, image

    t0 = time.monotonic()
    client = engine.ensure_engine(install=install, log=log)
    info = image.build(client, force=force_image, log=log)
    stale = docker_backend.remove_stale(client)
    version = client.version().get("Version", "?")
    log(f"ready: Docker {version}, image {info.tag} ({info.size_mb} MB)"
        + (f", removed {stale} stale containers" if stale else "") + f" [{time.monotonic() - t0:.1f}s]")
    return {"docker": version, "image": info.tag, "image_id": info.id, "seconds": round(time.monotonic() - t0, 1)}


DAEMON_JSON = "/etc/docker/daemon.json"


RUNSC_ENTRY = {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}


def setup_runsc(client, log=print, daemon_json: str = DAEMON_JSON) -> None:
    """Install gVisor (Debian package `runsc`) and register it with the running dockerd:
    add it to daemon.json's "runtimes", then SIGHUP dockerd, which reloads runtimes without
    a restart (a restart would kill every other user's containers)."""
    import os
    import shutil
    import signal
    import subprocess

    from sandboxes import engine

    if "runsc" in (client.info().get("Runtimes") or {}):
        log("gVisor runtime runsc already registered")
        return
    if not shutil.which("runsc"):
        log("installing gVisor (apt-get install runsc)...")
        engine.apt_install(["runsc"])
    try:
        with open(daemon_json) as f:
            config = json.load(f)
    except FileNotFoundError:
        config = {}
    except (OSError, ValueError) as e:
        raise UserError(f"{daemon_json}: cannot read it as JSON ({e}); add runsc to its \"runtimes\" by hand")
    config.setdefault("runtimes", {})["runsc"] = {**RUNSC_ENTRY, "path": shutil.which("runsc") or RUNSC_ENTRY["path"]}
    os.makedirs(os.path.dirname(daemon_json), exist_ok=True)
    tmp = daemon_json + ".codeharness-tmp"
    with open(tmp, "w") as f:
        json.dump(config, f, indent=2)
    os.replace(tmp, daemon_json)
    pids = subprocess.run(["pidof", "dockerd"], capture_output=True, text=True).stdout.split()
    if not pids:
        raise UserError(f"registered runsc in {daemon_json}, but found no local dockerd to reload: restart Docker")
    for pid in pids:
        os.kill(int(pid), signal.SIGHUP)
    for _ in range(50):
        if "runsc" in (client.info().get("Runtimes") or {}):
            log("registered gVisor runtime runsc (use --runtime runsc)")
            return
        time.sleep(0.2)
    raise UserError("dockerd did not pick up runsc after SIGHUP; restart Docker to load it")
