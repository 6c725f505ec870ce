"""Docker workers: one long-lived, locked-down container per worker, running the runner
as PID 1 and talking to the host over its attached stdin/stdout.

Each container: no network, read-only root with a small /tmp tmpfs, its own non-root
uid for its jobs (the runner, PID 1, keeps root with five capabilities; jobs have none),
another uid for the per-job judge (no capabilities either), no-new-privileges, memory and pids limits, no docker socket, an environment we write. Containers carry labels naming their owner; they are
removed on close, and, if the owning process dies, the runner sees its stdin close and
exits, and Docker removes the container (auto_remove).
"""
from __future__ import annotations

import os
import random
import select
import socket
from dataclasses import dataclass
from typing import Optional

from sandboxes.job import Limits
from sandboxes.pool import Worker, WorkerDied
from sandboxes.runner import BOOTSTRAP

LABEL = "codeharness.pool"
RUNNER_CAPS = ["SETUID", "SETGID", "KILL", "DAC_OVERRIDE", "FOWNER"]
OWNER_LABEL = "codeharness.owner"
# The per-job judge's uid: never a job's (those are 20000 + ...), the same in every container
# (pid namespaces keep containers apart; the judge has no process limit to share).
JUDGE_UID = 19999


@dataclass
class DockerConfig:
    image: str
    runtime: Optional[str] = None      # e.g. "runsc" for gVisor
    limits: Limits = None              # per-job limits the container must accommodate
    tmpfs_mb: int = 128
    cpus: Optional[float] = None       # cap on CPUs per container (None = no cap)

    def container_memory_mb(self) -> int:
        # judge and candidate each get RLIMIT_AS = memory_mb; the cgroup bounds the sum.
        return 2 * self.limits.memory_mb + 256

    def pids(self) -> int:
        return 2 * self.limits.max_processes + 16


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class DockerWorker(Worker):
    def __init__(self, client, config: DockerConfig, index: int, pool_id: str, uid: int):
        super().__init__()
        self.client, self.config, self.index = client, config, index
        self.pool_id, self.uid = pool_id, uid
        self.name = f"docker-{pool_id}-{index}"
        self.container_id = ""
        self.sock = None
        self._mux = bytearray()
        self.stderr_tail = bytearray()

    def _open(self) -> None:
        cfg = self.config
        host_config = self.client.api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={cfg.tmpfs_mb}m,mode=1777"},
            # The runner (PID 1, the strict judge) starts as root with just enough to run jobs
            # as another uid and clean up after them; jobs get no capabilities at all.
            cap_drop=["ALL"],
            cap_add=RUNNER_CAPS,
            security_opt=["no-new-privileges"],
            mem_limit=f"{cfg.container_memory_mb()}m",
            memswap_limit=f"{cfg.container_memory_mb()}m",
            pids_limit=cfg.pids(),
            shm_size="16m",
            auto_remove=True,
            runtime=cfg.runtime,
            nano_cpus=int(cfg.cpus * 1e9) if cfg.cpus else None,
        )
        created = self.client.api.create_container(
            image=cfg.image,
            command=["python3", "-I", "-c", BOOTSTRAP, "--contained"],
            user="0:0",
            stdin_open=True, tty=False, detach=False,  # detach=False + stdin_open => StdinOnce
            environment={"CODEHARNESS_WORK_ROOT": "/tmp", "LANG": "C.UTF-8", "HOME": "/tmp",
                         "CODEHARNESS_CGROUP_OOM": "1", "CODEHARNESS_JOB_UID": str(self.uid),
                         "CODEHARNESS_JUDGE_UID": str(JUDGE_UID)},
            working_dir="/tmp",
            hostname="sandbox",
            network_disabled=True,
            labels={LABEL: self.pool_id, OWNER_LABEL: owner_id()},
            host_config=host_config,
        )
        self.container_id = created["Id"]
        resp = self.client.api.attach_socket(self.container_id, params={"stdin": 1, "stdout": 1, "stderr": 1,
                                                                        "stream": 1})
        self.sock = getattr(resp, "_sock", resp)
        self.sock.setblocking(True)
        self.client.api.start(self.container_id)

    def cpu_seconds(self) -> Optional[float]:
        if not self.container_id:
            return None
        local = cgroup_cpu_seconds(self.container_id)   # an engine on this machine: no API round trip
        if local is not None:
            return local
        try:
            stats = self.client.api.stats(self.container_id, stream=False, one_shot=True)
            return int(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9
        except Exception:
            return None

    def _write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise WorkerDied(f"container {self.container_id[:12]} gone: {e}") from None

    def _read_some(self, timeout: float) -> bytes:
        """Demultiplex Docker's attach stream: 8-byte headers (stream id, size) + payload."""
        out = bytearray()
        while not out:
            while len(self._mux) >= 8:
                kind, size = self._mux[0], int.from_bytes(self._mux[4:8], "big")
                if len(self._mux) < 8 + size:
                    break
                payload = bytes(self._mux[8:8 + size])
                del self._mux[:8 + size]
                if kind == 1:
                    out += payload
                else:
                    self.stderr_tail = (self.stderr_tail + payload)[-4096:]
            if out:
                break
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                return b""
            data = self.sock.recv(1 << 16)   # a 1 MiB buffer per read cost ~0.3 ms of allocation per job
            if not data:
                tail = self.stderr_tail.decode(errors="replace").strip().splitlines()[-1:] or [""]
                raise WorkerDied(f"container {self.container_id[:12]} exited {tail[0]}".strip())
            self._mux += data
        return bytes(out)

    def _close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        if self.container_id:
            try:
                self.client.api.remove_container(self.container_id, force=True)
            except Exception:
                pass  # already gone (auto_remove)
            self.container_id = ""


CGROUP_CPU_FILES = ("/sys/fs/cgroup/cpuacct/docker/{id}/cpuacct.usage",          # v1, cgroupfs driver
                    "/sys/fs/cgroup/cpu,cpuacct/docker/{id}/cpuacct.usage",
                    "/sys/fs/cgroup/system.slice/docker-{id}.scope/cpu.stat",     # v2, systemd driver
                    "/sys/fs/cgroup/docker/{id}/cpu.stat")                        # v2, cgroupfs driver


def cgroup_cpu_seconds(container_id: str) -> Optional[float]:
    """The container's CPU from its cgroup, when the engine runs on this machine."""
    for pattern in CGROUP_CPU_FILES:
        try:
            with open(pattern.format(id=container_id)) as f:
                text = f.read()
        except OSError:
            continue
        if pattern.endswith("cpu.stat"):
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
            continue
        return int(text) / 1e9
    return None


def new_pool_id() -> str:
    return "%08x" % random.getrandbits(32)


def uid_for(pool_id: str, index: int) -> int:
    # A distinct uid per container keeps RLIMIT_NPROC (counted per uid, host-wide) per container.
    return 20000 + (int(pool_id, 16) % 1000) * 64 + index % 64


def labelled(client) -> list:
    """Every codeharness container on this engine. Another process may remove one between the engine's
    list and its inspect; such a container is skipped, not an error."""
    return client.containers.list(all=True, filters={"label": LABEL}, ignore_removed=True)


def remove_stale(client) -> int:
    """Remove containers left by codeharness processes on this host that no longer exist."""
    removed = 0
    host = socket.gethostname()
    for c in labelled(client):
        owner = c.labels.get(OWNER_LABEL, "")
        h, _, pid = owner.rpartition(":")
        if h == host and pid.isdigit() and _alive(int(pid)) and int(pid) != 0:
            continue
        try:
            c.remove(force=True)
            removed += 1
        except Exception:
            pass
    return removed


def remove_all(client) -> int:
    n = 0
    for c in labelled(client):
        try:
            c.remove(force=True)
            n += 1
        except Exception:
            pass
    return n


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True

