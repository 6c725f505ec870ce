"""The Python a bubblewrap sandbox sees: this interpreter's stdlib and the packages the sandbox
image's recipe lists (image/packages.txt), nothing else of the host's site-packages.

It is a tree of hard links (copies across filesystems) built once under a cache dir, keyed by a
hash of what went in, so it can be bound read-only at the interpreter's own prefix (the binary
finds libpython and its stdlib by absolute path). The tree lives where the unprivileged uid
bwrap runs as can reach it: not under /root.
"""
from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import site
import sys
import sysconfig
import tempfile
import threading
from dataclasses import dataclass

from sandboxes.image import packages

TREE_FORMAT = "1"
# Where a system Python keeps third-party packages; each is masked in the sandbox.
HOST_SITE_GLOBS = ("/usr/lib/python*/site-packages", "/usr/lib/python*/dist-packages",
                   "/usr/local/lib/python*/site-packages", "/usr/local/lib/python*/dist-packages")
_lock = threading.Lock()
_built: dict = {}


@dataclass(frozen=True)
class SandboxPython:
    prefix: str              # the interpreter's prefix, where the sandbox sees it too
    executable: str          # the binary (its path inside the sandbox too)
    tree: str                # the cached tree: prefix/ (absent for a prefix under /usr) and site/
    site_dir: str            # where the sandbox's interpreter looks for packages: tree/site is bound here
    masked: tuple            # host package dirs replaced by an empty read-only dir

    def bwrap_args(self) -> list[str]:
        args = []
        if not under_usr(self.prefix):
            parent = os.path.dirname(self.prefix)
            ancestors = []
            while parent != "/":
                ancestors.insert(0, parent)
                parent = os.path.dirname(parent)
            for d in ancestors:   # traversable, not listable: /root must show nothing
                args += ["--perms", "0111", "--dir", d]
            args += ["--ro-bind", os.path.join(self.tree, "prefix"), self.prefix]
        if self.site_dir:
            args += ["--ro-bind", os.path.join(self.tree, "site"), self.site_dir]
        for d in self.masked:
            args += ["--tmpfs", d, "--remount-ro", d]
        return args


def under_usr(path: str) -> bool:
    return path == "/usr" or path.startswith("/usr/")


def cache_root() -> str:
    if os.geteuid() == 0:   # not under /root: an unprivileged bwrap must reach it
        return "/var/cache/codeharness/sandbox-python"
    base = os.environ.get("CODEHARNESS_CACHE_DIR") or os.path.expanduser("~/.cache/codeharness")
    return os.path.join(base, "sandbox-python")


def allowed_distributions() -> list:
    """The recipe's packages installed here (python3-numpy -> numpy), with what they require."""
    todo = [p[len("python3-"):] for p in packages() if p.startswith("python3-")]
    found: dict = {}
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found[name] = dist
        for req in dist.requires or []:
            if not re.search(r"\bextra\s*==", req):   # optional extras are not installed
                todo.append(re.match(r"[A-Za-z0-9._-]+", req).group(0))
    return [found[k] for k in sorted(found)]


def distribution_entries(dist) -> tuple[str, list[str]]:
    """(site dir, paths relative to it) of a distribution: its top-level directories whole (with
    their caches), single files as listed (a shared __pycache__ holds other packages' files too)."""
    site_dir = str(dist.locate_file(""))
    paths = set()
    for f in dist.files or []:
        parts = f.parts
        if not parts or parts[0] == "..":
            continue   # scripts installed outside site-packages
        paths.add(parts[0] if len(parts) > 1 and parts[0] != "__pycache__" else str(f))
    return site_dir, sorted(p for p in paths if os.path.lexists(os.path.join(site_dir, p)))


def link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def place(src: str, dst: str, ignore=None) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.isdir(src) and not os.path.islink(src):
        shutil.copytree(src, dst, symlinks=True, copy_function=link_or_copy, ignore=ignore)
    elif os.path.islink(src):
        os.symlink(os.readlink(src), dst)
    else:
        link_or_copy(src, dst)


def sandbox_python() -> SandboxPython:
    with _lock:
        if "python" not in _built:
            _built["python"] = _build()
        return _built["python"]


def _build() -> SandboxPython:
    prefix = os.path.realpath(sys.base_prefix)
    exe = os.path.realpath(sys.executable)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    host_sites = [os.path.realpath(p) for p in site.getsitepackages([prefix])]
    if under_usr(prefix):
        site_dir = next((p for p in host_sites if os.path.isdir(p)), "")
    else:
        site_dir = host_sites[0]
    dists = allowed_distributions()
    entries = [distribution_entries(d) for d in dists]
    key = hashlib.sha256(json.dumps([TREE_FORMAT, sys.version, exe, stdlib, site_dir,
                                     [(d.metadata["Name"], d.version) for d in dists], entries]).encode())
    tree = os.path.join(cache_root(), key.hexdigest()[:16])
    if not os.path.isdir(tree):
        os.makedirs(cache_root(), mode=0o755, exist_ok=True)
        if os.geteuid() == 0:   # whatever the umask
            for d in (os.path.dirname(cache_root()), cache_root()):
                os.chmod(d, 0o755)
        tmp = tempfile.mkdtemp(prefix=".building-", dir=cache_root())
        try:
            _fill(tmp, prefix, exe, stdlib, site_dir, entries)
            for d, _, _ in os.walk(tmp):   # whatever the umask: the sandbox's uid reads it (files are links: left alone)
                os.chmod(d, os.stat(d).st_mode | 0o555)
            os.rename(tmp, tree)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not os.path.isdir(tree):   # not just another process winning the race
                raise
    masked = {os.path.realpath(p) for pattern in HOST_SITE_GLOBS for p in glob.glob(pattern)}
    masked |= {p for p in host_sites if os.path.isdir(p) and under_usr(p)}
    masked.discard(site_dir)
    return SandboxPython(prefix, exe, tree, site_dir, tuple(sorted(masked)))


def _fill(tmp: str, prefix: str, exe: str, stdlib: str, site_dir: str, entries) -> None:
    os.makedirs(os.path.join(tmp, "site"))
    for src_dir, paths in entries:
        for p in paths:
            place(os.path.join(src_dir, p), os.path.join(tmp, "site", p))
    if under_usr(prefix):
        return   # /usr is bound whole; only its package dirs are masked
    root = os.path.join(tmp, "prefix")

    def inside(path: str) -> str:
        rel = os.path.relpath(path, prefix)
        if rel.startswith(".."):
            raise OSError(f"{path} is outside the interpreter's prefix {prefix}")
        return os.path.join(root, rel)

    place(exe, inside(exe))
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        lib = os.path.join(os.path.realpath(sysconfig.get_config_var("LIBDIR")), sysconfig.get_config_var("INSTSONAME"))
        place(os.path.realpath(lib), inside(lib))
    skip = os.path.relpath(site_dir, stdlib).split(os.sep)[0] if site_dir.startswith(stdlib + os.sep) else None
    place(stdlib, inside(stdlib), ignore=lambda d, names: [skip] if skip in names and d == stdlib else [])
    os.makedirs(inside(site_dir), exist_ok=True)   # the mount point for site/
