"""Run Terraform through the real Checkov Runner with kmsguard's checks loaded once.

Checkov re-executes every external check file each time ``Runner.run`` gets
``external_checks_dir``; the registry then keeps the first instance per ID and
drops the new ones. So the pack is loaded on the first run only, which also
keeps "the registered instance" (the one tests may patch) the one that runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checkov.common.models.enums import CheckResult
from checkov.runner_filter import RunnerFilter
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.terraform.runner import Runner

REPO = Path(__file__).resolve().parent.parent
CUSTOM_CHECKS = REPO / "custom_checks"
PACK_MARKER = "CKV_KMSG_1"


@dataclass(frozen=True)
class Result:
    check_id: str
    resource: str  # Checkov's resource address, e.g. module.s3.aws_s3_bucket.this
    result: str  # PASSED, FAILED or SKIPPED
    details: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check_id, self.resource, self.result)


def registered_check(check_id: str, resource_type: str):
    """The instance Checkov's resource registry runs for ``check_id`` on ``resource_type``."""
    ensure_loaded()
    matches = [c for c in resource_registry.checks.get(resource_type, []) if c.id == check_id]
    assert len(matches) == 1, f"{check_id} registered {len(matches)} times for {resource_type}"
    return matches[0]


def registered_ids() -> set[str]:
    ensure_loaded()
    return {c.id for checks in resource_registry.checks.values() for c in checks}


def _loaded() -> bool:
    return any(c.id == PACK_MARKER for checks in resource_registry.checks.values() for c in checks)


def ensure_loaded() -> None:
    if not _loaded():
        resource_registry.load_external_checks(str(CUSTOM_CHECKS))
        assert _loaded(), f"no kmsguard check registered from {CUSTOM_CHECKS}"


def run(root: Path | str, checks: list[str] | None = None, skip_checks: list[str] | None = None) -> list[Result]:
    """Every PASSED, FAILED and SKIPPED record of one Terraform scan of ``root``."""
    # The first run loads the pack the way the CLI does (also marking its IDs external).
    external = None if _loaded() else [str(CUSTOM_CHECKS)]
    report = Runner().run(
        root_folder=str(root),
        external_checks_dir=external,
        runner_filter=RunnerFilter(framework=["terraform"], checks=checks, skip_checks=skip_checks),
    )
    records = report.passed_checks + report.failed_checks + report.skipped_checks
    return [
        Result(r.check_id, r.resource, CheckResult(r.check_result["result"]).name, tuple(r.details or ()))
        for r in records
    ]
