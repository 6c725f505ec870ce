"""Events that describe a job's run, gathered into its outcome. Stdlib only.

`record` takes events from the strict judge (trusted, in this process). `parse_events` reads
what a compat job process wrote on its event pipe, which the candidate shares and may forge.
"""
import json
import math


TEST_STATUSES = ("passed", "failed", "error", "timeout")


MAX_OUTPUT_JSON = 1 << 20


def _reject_constant(name):
    raise ValueError("non-finite number in an event: %s" % name)


def _finite(x) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0 else 0.0


def parse_events(data: bytes, outcome: dict, test_names=None) -> None:
    """Events a compat job process wrote on fd 3. That process also runs the candidate, so every
    event may be forged: only the job's own test names, each once and in order, with known
    statuses, finite times and bounded text; no infrastructure errors; nothing that could crash
    the runner or bloat results."""
    pos, left = 0, list(test_names or [])
    seen, most = 0, len(left) + 8   # the job's tests plus a few other events: no more is ever genuine
    while pos + 4 <= len(data) and seen < most:
        n = int.from_bytes(data[pos:pos + 4], "big")
        if pos + 4 + n > len(data):
            break
        try:
            ev = json.loads(data[pos + 4:pos + 4 + n], parse_constant=_reject_constant)
        except (ValueError, TypeError, RecursionError):
            break
        pos += 4 + n
        seen += 1
        if not isinstance(ev, dict):
            break
        kind = ev.get("event")
        if kind == "test":
            if test_names is not None and (not left or ev.get("name") != left[0]):
                continue
            if ev.get("status") not in TEST_STATUSES:
                continue
            if test_names is not None:
                left.pop(0)
            test = {"name": str(ev.get("name"))[:200], "status": ev["status"],
                    "error_type": str(ev.get("error_type") or "")[:80], "message": str(ev.get("message") or "")[:500],
                    "time_s": _finite(ev.get("time_s"))}
            output = ev.get("output")
            if isinstance(output, dict) and len(json.dumps(output)) <= MAX_OUTPUT_JSON:
                test["output"] = output
            outcome["tests"].append(test)
        elif kind == "judge_error":   # forgeable here: the sample's failure, not the sandbox's
            outcome["program_error_type"], outcome["program_error"] = "JudgeError", str(ev.get("message"))[:300]
        elif kind in ("compile_error", "program_error", "limit", "done"):
            if kind == "limit" and ev.get("limit") != "cpu":
                continue
            try:
                record(outcome, ev)
            except (TypeError, ValueError, AttributeError, IndexError):
                pass


def record(outcome: dict, ev: dict) -> None:
    kind = ev.get("event")
    if kind == "test":
        test = {k: ev.get(k) for k in ("name", "status", "error_type", "message", "time_s")}
        if isinstance(ev.get("output"), dict):  # "capture" tests: {"v": plain value} or {"digest": sha256}
            test["output"] = ev["output"]
        outcome["tests"].append(test)
    elif kind == "compile_error":
        outcome["compile_error"] = str(ev.get("message") or "SyntaxError")[:1000]
    elif kind == "program_error":
        err = ev.get("error") or ["Exception", ""]
        outcome["program_error_type"], outcome["program_error"] = str(err[0])[:80], str(err[1])[:500]
    elif kind == "limit":
        outcome["limit"] = outcome.get("limit") or str(ev.get("limit"))
    elif kind == "judge_error":
        # The benchmark's trusted setup failed for this program. Not an infrastructure error: a
        # sample must never be able to turn its run into one (reward None, dropped by RL batches).
        outcome["program_error_type"] = "TrustedSetupError"
        outcome["program_error"] = str(ev.get("message") or "")[:500]
    elif kind == "done":
        outcome["finished"] = True
