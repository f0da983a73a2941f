"""The base every kmsguard check builds on: metadata, graph access, and no silent pass.

Checkov turns an exception inside a check into UNKNOWN and leaves it out of
every report, so a bug would look like a clean scan. Here an internal error
becomes FAILED, with the error in the result's details and in the log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable

from checkov.common.bridgecrew.severities import Severities
from checkov.common.checks.base_check import BaseCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from kmsguard.adapters import terraform_scan
from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.settings import Setting, SettingsError

DOCS_URL = "https://github.com/kmsguard/kmsguard/blob/main/docs/checks/{id}.md"
logger = logging.getLogger("kmsguard")


@dataclass
class Verdict:
    result: CheckResult
    details: list[str] = field(default_factory=list)

    @classmethod
    def passed(cls, *details: str) -> "Verdict":
        return cls(CheckResult.PASSED, list(details))

    @classmethod
    def failed(cls, *details: str) -> "Verdict":
        return cls(CheckResult.FAILED, list(details))

    @classmethod
    def not_applicable(cls) -> "Verdict":
        # UNKNOWN is left out of reports: right for resources a rule does not cover.
        return cls(CheckResult.UNKNOWN)


class KmsguardCheck(BaseResourceCheck):
    """Subclasses set ID, NAME, RESOURCES (and SEVERITY, CATEGORY, SETTINGS) and implement ``evaluate``."""

    ID: str
    NAME: str
    RESOURCES: Iterable[str]
    SEVERITY = "HIGH"
    CATEGORY = CheckCategories.ENCRYPTION
    SETTINGS: tuple[Setting, ...] = ()  # read before anything else: a bad one fails every resource
    EVALUATED_KEYS: tuple[str, ...] = ()  # the attributes a verdict reads, for Checkov's outputs

    def __init__(self) -> None:
        super().__init__(
            name=self.NAME,
            id=self.ID,
            categories=[self.CATEGORY],
            supported_resources=list(self.RESOURCES),
            guideline=DOCS_URL.format(id=self.ID),
        )
        # Checkov's BaseCheck sets severity = None without an annotation, so mypy infers None.
        self.severity = Severities[self.SEVERITY]  # type: ignore[assignment]
        terraform_scan.prefetch()  # Checkov loads checks right before it parses: evaluate meanwhile

    def get_evaluated_keys(self) -> list[str]:
        return list(self.EVALUATED_KEYS)

    def evaluate(self, block: Block, model: ResourceGraph) -> Verdict:
        """The verdict on one instance Terraform would create, read from the model."""
        raise NotImplementedError

    def _judge(self, conf: dict) -> Verdict:
        """Judge every instance Checkov's ``conf`` stands for; any failure fails, so no instance passes for another."""
        scan = terraform_scan.view(self.graph)
        located = scan.locate(conf, self.entity_path.rsplit(":", 2)[0])
        if located.problem:
            return Verdict.failed(f"kmsguard could not evaluate this resource: {located.problem}")
        if not located.blocks:
            return Verdict.not_applicable()  # Terraform would create no instance of it
        verdicts = [self.evaluate(block, scan.model) for block in located.blocks]
        failed = [v for v in verdicts if v.result == CheckResult.FAILED]
        if failed:
            return Verdict.failed(*dict.fromkeys(d for v in failed for d in v.details))
        passed = [v for v in verdicts if v.result == CheckResult.PASSED]
        return passed[0] if passed else verdicts[0]

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        address = conf.get("__address__", self.entity_path) if isinstance(conf, dict) else self.entity_path
        return guarded(self, self.SETTINGS, lambda: self._judge(conf), address)


def guarded(check: BaseCheck, settings: Iterable[Setting], judge: Callable[[], Verdict], where: str) -> CheckResult:
    """Run ``judge`` for ``check``: settings first, details into the result, and no silent UNKNOWN.

    A bad setting or an internal error is FAILED with the reason in the
    result's details and in the log; Checkov would have made it UNKNOWN, which
    no report shows.
    """
    try:
        for setting in settings:  # a bad setting fails every resource of the check
            setting.read()
        verdict = judge()
    except SettingsError as error:
        logger.error("%s", error)
        check.details.append(str(error))
        return CheckResult.FAILED
    except Exception as error:  # never let Checkov turn a bug into a silent UNKNOWN
        logger.error("kmsguard %s: internal error on %s", check.id, where, exc_info=True)
        check.details.append(
            f"kmsguard internal error, resource not evaluated: {type(error).__name__}: {error}. "
            "Reported as FAILED so the scan is not falsely clean; please report this."
        )
        return CheckResult.FAILED
    check.details.extend(verdict.details)
    return verdict.result
