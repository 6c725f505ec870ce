"""Isolation probes run as samples that pass only if the probe SUCCEEDS: each must fail.
Controls (things a sample may do) must pass, so a probe cannot fail for a silly reason."""
from __future__ import annotations

import os
import secrets
import socket

import pytest

from harness.core.judge import verdict
from tests.conftest_docker import hostile_limits
from tests.hostile.run import job_for

pytestmark = pytest.mark.docker  # the bwrap half needs no Docker, but shares the probes

CANARY_ENV = "CODEHARNESS_TEST_CANARY_SECRET"


def passes_if(probe: str) -> str:
    """A sample whose add() is right only when `probe` (an expression) is true inside the sandbox."""
    return ("import os, socket, glob\n" + probe.strip() + "\n"
            "def add(a, b):\n    return a + b if PROBE else None\n")


NETWORK = '''
try:
    PROBE = any(n != "lo" for n in os.listdir("/sys/class/net"))
except OSError:
    PROBE = False
for host in ("1.1.1.1", "8.8.8.8", "172.17.0.1"):
    try:
        socket.create_connection((host, 53), timeout=1).close()
        PROBE = True
    except OSError:
        pass
'''
DOCKER_SOCKET = '''
PROBE = any(os.path.exists(p) for p in ("/var/run/docker.sock", "/run/docker.sock", "/docker.sock"))
'''
ROOT = "PROBE = os.getuid() == 0 or os.geteuid() == 0 or os.getegid() == 0\n"
ROOTFS_WRITABLE = '''
PROBE = False
for d in ("/", "/usr", "/etc", "/var", "/usr/lib/python3"):
    try:
        with open(os.path.join(d, "probe-write"), "w") as f:
            f.write("x")
        PROBE = True
    except OSError:
        pass
'''


def host_file_probe(path: str, token: str) -> str:
    return f'''
PROBE = False
for p in ({path!r}, "/host" + {path!r}):
    try:
        PROBE = PROBE or {token!r} in open(p).read()
    except OSError:
        pass
'''


def env_probe(token: str) -> str:
    return f'''
PROBE = any({token!r} in v for v in os.environ.values())
for p in glob.glob("/proc/*/environ"):
    try:
        PROBE = PROBE or {token!r}.encode() in open(p, "rb").read()
    except OSError:
        pass
'''


CONTROLS = {
    "writes_its_home": "open(os.path.join(os.environ['HOME'], 'ok'), 'w').write('x'); PROBE = True\n",
    "writes_tmp": "import tempfile\nPROBE = bool(tempfile.mkstemp())\n",
    "loopback_up": "PROBE = os.path.isdir('/sys/class/net/lo') or True\n",
}


@pytest.fixture(params=["docker", "bwrap"])
def new_pool(request):
    """Makes pools of one backend: docker (runc), or the process backend with bubblewrap."""
    from sandboxes import make_pool

    if request.param == "docker":
        client = request.getfixturevalue("hardening_client")
        return lambda workers: make_pool("docker", workers=workers, limits=hostile_limits(), client=client)
    from sandboxes.process_backend import bwrap_path

    if not bwrap_path():
        pytest.skip("bubblewrap (bwrap) not installed: the process backend has no namespaces here")
    return lambda workers: make_pool("process", workers=workers, limits=hostile_limits())


def run(pool, programs: dict[str, str], judge: str = "strict") -> dict[str, str]:
    jobs = [job_for(p, judge, hostile_limits(), name) for name, p in programs.items()]
    return {j.job_id: verdict(o, 1).status for j, o in zip(jobs, pool.run_all(jobs))}


@pytest.fixture()
def host_canary(tmp_path):
    token = "canary-" + secrets.token_hex(8)
    path = tmp_path / "canary.txt"
    path.write_text(token)
    os.environ[CANARY_ENV] = token
    yield str(path), token
    os.environ.pop(CANARY_ENV, None)


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_probes_fail_and_controls_pass(new_pool, host_canary, judge):
    path, token = host_canary
    probes = {"network": NETWORK, "docker_socket": DOCKER_SOCKET, "root": ROOT, "rootfs_writable": ROOTFS_WRITABLE,
              "host_file": host_file_probe(path, token), "host_env": env_probe(token)}
    hostname = socket.gethostname()
    if hostname not in ("sandbox", "localhost"):
        probes["host_hostname"] = ("import socket\nPROBE = socket.gethostname() == %r or any(%r in open(p).read() "
                                   "for p in ('/etc/hostname', '/proc/sys/kernel/hostname') if os.path.exists(p))\n"
                                   % (hostname, hostname))
    # A fresh pool made after the canary is in our environment: it must not leak in.
    with new_pool(2) as pool:
        got = run(pool, {**{k: passes_if(v) for k, v in probes.items()},
                         **{k: passes_if(v) for k, v in CONTROLS.items()}}, judge)
    assert {k: got[k] for k in probes} == {k: "failed" for k in probes}
    assert {k: got[k] for k in CONTROLS} == {k: "passed" for k in CONTROLS}


JOB_A = '''
import ctypes, os, time
for p in ("/tmp/leak-a", os.path.join(os.environ["HOME"], "leak-a"), "/dev/shm/leak-a"):
    try:
        open(p, "w").write("secret from job A")
    except OSError:
        pass
try:
    libc = ctypes.CDLL(None)
    libc.shmget(0x5eed, 4096, 0o1666)            # IPC_CREAT | 0666: survives its creator
    libc.msgget(0x5eed, 0o1666)
except OSError:
    pass
if os.fork() == 0:                               # a daemon: double fork + setsid + exec
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "1000"])
    os._exit(0)
os.wait()
def add(a, b):
    return a + b
'''
JOB_B = passes_if('''
import ctypes
PROBE = any(os.path.exists(p) for p in ("/tmp/leak-a", "/dev/shm/leak-a")) or bool(glob.glob("/tmp/*/leak-a"))
for pid in os.listdir("/proc"):
    try:
        PROBE = PROBE or (pid.isdigit() and open("/proc/%s/comm" % pid).read().strip() == "sleep")
    except OSError:
        pass
for kind in ("shm", "msg"):
    PROBE = PROBE or len(open("/proc/sysvipc/" + kind).read().splitlines()) > 1
libc = ctypes.CDLL(None)
PROBE = PROBE or libc.shmget(0x5eed, 0, 0) != -1
''')


@pytest.mark.parametrize("judge", ["strict", "compat"])
def test_one_job_leaves_nothing_for_the_next(new_pool, judge):
    with new_pool(1) as pool:
        got = run(pool, {"a": JOB_A, "b": JOB_B, "a2": JOB_A, "b2": JOB_B}, judge)
    assert got == {"a": "passed", "b": "failed", "a2": "passed", "b2": "failed"}
