"""Bringing a sandbox back to clean after a job: directory trees of any depth, SysV IPC objects.
Stdlib only."""
import ctypes
import os


IPC_RMID = 0


def sysv_ipc_ids(kind: str) -> list:
    """Ids of the SysV objects of one kind ("shm", "msg", "sem") in our IPC namespace, from
    /proc/sysvipc, which lists every object whatever its permissions. [] where it is absent
    (gVisor): there is then nothing this cleanup could find either."""
    try:
        with open("/proc/sysvipc/" + kind) as f:
            rows = f.read().splitlines()[1:]
    except OSError:
        return []
    return [int(fields[1]) for fields in (row.split() for row in rows) if len(fields) > 1]


def any_sysv_ipc() -> bool:
    return any(len(sysv_ipc_ids(kind)) > 0 for kind in ("shm", "msg", "sem"))   # 0 is a valid id


def remove_sysv_ipc() -> None:
    """SysV shared memory, queues and semaphores outlive processes: remove what jobs made."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    for kind, call in (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl")):
        for ident in sysv_ipc_ids(kind):
            if kind == "sem":
                getattr(libc, call)(ident, 0, IPC_RMID)
            else:
                getattr(libc, call)(ident, IPC_RMID, None)


def _enter(name: str) -> None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except PermissionError:
        os.chmod(name, 0o700, follow_symlinks=False)
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        os.fchdir(fd)
    finally:
        os.close(fd)


def remove_tree(top: str) -> bool:
    """Delete a directory tree without recursion and without long paths: a job may leave one
    thousands of levels deep, where shutil.rmtree raises RecursionError and paths pass PATH_MAX.
    Walks down by relative names (never following links) and removes on the way up. True when
    the tree is gone; the cwd ends at /."""
    if not os.path.lexists(top):
        return True
    names: list = []
    try:
        _enter(top)
        for _ in range(50_000_000):
            sub = None
            with os.scandir(".") as entries:
                for e in entries:
                    if e.is_dir(follow_symlinks=False):
                        sub = e.name
                        break
                    try:
                        os.unlink(e.name)
                    except FileNotFoundError:
                        pass
            if sub is not None:
                _enter(sub)
                names.append(sub)
                continue
            if not names:
                break
            name = names.pop()
            os.chdir("..")
            os.rmdir(name)
        os.chdir("/")
        os.rmdir(top)
    except OSError:
        pass
    finally:
        try:
            os.chdir("/")
        except OSError:
            pass
    return not os.path.lexists(top)
