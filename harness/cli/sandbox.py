"""`codeharness setup`, `codeharness sandbox build|status|clean`: the engine and the image."""
from __future__ import annotations

import argparse
import json
import shutil
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


def add_setup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--runsc", action="store_true",
                   help="also install gVisor (runsc) and register it with Docker, for --runtime runsc")
    p.add_argument("--bwrap", action="store_true",
                   help="also install bubblewrap, which gives `--sandbox process` namespaces")
    p.add_argument("--no-install", action="store_true", help="do not install or start a Docker engine")
    p.add_argument("--rebuild", action="store_true", help="rebuild the sandbox image even if it exists")


def run_setup(args) -> int:
    setup(install=not args.no_install, force_image=args.rebuild)
    from sandboxes import engine

    if args.runsc:
        setup_runsc(engine.connect())
    if args.bwrap and not shutil.which("bwrap"):
        print("installing bubblewrap (apt-get install bubblewrap)...")
        engine.apt_install(["bubblewrap"])
    return 0


def add_sandbox_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="sandbox_cmd", required=True)
    b = sub.add_parser("build", help="build the sandbox image offline (debootstrap + docker import)")
    b.add_argument("--force", action="store_true", help="rebuild even if the image for this recipe exists")
    sub.add_parser("status", help="engine, image and running sandbox containers")
    c = sub.add_parser("clean", help="remove codeharness containers and images")
    c.add_argument("--keep-image", action="store_true", help="keep the current recipe's image")


def run_sandbox(args) -> int:
    from sandboxes import docker_backend, engine, image

    client = engine.connect()
    if args.sandbox_cmd == "build":
        image.build(client, force=args.force)
        return 0
    if args.sandbox_cmd == "status":
        info = image.find(client)
        containers = client.containers.list(all=True, filters={"label": docker_backend.LABEL})
        status = {
            "docker": client.version().get("Version"),
            "runtimes": sorted((client.info().get("Runtimes") or {}).keys()),
            "image": info.__dict__ if info else None,
            "expected_tag": image.default_tag(),
            "containers": [{"id": c.short_id, "status": c.status, "pool": c.labels.get(docker_backend.LABEL),
                            "owner": c.labels.get(docker_backend.OWNER_LABEL)} for c in containers],
        }
        print(json.dumps(status, indent=2))
        return 0 if info else 1
    if args.sandbox_cmd == "clean":
        n = docker_backend.remove_all(client)
        removed = image.clean(client, keep_current=args.keep_image)
        print(f"removed {n} containers and {len(removed)} images")
        return 0
    raise UserError(f"unknown sandbox command {args.sandbox_cmd}")
