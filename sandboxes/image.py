"""The sandbox image: Debian bookworm (minbase) + Python 3 + packages.txt, built offline.

No registry is needed: `debootstrap --variant=minbase` makes the root filesystem and
`docker import` turns it into an image. The tag is a hash of the recipe, so the image
is rebuilt only when the recipe changes. `Dockerfile` beside this file makes the same
image for users with a registry.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sandboxes.engine import SandboxUnavailable, apt_install

HERE = Path(__file__).parent / "image"
REPOSITORY = "codeharness-sandbox"
SUITE = "bookworm"
LABEL = "codeharness.recipe"
RECIPE_VERSION = "1"
# Trimmed from the root filesystem: not needed to run Python, and it halves the image.
TRIM = ("usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info", "var/cache/apt/archives",
        "var/lib/apt/lists")


def packages() -> list[str]:
    return [line.strip() for line in (HERE / "packages.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def recipe_hash() -> str:
    text = "\n".join([RECIPE_VERSION, SUITE, "minbase", *packages(), *TRIM])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_tag() -> str:
    return f"{REPOSITORY}:{recipe_hash()}"


@dataclass
class ImageInfo:
    tag: str
    id: str
    size_mb: float
    created: str


def find(client, tag: Optional[str] = None) -> Optional[ImageInfo]:
    import docker

    tag = tag or default_tag()
    try:
        img = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    return ImageInfo(tag=tag, id=img.id, size_mb=round(img.attrs.get("Size", 0) / 1e6, 1),
                     created=img.attrs.get("Created", ""))


def build(client, force: bool = False, log=print) -> ImageInfo:
    """Build the image offline unless one with this recipe's tag exists."""
    tag = default_tag()
    if not force:
        found = find(client, tag)
        if found:
            return found
    if os.geteuid() != 0:
        raise SandboxUnavailable("building the sandbox image needs root (debootstrap); run `sudo codeharness "
                                 "sandbox build`, or build sandboxes/image/Dockerfile with a registry and pass --image")
    if not shutil.which("debootstrap"):
        log("installing debootstrap...")
        apt_install(["debootstrap"])
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="codeharness-rootfs-") as tmp:
        root = os.path.join(tmp, "rootfs")
        log(f"building {tag}: debootstrap {SUITE} + {', '.join(packages())} (about a minute)...")
        cmd = ["debootstrap", "--variant=minbase", "--include=" + ",".join(packages()), SUITE, root]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if proc.returncode != 0:
            tail = proc.stdout.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise SandboxUnavailable(f"debootstrap failed (exit {proc.returncode}): {tail[0]}")
        for rel in TRIM:
            shutil.rmtree(os.path.join(root, rel), ignore_errors=True)
        tarball = os.path.join(tmp, "rootfs.tar")
        subprocess.run(["tar", "-C", root, "-cf", tarball, "."], check=True)
        client.api.import_image_from_file(
            tarball, repository=REPOSITORY, tag=recipe_hash(),
            changes=["ENV LANG=C.UTF-8", "WORKDIR /tmp", f"LABEL {LABEL}={recipe_hash()}"])
    info = find(client, tag)
    if info is None:
        raise SandboxUnavailable(f"docker import did not produce {tag}")
    log(f"built {tag} ({info.size_mb} MB) in {time.monotonic() - t0:.0f}s")
    return info


def clean(client, keep_current: bool = False) -> list[str]:
    """Remove codeharness sandbox images (all, or all but the current recipe's)."""
    removed = []
    current = default_tag()
    for img in client.images.list(name=REPOSITORY):
        tags = img.tags or [img.id]
        if keep_current and current in tags:
            continue
        client.images.remove(img.id, force=True)
        removed.extend(tags)
    return removed
