"""`codeharness report DIR [DIR...]`: compare evaluated runs (checkpoints) side by side.

A run dir holds `summary.json` + `results.jsonl` for one benchmark, or one such subdir per benchmark (what
`codeharness run` writes). The report answers two questions at a glance: which run scores higher where, and why
samples fail (status counts). It prints markdown tables and writes report.md, scores.csv, status.csv and plots.
Every optional summary key may be missing; a dir with only results.jsonl still reports pass@1 and statuses.
"""
from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Optional

from harness.errors import UserError

STATUSES = ["passed", "failed", "syntax_error", "runtime_error", "timeout", "memory_exceeded", "output_exceeded",
            "sandbox_error"]


@dataclass
class BenchmarkRun:
    run: str                       # label of the run (checkpoint) this belongs to
    benchmark: str
    path: str
    summary: dict
    solved: Optional[dict[str, bool]] = None   # task_id -> any sample passed (from results.jsonl)
    status_counts: dict[str, int] = field(default_factory=dict)


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise UserError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object")
    return data


def _read_results(path: str) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append({"task_id": str(row["task_id"]), "passed": bool(row["passed"]),
                             "status": row.get("status") or ("passed" if row["passed"] else "failed")})
            except (ValueError, KeyError, TypeError):
                raise UserError(f"{path}:{lineno}: not a results line (needs task_id and passed)") from None
    return rows


def load_benchmark_run(run: str, path: str, default_name: str) -> BenchmarkRun:
    summary_path, results_path = os.path.join(path, "summary.json"), os.path.join(path, "results.jsonl")
    summary = _read_json(summary_path) if os.path.exists(summary_path) else {}
    br = BenchmarkRun(run=run, benchmark=str(summary.get("benchmark") or default_name), path=path, summary=summary)
    rows = _read_results(results_path) if os.path.exists(results_path) else []
    if rows:
        solved: dict[str, bool] = defaultdict(bool)
        per_task: dict[str, list[bool]] = defaultdict(list)
        for r in rows:
            solved[r["task_id"]] |= r["passed"]
            per_task[r["task_id"]].append(r["passed"])
        br.solved = dict(solved)
        if "pass_at_k" not in summary:
            # pass@1 is the mean per-task pass rate (the unbiased estimator at k=1); larger k needs summary.json.
            summary["pass_at_k"] = {"pass@1": sum(sum(v) / len(v) for v in per_task.values()) / len(per_task)}
        summary.setdefault("n_problems", len(per_task))
        summary.setdefault("n_samples", len(rows))
    br.status_counts = {str(k): int(v) for k, v in (summary.get("status_counts") or
                                                      Counter(r["status"] for r in rows)).items()}
    return br


def load_runs(dirs: list[str]) -> list[BenchmarkRun]:
    """Each dir is one run; its label is the dir name (made unique when two runs share a name)."""
    labels: list[str] = []
    for d in dirs:
        base = os.path.basename(os.path.normpath(d)) or d
        label, i = base, 2
        while label in labels:
            label, i = f"{base}-{i}", i + 1
        labels.append(label)
    found: list[BenchmarkRun] = []
    for label, d in zip(labels, dirs):
        if not os.path.isdir(d):
            raise UserError(f"{d}: not a directory")
        has_run = lambda p: any(os.path.exists(os.path.join(p, f)) for f in ("summary.json", "results.jsonl"))
        if has_run(d):
            found.append(load_benchmark_run(label, d, os.path.basename(os.path.normpath(d))))
            continue
        subs = sorted(s for s in os.listdir(d) if os.path.isdir(os.path.join(d, s)) and has_run(os.path.join(d, s)))
        if not subs:
            raise UserError(f"{d}: no summary.json or results.jsonl in it or in its subdirectories")
        found.extend(load_benchmark_run(label, os.path.join(d, s), s) for s in subs)
    return found


# ---------------------------------------------------------------- tables

def _k(metric: str) -> int:
    try:
        return int(metric.split("@", 1)[1])
    except (IndexError, ValueError):
        return 10**9


