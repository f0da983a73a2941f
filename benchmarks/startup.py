"""What the ``kmsguard`` command adds to the same scan run as plain ``checkov`` with the pack.

Usage: python benchmarks/startup.py [--rounds 10] [--jsonl FILE]

Two configurations per target, interleaved (one of each per round, the order
alternating), wall time around the child process, medians reported:

  p   checkov -o json --external-checks-dir <the pack's dirs> --check 'CKV_KMSG_*,CKV2_KMSG_*'
      --framework terraform terraform_plan cloudformation TARGET   (what kmsguard runs)
  k   kmsguard -o json TARGET

Targets: one Terraform file (``-f``, as editors and a quick terminal check run
it) and the ``examples/`` tree (``-d``). k - p is the command's own cost:
validating options and settings and checking that the pack loads.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
PACK_CHECKS = "CKV_KMSG_*,CKV2_KMSG_*"
FRAMEWORKS = ["terraform", "terraform_plan", "cloudformation"]
TARGETS = {
    "one file": ["-f", str(REPO / "examples/bad/infra/envs/dev/keys.tf")],
    "examples/": ["-d", str(REPO / "examples")],
}


def pack_dirs() -> list[str]:
    out = subprocess.run([str(BIN / "kmsguard"), "--pack-dirs"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def commands(target: list[str]) -> dict[str, list[str]]:
    external = [arg for directory in pack_dirs() for arg in ("--external-checks-dir", directory)]
    return {
        "p": [str(BIN / "checkov"), "-o", "json", *target, *external, "--check", PACK_CHECKS, "--framework", *FRAMEWORKS],
        "k": [str(BIN / "kmsguard"), "-o", "json", *target],
    }


def timed(command: list[str]) -> float:
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--jsonl", help="append every timing as a JSON line here")
    options = parser.parse_args()
    for name, target in TARGETS.items():
        configs = commands(target)
        times: dict[str, list[float]] = {key: [] for key in configs}
        for round_number in range(options.rounds + 1):  # round 0 warms the caches and is dropped
            order = list(configs) if round_number % 2 == 0 else list(reversed(configs))
            for key in order:
                elapsed = timed(configs[key])
                if round_number:
                    times[key].append(elapsed)
                    if options.jsonl:
                        with open(options.jsonl, "a", encoding="utf-8") as handle:
                            handle.write(json.dumps({"target": name, "config": key, "seconds": elapsed}) + "\n")
        p, k = statistics.median(times["p"]), statistics.median(times["k"])
        spread = {key: f"{min(v):.2f}-{max(v):.2f}" for key, v in times.items()}
        print(f"{name:10} p {p:6.2f} s  k {k:6.2f} s  k - p {k - p:+.2f} s  k/p {k / p:.3f}  "
              f"(range p {spread['p']}, k {spread['k']}; {options.rounds} rounds)")


if __name__ == "__main__":
    main()
