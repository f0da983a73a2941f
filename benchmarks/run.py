"""Time the pack against Checkov on synthetic trees of size N and 4N.

Usage: python benchmarks/run.py [--n 1000] [--repeat 5] [--jsonl FILE] [--report-only FILE]

Configurations, all run as a child ``checkov -d TREE -o json`` with the same
frameworks (Checkov's default set: a --framework flag would make c and d
something other than "a full default scan", so none of the four gets one):

  a   the pack's checks only       --external-checks-dir custom_checks --check 'CKV_KMSG_*,CKV2_KMSG_*'
  a0  the same with no check run   --external-checks-dir custom_checks --check CKV_KMSG_NONE
  b0  no check run, no pack        --check CKV_KMSG_NONE   (optional: a0 - b0 is loading the pack)
  b   nearest built-ins only       --check CKV_AWS_145,CKV_AWS_7
  c   full default scan
  d   full default scan + the pack --external-checks-dir custom_checks
  k   the kmsguard command, full scan + the pack: kmsguard --all-checks -d TREE
  t   full scan + six trivial checks on the pack's resource types (benchmarks/trivial_checks):
      what Checkov itself charges for that many results, so d - t is the pack's own work
  s   the kmsguard command, the pack's checks only: kmsguard -d TREE (the scan kmsguard fix starts with)
  f   kmsguard fix -d TREE: the scan, the fixes planned, the patch rescanned; f/s is the fixer's cost
  d_before / a_before   d and a with another install of the pack (--before-venv,
      --before-pack): an earlier version, measured in the same run

a0 is parsing, graph building and loading the pack with nothing evaluated, so
a - a0 is the time the pack's checks themselves take and d - c what the pack
adds to a full scan. Runs are interleaved (every configuration once per round,
in a rotated order) and repeated; medians are reported. Wall time is measured
around the child; peak memory is the child's ru_maxrss from wait4.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate_cloudformation  # noqa: E402
from generate import generate  # noqa: E402

CHECKOV = str(Path(sys.executable).with_name("checkov"))
PACK = ["--external-checks-dir", str(REPO / "custom_checks")]
KMSGUARD = str(Path(sys.executable).with_name("kmsguard"))
CONFIGS = {
    "a": PACK + ["--check", "CKV_KMSG_*,CKV2_KMSG_*"],
    "a0": PACK + ["--check", "CKV_KMSG_NONE"],
    "b0": ["--check", "CKV_KMSG_NONE"],
    "b": ["--check", "CKV_AWS_145,CKV_AWS_7"],
    "c": [],
    "d": PACK,
    "k": ["--all-checks"],
    "s": [],
    "f": [],
    "t": ["--external-checks-dir", str(HERE / "trivial_checks")],
    "d_before": [],
    "a_before": ["--check", "CKV_KMSG_*,CKV2_KMSG_*"],
}
BEFORE: dict[str, str] = {}  # "venv" and "pack" of the earlier install, from the command line
PACK_PREFIXES = ("CKV_KMSG_", "CKV2_KMSG_", "CKV_TRIVIAL_", "CKV2_TRIVIAL_")


def run_once(tree: Path, config: str, scratch: Path) -> dict:
    out_path = scratch / f"{config}.json"
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    command = [CHECKOV, "-d", str(tree), "-o", "json", *CONFIGS[config]]
    if config in ("k", "s"):
        command = [KMSGUARD, "-d", str(tree), "-o", "json", *CONFIGS[config]]
    elif config == "f":
        command = [KMSGUARD, "fix", "-d", str(tree)]  # prints the diff; the tree is left unchanged
    elif config.endswith("_before"):
        command = [str(Path(BEFORE["venv"]) / "bin" / "checkov"), "-d", str(tree), "-o", "json",
                   "--external-checks-dir", BEFORE["pack"], *CONFIGS[config]]
    with open(out_path, "wb") as out, open(scratch / f"{config}.err", "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=str(tree))
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = (scratch / f"{config}.err").read_text(errors="replace")
    return {
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "exit": child.returncode,
        "pack_results": _pack_results(out_path),
        "pack_errors": stderr.count("internal error") + stderr.count("Failed to run check"),
    }


def _pack_results(path: Path) -> int:
    # Counted in a separate process: loading a large report here would grow this
    # process, and Linux reports a forked child's peak RSS as at least its parent's.
    counted = subprocess.run([sys.executable, "-c", _COUNT, str(path)], capture_output=True, text=True)
    return int(counted.stdout.strip() or -1)


_COUNT = f"""
import json, sys
try:
    data = json.load(open(sys.argv[1]))
