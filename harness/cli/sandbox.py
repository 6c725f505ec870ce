"""`codeharness setup`, `codeharness sandbox build|status|clean`: the engine and the image."""
from __future__ import annotations

import argparse
import json
import shutil

from harness.errors import UserError
from harness.sandbox_setup import setup, setup_runsc


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
        containers = docker_backend.labelled(client)
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
