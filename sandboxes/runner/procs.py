"""What the runner reads of the processes in its sandbox (/proc) and of its memory cgroup. Stdlib only."""
import os


def proc_pids() -> list[str]:
    return [entry for entry in os.listdir("/proc") if entry.isdigit()]


def children_of(ppid: int) -> list[int]:
    """Processes whose parent is `ppid` (from /proc/<pid>/stat: the field after the command)."""
    kids = []
    for pid in proc_pids():
        try:
            with open("/proc/%s/stat" % pid, "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
            if int(fields[1]) == ppid:
                kids.append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    return kids


def count_own_processes(uid: int) -> int:
    n = 0
    for pid in proc_pids():
        try:
            n += os.stat("/proc/" + pid).st_uid == uid
        except OSError:
            pass
    return n


def processes_of(uid: int) -> list[int]:
    """Processes whose real or saved uid is `uid` (those a sender of that uid may signal), from
    /proc/<pid>/status: /proc/<pid> itself is root's when the process is non-dumpable."""
    pids = []
    for pid in proc_pids():
        try:
            with open("/proc/%s/status" % pid, "rb") as f:
                for line in f:
                    if line.startswith(b"Uid:"):
                        ids = line.split()
                        if int(ids[1]) == uid or int(ids[3]) == uid:
                            pids.append(int(pid))
                        break
        except (OSError, IndexError, ValueError):
            pass
    return pids


OOM_FILES = ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events")


def cgroup_oom_kills() -> int:
    """OOM kills so far in our memory cgroup (v1 memory.oom_control or v2 memory.events)."""
    for path in OOM_FILES:
        try:
            with open(path) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return 0
