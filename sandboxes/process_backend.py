"""The process backend: the runner as a local subprocess. No isolation from the host:
for development only (the harness warns loudly when it is used)."""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile

from sandboxes.pool import Worker, WorkerDied
from sandboxes.runner import BOOTSTRAP


class ProcessWorker(Worker):
    def __init__(self, index: int = 0):
        super().__init__()
        self.name = f"process-{index}"
        self.proc = None
        self.work_root = ""

    def _open(self) -> None:
        self.work_root = tempfile.mkdtemp(prefix="codeharness-work-")
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "CODEHARNESS_WORK_ROOT": self.work_root}
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=self.work_root, start_new_session=True)

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
