"""Profile the pack's checks on a generated tree, in one process.

Usage: python benchmarks/profile_pack.py N [--html FILE] [--no-profile]

The ``checkov`` command runs each framework in a forked worker, where a
profiler attached to the parent sees nothing; this runs the Terraform Runner
in-process instead, under pyinstrument (``pip install pyinstrument``), and
prints the time spent inside kmsguard: every call of a pack check's
``scan_resource_conf`` is timed, per check ID (the first call of a scan also
pays for reading Checkov's graph into kmsguard's index).
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--html", type=Path)
    parser.add_argument("--no-profile", action="store_true", help="time the pack's checks only")
    parser.add_argument("--all-checks", action="store_true", help="run Checkov's built-in checks too")
    parser.add_argument("--skip-pack", action="store_true", help="with --all-checks: the built-ins alone")
    args = parser.parse_args()

    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.runner import Runner

    from kmsguard.adapters.base_check import KmsguardCheck

    spent: dict[str, float] = collections.defaultdict(float)
    calls: dict[str, int] = collections.Counter()
    original = KmsguardCheck.scan_resource_conf

    def timed(self, conf):
        start = time.process_time()  # CPU time: fair on a busy machine
        try:
            return original(self, conf)
        finally:
            spent[self.id] += time.process_time() - start
            calls[self.id] += 1

    KmsguardCheck.scan_resource_conf = timed

    with tempfile.TemporaryDirectory(prefix="kmsguard-profile-") as tmp:
        generate(args.n, Path(tmp))
        if args.no_profile:
            profiler = None
        else:
            from pyinstrument import Profiler
            profiler = Profiler(interval=0.001)
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.start()
        report = Runner().run(
            root_folder=tmp,
            external_checks_dir=[str(HERE.parent / "custom_checks")],
            runner_filter=RunnerFilter(framework=["terraform"],
                                       checks=None if args.all_checks else ["CKV_KMSG_*", "CKV2_KMSG_*"],
                                       skip_checks=["CKV_KMSG_*", "CKV2_KMSG_*"] if args.skip_pack else None),
        )
        if profiler:
            profiler.stop()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"N={args.n}: Runner.run {wall:.2f}s wall, {cpu:.2f}s CPU in this process, "
          f"{len(report.passed_checks)} passed, {len(report.failed_checks)} failed")
    inside = sum(spent.values())
    print(f"inside kmsguard checks: {inside:.3f}s CPU ({100 * inside / cpu:.1f}% of this process's CPU)")
    for check_id in sorted(spent):
        print(f"  {check_id}: {spent[check_id]:.3f}s over {calls[check_id]} resources")
    if profiler:
        if args.html:
            args.html.write_text(profiler.output_html())
        print(profiler.output_text(unicode=False, show_all=False))


if __name__ == "__main__":
    main()
