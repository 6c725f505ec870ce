"""The runner that lives inside a sandbox (stdlib only), and how the host ships it there.

The runner is not baked into the image: the container starts a tiny bootstrap that
reads these modules' sources from stdin, so changing the runner never rebuilds the image.
"""
import json
from pathlib import Path

from sandboxes.runner.protocol import FRAME

MODULES = ("preload", "protocol", "structs", "compare", "jobio", "procs", "candidate", "capture", "programs", "zygote",
           "remote", "judge", "events", "judge_process", "cleanup", "supervisor")

BOOTSTRAP = (
    "import sys,json,types\n"
    "f=sys.stdin.buffer\n"
    "n=int.from_bytes(f.read(4),'big')\n"
    "mods=json.loads(f.read(n))\n"
    "for p in ('sandboxes','sandboxes.runner'):\n"
    "    m=types.ModuleType(p);m.__path__=[];sys.modules[p]=m\n"
    "for name,src in mods:\n"
    "    full='sandboxes.runner.'+name;m=types.ModuleType(full);sys.modules[full]=m\n"
    "    setattr(sys.modules['sandboxes.runner'],name,m);exec(compile(src,full,'exec'),m.__dict__)\n"
    "sys.modules['sandboxes.runner.supervisor'].main(sys.argv[1:])\n"
)


def bundle() -> bytes:
    """The frame the bootstrap reads: every runner module's source, in import order."""
    here = Path(__file__).parent
    data = json.dumps([(m, (here / (m + ".py")).read_text()) for m in MODULES]).encode()
    return FRAME.pack(len(data)) + data
