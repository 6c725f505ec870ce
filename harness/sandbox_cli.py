"""`codeharness setup`, `codeharness sandbox build|status|clean`: the engine and the image."""
from __future__ import annotations

import argparse
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


def add_setup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-install", action="store_true", help="do not install or start a Docker engine")
    p.add_argument("--rebuild", action="store_true", help="rebuild the sandbox image even if it exists")


def run_setup(args) -> int:
    setup(install=not args.no_install, force_image=args.rebuild)
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