except ValueError:
    print(-1); raise SystemExit
reports = data if isinstance(data, list) else [data]
print(sum(1 for r in reports if isinstance(r, dict) for kind in ("passed_checks", "failed_checks")
          for record in r.get("results", {{}}).get(kind, []) if record.get("check_id", "").startswith({PACK_PREFIXES!r})))
"""


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        mem_kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
    except (OSError, StopIteration):
        mem_kb = 0
    version = subprocess.run([CHECKOV, "--version"], capture_output=True, text=True,
                             env=dict(os.environ, BC_SKIP_MAPPING="TRUE")).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gb": round(mem_kb / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "checkov": version,
            "load_at_start": os.getloadavg()}


def benchmark(sizes: list[int], repeat: int, warmup: int, configs: list[str], jsonl: Path, kind: str = "terraform") -> None:
    n = sizes[0]
    with tempfile.TemporaryDirectory(prefix="kmsguard-bench-") as tmp, jsonl.open("a") as log:
        log.write(json.dumps({"machine": machine(), "n": n, "repeat": repeat}) + "\n")
        trees = {}
        for size in sizes:
            trees[size] = Path(tmp) / f"tree_{size}"
            make = generate_cloudformation.generate if kind == "cloudformation" else generate
            info = make(size, trees[size])
            log.write(json.dumps({"tree": info}) + "\n")
        scratch = Path(tmp) / "out"
        scratch.mkdir()
        for round_ in range(-warmup, repeat):
            for size in sizes:
                shift = round_ % len(configs)
                for config in configs[shift:] + configs[:shift]:
                    result = run_once(trees[size], config, scratch)
                    record = {"size": size, "config": config, "round": round_, **result}
                    if round_ >= 0:
                        log.write(json.dumps(record) + "\n")
                        log.flush()
                    print(json.dumps(record), file=sys.stderr, flush=True)


def _read(jsonl: Path) -> tuple[dict, dict[tuple[int, str], list[dict]]]:
    runs: dict[tuple[int, str], list[dict]] = {}
    head: dict = {}
    for line in jsonl.read_text().splitlines():
        record = json.loads(line)
        if "machine" in record:
            head, runs = record, {}  # the last benchmark in the file wins
        elif "config" in record:
            runs.setdefault((record["size"], record["config"]), []).append(record)
    return head, runs


def _ratio(x: float | None, y: float | None) -> str:
    return f"{x / y:.3f}" if x is not None and y else "n/a"


def _diff(x: float | None, y: float | None) -> str:
    return f"{x - y:.2f}" if x is not None and y is not None else "n/a"


def _run_rows(runs: dict[tuple[int, str], list[dict]], wall: dict, rss: dict) -> list[str]:
    lines = ["| N | config | runs | median wall s | min | max | median peak RSS MB | pack results | pack errors | exit |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for (size, config), records in sorted(runs.items()):
        walls = [r["wall"] for r in records]
        lines.append(f"| {size} | {config} | {len(records)} | {wall[size, config]:.2f} | {min(walls):.2f} | "
                     f"{max(walls):.2f} | {rss[size, config]:.0f} | {records[0]['pack_results']} | "
                     f"{max(r['pack_errors'] for r in records)} | {sorted({r['exit'] for r in records})} |")
    return lines


def _ratio_rows(sizes: list[int], wall: dict, rss: dict) -> list[str]:
    lines = ["| N | a/b | d/c | pack share in a (a-a0) s | pack share in full scan (d-c) s | loading the pack (a0-b0) s "
             "| RSS d/c |", "|---|---|---|---|---|---|---|"]
    for size in sizes:
        w = {c: wall.get((size, c)) for c in CONFIGS}
        lines.append(f"| {size} | {_ratio(w['a'], w['b'])} | {_ratio(w['d'], w['c'])} | {_diff(w['a'], w['a0'])} | "
                     f"{_diff(w['d'], w['c'])} | {_diff(w['a0'], w['b0'])} | "
                     f"{_ratio(rss.get((size, 'd')), rss.get((size, 'c')))} |")
    extra = [c for c in ("k", "d_before", "t") if any((size, c) in wall for size in sizes)]
    if extra:
        lines += ["", "| N | " + " | ".join(f"{c}/c" for c in extra) + " | d/c |", "|---" * (len(extra) + 2) + "|"]
        for size in sizes:
            lines.append(f"| {size} | " + " | ".join(_ratio(wall.get((size, c)), wall.get((size, "c"))) for c in extra)
                         + f" | {_ratio(wall.get((size, 'd')), wall.get((size, 'c')))} |")
    if any((size, "f") in wall for size in sizes):
        lines += ["", "| N | s (scan) s | f (fix) s | f/s |", "|---|---|---|---|"]
        for size in sizes:
            s, f = wall.get((size, "s")), wall.get((size, "f"))
            lines.append(f"| {size} | {_diff(s, 0.0)} | {_diff(f, 0.0)} | {_ratio(f, s)} |")
    return lines


def _growth_rows(small: int, big: int, wall: dict) -> list[str]:
    def share(size: int, x: str, y: str) -> float | None:
        a, b = wall.get((size, x)), wall.get((size, y))
        return None if a is None or b is None else a - b

    growth = {c: _ratio(wall.get((big, c)), wall.get((small, c))) for c in CONFIGS if (small, c) in wall}
    base = "b0" if (small, "b0") in wall else "a0"
    return ["", f"Growth from N={small} to N={big} (time at {big} / time at {small}):", "",
            " | ".join(f"{c}: {g}" for c, g in growth.items()),
            f"pack share a-a0: {_ratio(share(big, 'a', 'a0'), share(small, 'a', 'a0'))} | "
            f"built-ins b-{base}: {_ratio(share(big, 'b', base), share(small, 'b', base))} | "
            f"pack share d-c: {_ratio(share(big, 'd', 'c'), share(small, 'd', 'c'))} | "
            f"Checkov full scan c: {growth.get('c', 'n/a')}"]


def report(jsonl: Path) -> str:
    head, runs = _read(jsonl)
    sizes = sorted({size for size, _ in runs})
    wall = {k: statistics.median(r["wall"] for r in v) for k, v in runs.items()}
    rss = {k: statistics.median(r["rss_mb"] for r in v) for k, v in runs.items()}
    lines = [f"Machine: {json.dumps(head.get('machine', {}))}", "", *_run_rows(runs, wall, rss), "",
             *_ratio_rows(sizes, wall, rss)]
    if sizes:
        small = sizes[0]
        lines += ["", f"Target at N={small}: d/c = {_ratio(wall.get((small, 'd')), wall.get((small, 'c')))} (target <= 1.20)"]
    if len(sizes) == 2:
        lines += _growth_rows(sizes[0], sizes[1], wall)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--scales", default="1,4", help="tree sizes as multiples of N (the growth needs two)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (file cache, .pyc)")
    parser.add_argument("--configs", default="a,a0,b,c,d", help="comma-separated subset of " + ",".join(CONFIGS))
    parser.add_argument("--jsonl", type=Path, default=Path("benchmark-results.jsonl"),
                        help="raw results, appended run by run (a cut-short benchmark still reports)")
    parser.add_argument("--report-only", action="store_true", help="only print the table from --jsonl")
    parser.add_argument("--kind", choices=("terraform", "cloudformation"), default="terraform",
                        help="the synthetic tree: Terraform (generate.py) or CloudFormation templates")
    parser.add_argument("--before-venv", help="virtualenv with an earlier install of the pack (for d_before, a_before)")
    parser.add_argument("--before-pack", help="that install's custom_checks directory")
    args = parser.parse_args()
    BEFORE.update(venv=args.before_venv or "", pack=args.before_pack or "")
    if not args.report_only:
        configs = [c for c in args.configs.split(",") if c]
        unknown = set(configs) - set(CONFIGS)
        if unknown:
            parser.error(f"unknown configurations {sorted(unknown)}")
        sizes = [args.n * int(scale) for scale in args.scales.split(",") if scale]
        benchmark(sizes, args.repeat, args.warmup, configs, args.jsonl, args.kind)
    print(report(args.jsonl))


if __name__ == "__main__":
    main()