def scores_frame(runs: list[BenchmarkRun]):
    """Long table: one row per (run, benchmark, group, metric) with the score in [0, 1]."""
    import pandas as pd

    rows = []
    for br in runs:
        for metric, value in (br.summary.get("pass_at_k") or {}).items():
            rows.append((br.run, br.benchmark, "all", metric, value))
        for group, metrics in (br.summary.get("groups") or {}).items():
            for metric, value in (metrics or {}).items():
                rows.append((br.run, br.benchmark, group, metric, value))
    df = pd.DataFrame(rows, columns=["run", "benchmark", "group", "metric", "value"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df


def breakdown_frame(runs: list[BenchmarkRun]):
    """Long table of per-category scores: run, benchmark, dimension (difficulty, tag...), category, metric, value."""
    import pandas as pd

    rows = []
    for br in runs:
        for dim, cats in (br.summary.get("breakdown") or {}).items():
            for cat, metrics in (cats or {}).items():
                for metric, value in (metrics or {}).items():
                    if isinstance(value, (int, float)) and "@" in metric:
                        rows.append((br.run, br.benchmark, dim, str(cat), metric, value))
    return pd.DataFrame(rows, columns=["run", "benchmark", "dimension", "category", "metric", "value"])


def status_frame(runs: list[BenchmarkRun]):
    """One row per (run, benchmark), one column per status (known ones first), counts."""
    import pandas as pd

    extra = sorted({s for br in runs for s in br.status_counts} - set(STATUSES))
    cols = [s for s in STATUSES if any(br.status_counts.get(s) for br in runs)] + extra
    rows = [[br.run, br.benchmark] + [br.status_counts.get(s, 0) for s in cols] for br in runs]
    # Runs of one benchmark next to each other, in the order given.
    return pd.DataFrame(rows, columns=["run", "benchmark"] + cols).sort_values("benchmark", kind="stable",
                                                                             ignore_index=True)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _pct(v) -> str:
    return "—" if v is None or v != v else f"{100 * v:.1f}"


def comparison_table(scores, run_order: list[str]) -> str:
    """benchmark x metric rows, one column per run, the best run's score in bold; Δ = last run − first run."""
    if scores.empty:
        return "_no pass@k scores found_"
    table = scores.pivot_table(index=["benchmark", "group", "metric"], columns="run", values="value", aggfunc="first")
    keys = sorted(table.index, key=lambda i: (i[0], i[1] != "all", i[1], _k(i[2])))
    header = ["benchmark", "tests", "metric"] + run_order + (["Δ (last − first)"] if len(run_order) > 1 else [])
    rows = []
    for key in keys:
        vals = [table.loc[key].get(r) for r in run_order]
        present = [v for v in vals if v is not None and v == v]
        best = max(present) if present else None
        cells = [f"**{_pct(v)}**" if len(present) > 1 and v == best else _pct(v) for v in vals]
        if len(run_order) > 1:
            first, last = vals[0], vals[-1]
            ok = all(v is not None and v == v for v in (first, last))
            cells.append(f"{100 * (last - first):+.1f}" if ok else "—")
        rows.append([key[0], key[1], key[2]] + cells)
    return markdown_table(header, rows)


def breakdown_tables(breakdown, run_order: list[str]) -> list[str]:
    out = []
    if breakdown.empty:
        return out
    for (bench, dim), part in breakdown.groupby(["benchmark", "dimension"], sort=True):
        metric = min(part["metric"].unique(), key=_k)      # the smallest k: every run reports it
        part = part[part["metric"] == metric]
        table = part.pivot_table(index="category", columns="run", values="value", aggfunc="first")
        runs = [r for r in run_order if r in table.columns]
        rows = [[str(cat)] + [_pct(table.loc[cat].get(r)) for r in runs] for cat in table.index]
        out.append(f"### {bench}: {metric} by {dim}\n\n" + markdown_table([dim] + runs, rows))
    return out


def status_table(status) -> str:
    if status.empty:
        return "_no status counts found_"
    cols = list(status.columns[2:])
    rows = []
    for _, r in status.iterrows():
        total = sum(int(r[c]) for c in cols) or 1
        rows.append([r["benchmark"], r["run"]] + [f"{int(r[c])} ({100 * int(r[c]) / total:.0f}%)" for c in cols])
    return markdown_table(["benchmark", "run"] + cols, rows)


def at_a_glance(runs: list[BenchmarkRun], scores, status, run_order: list[str]) -> list[str]:
    """One line per benchmark (who wins pass@1, by how much) and per run (why its samples fail)."""
    lines = []
    main = scores[(scores["group"] == "all") & (scores["metric"] == "pass@1")] if not scores.empty else scores
    for bench, part in (main.groupby("benchmark", sort=True) if not main.empty else []):
        part = part.dropna(subset=["value"]).sort_values("value", ascending=False)
        if len(part) > 1:
            top, second = part.iloc[0], part.iloc[1]
            lines.append(f"- **{bench}**: `{top['run']}` is best at pass@1 {_pct(top['value'])}% "
                         f"(+{100 * (top['value'] - second['value']):.1f} points over `{second['run']}`)")
        elif len(part) == 1:
            lines.append(f"- **{bench}**: `{part.iloc[0]['run']}` pass@1 {_pct(part.iloc[0]['value'])}%")
    for br in runs:
        fails = {s: c for s, c in br.status_counts.items() if s != "passed" and c}
        total = sum(br.status_counts.values())
        if fails and total:
            top = sorted(fails.items(), key=lambda kv: -kv[1])[:3]
            why = ", ".join(f"{s} {100 * c / total:.0f}%" for s, c in top)
            lines.append(f"- `{br.run}` on {br.benchmark}: failing samples are mostly {why}")
    multi = [br for br in runs if br.solved is not None]
    by_bench: dict[str, list[BenchmarkRun]] = defaultdict(list)
    for br in multi:
        by_bench[br.benchmark].append(br)
    for bench, brs in sorted(by_bench.items()):
        if len(brs) < 2:
            continue
        for br in brs:
            others = set().union(*({t for t, ok in o.solved.items() if ok} for o in brs if o is not br))
            only = sorted(t for t, ok in br.solved.items() if ok and t not in others)
            solved = sum(br.solved.values())
            lines.append(f"- `{br.run}` on {bench}: solves {solved}/{len(br.solved)} tasks, {len(only)} that no "
                         "other run solves" + (f" (e.g. {', '.join(only[:3])})" if only else ""))
    return lines


# ---------------------------------------------------------------- write

def write_report(dirs: list[str], out_dir: str, plots: bool = True) -> str:
    """Build the report for `dirs` into `out_dir`; returns the markdown text."""
    runs = load_runs(dirs)
    run_order = list(dict.fromkeys(br.run for br in runs))
    scores, breakdown, status = scores_frame(runs), breakdown_frame(runs), status_frame(runs)
    os.makedirs(out_dir, exist_ok=True)
    parts = ["# codeharness report", "",
             "Runs: " + ", ".join(f"`{r}` ({', '.join(sorted({br.benchmark for br in runs if br.run == r}))})"
                                  for r in run_order), ""]
    glance = at_a_glance(runs, scores, status, run_order)
    if glance:
        parts += ["## At a glance", ""] + glance + [""]
    parts += ["## Scores (%)", "", comparison_table(scores, run_order), ""]
    tables = breakdown_tables(breakdown, run_order)
    if tables:
        parts += ["## Breakdown (%)", ""] + [t + "\n" for t in tables]
    parts += ["## Sample status (why samples fail)", "", status_table(status), ""]
    sizes = [[br.benchmark, br.run, str(br.summary.get("n_problems", "—")), str(br.summary.get("n_samples", "—")),
              str(br.summary.get("image_id", "—"))[:19]] for br in runs]
    parts += ["## Runs", "", markdown_table(["benchmark", "run", "problems", "samples", "image"], sizes), ""]
    if plots:
        from harness.reports.plots import plot_pass_at_k, plot_status
        names = [plot_pass_at_k(scores, run_order, os.path.join(out_dir, "pass_at_k.png")),
                 plot_status(status, os.path.join(out_dir, "status_counts.png"))]
        parts += ["## Plots", ""] + [f"![{n}]({n})" for n in names if n] + [""]
    text = "\n".join(parts)
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    import pandas as pd
    pd.concat([scores.assign(dimension="", category=""),
               breakdown.assign(group="all")], ignore_index=True)[
        ["run", "benchmark", "group", "dimension", "category", "metric", "value"]
    ].to_csv(os.path.join(out_dir, "scores.csv"), index=False)
    status.to_csv(os.path.join(out_dir, "status.csv"), index=False)
    return text
