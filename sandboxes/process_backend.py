"""The process backend: the runner as a local subprocess, for machines without Docker.

With bubblewrap (`bwrap`) on PATH the runner starts in fresh namespaces: no network (only
loopback), its own pid namespace where it is PID 1 (so it runs `--contained`: jobs cannot
signal it, and everything a job leaves is killed after it), a private /tmp, the system's
/usr read-only with its Python package dirs masked, this interpreter with only its stdlib and
the sandbox image's packages (sandbox_python.py), nothing else of the host's files, a cleared
environment; it exits when its parent closes its stdin, and the namespace's processes with it.
Started by root, bwrap runs as an unprivileged uid of its own per worker: RLIMIT_NPROC, which
exempts root, then bounds a job's processes. What bubblewrap cannot give (see LIMITATIONS):
no cgroup, so no memory/pids limit across a job's processes (only per-process rlimits),
the host kernel, and (started by another user) the caller's uid, mapped in a user namespace.
Without bwrap there is NO isolation: development only."""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile

from sandboxes.pool import Worker, WorkerDied
from sandboxes.runner import BOOTSTRAP
from sandboxes.runner.procs import count_own_processes
from sandboxes.sandbox_python import sandbox_python

LIMITATIONS = ("no cgroup memory/pids limits (per-process rlimits only), host kernel shared, /usr readable")
# Host uids for the sandboxes root starts, one per worker (RLIMIT_NPROC counts a uid's processes):
# far above the ranges accounts, container uids (docker_backend.uid_for) and subuids use.
SANDBOX_UID_BASE = 1_000_000_000
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def bwrap_path() -> str:
    """bubblewrap, unless CODEHARNESS_NO_BWRAP=1 or it is missing (or cannot make namespaces here)."""
    if os.environ.get("CODEHARNESS_NO_BWRAP") == "1":
        return ""
    return shutil.which("bwrap") or ""


def sandbox_uid(index: int) -> int:
    """The host uid a root-started worker's sandbox runs as; -1: the caller's own."""
    if os.geteuid() != 0:
        return -1
    return SANDBOX_UID_BASE + (os.getpid() % 100_000) * 64 + index % 64


def bwrap_command(bwrap: str, own_uid: bool = False) -> list[str]:
    """`own_uid`: bwrap runs as a uid no other process has, so the runner's count of its own
    processes is the uid's count; otherwise it is told how many the uid has outside."""
    cmd = [bwrap, "--unshare-all", "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534", "--hostname", "sandbox",
           # No --die-with-parent: its PR_SET_PDEATHSIG fires when the *thread* that started bwrap
           # exits (pool workers boot in short-lived threads). The runner exits when its stdin
           # closes instead, and the pid namespace dies with it, taking every job process along.
           "--new-session", "--as-pid-1", "--clearenv",
           "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
           "--chdir", "/tmp"]
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
        elif os.path.isdir(target):
            cmd += ["--ro-bind", target, target]
    python = sandbox_python()
    cmd += python.bwrap_args()
    env = {**ENV, "CODEHARNESS_WORK_ROOT": "/tmp", "HOME": "/tmp"}
    if not own_uid:
        # RLIMIT_NPROC counts the uid's processes host-wide, and inside the pid namespace the
        # runner sees only its own: tell it how many the uid already has.
        env["CODEHARNESS_NPROC_BASE"] = str(count_own_processes(os.getuid()) + 32)
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    cmd += ["--remount-ro", "/"]  # bwrap's root is a tmpfs: make it (not /tmp) read-only
    return cmd + [python.executable, "-I", "-c", BOOTSTRAP, "--contained"]


class ProcessWorker(Worker):
    def __init__(self, index: int = 0, namespaces: bool = True):
        super().__init__()
        self.namespaces = namespaces
        self.isolated = False
        self.name = f"process-{index}"
        self.uid = sandbox_uid(index)
        self.proc = None
        self.work_root = ""

    def _open(self) -> None:
        self.work_root = tempfile.mkdtemp(prefix="codeharness-work-")
        bwrap = bwrap_path() if self.namespaces else ""
        cwd, user = self.work_root, {}
        if bwrap:
            cmd, env = bwrap_command(bwrap, own_uid=self.uid >= 0), {}
            if self.uid >= 0:
                cwd, user = "/", {"user": self.uid, "group": self.uid, "extra_groups": []}
        else:
            cmd, env = [sys.executable, "-I", "-c", BOOTSTRAP], {**ENV, "CODEHARNESS_WORK_ROOT": self.work_root}
        self.isolated = bool(bwrap)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=cwd,
                                     start_new_session=True, **user)

    def _write(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise WorkerDied(f"runner process gone: {e}") from None

    def _read_some(self, timeout: float) -> bytes:
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return b""
        data = os.read(fd, 1 << 20)
        if not data:
            raise WorkerDied(f"runner process exited ({self.proc.poll()})")
        return data

    def _close(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None
        if self.work_root:
            shutil.rmtree(self.work_root, ignore_errors=True)
