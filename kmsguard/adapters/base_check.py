"""The base every kmsguard check builds on: metadata, graph access, and no silent pass.

Checkov turns an exception inside a check into UNKNOWN and leaves it out of
every report, so a bug would look like a clean scan. Here an internal error
becomes FAILED, with the error in the result's details and in the log.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from checkov.common.bridgecrew.severities import Severities
from checkov.common.checks.base_check import BaseCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from kmsguard.adapters import terraform_scan
from kmsguard.model.fix_intents import Intent
from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.settings import Setting, SettingsError

DOCS_URL = "https://github.com/kmsguard/kmsguard/blob/main/docs/checks/{id}.md"
logger = logging.getLogger("kmsguard")




@dataclass
class Verdict:
    result: CheckResult
    details: list[str] = field(default_factory=list)
    intents: list[Intent] = field(default_factory=list)  # what `kmsguard fix` should change (FAILED only)
    # The model instances judged, as (root, address): the fixer judges them again on its patched copy.
    instances: tuple[tuple[str, str], ...] = ()

    @classmethod
    def passed(cls, *details: str) -> "Verdict":
        return cls(CheckResult.PASSED, list(details))

    @classmethod
    def failed(cls, *details: str, intents: Iterable[Intent] = ()) -> "Verdict":
        return cls(CheckResult.FAILED, list(details), list(intents))

    @classmethod
    def combined(cls, failed: list["Verdict"]) -> "Verdict":
        """One FAILED verdict for several failed instances: every distinct detail, every intent."""
        return cls.failed(*dict.fromkeys(d for v in failed for d in v.details),
                          intents=[i for v in failed for i in v.intents])

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
        """Judge every instance Checkov's ``conf`` stands for."""
        scan = terraform_scan.view(self.graph)
        located = scan.locate(conf, self.entity_path.rsplit(":", 2)[0])
        if located.problem:
            return Verdict.failed(f"kmsguard could not evaluate this resource: {located.problem}")
        if not located.blocks:
            return Verdict.not_applicable()  # Terraform would create no instance of it
        return self.judge_instances(located.blocks, scan.model)

    def judge_instances(self, blocks: list[Block], model: ResourceGraph) -> Verdict:
        """One verdict for the instances of one Checkov resource; any failure fails, so no instance passes for another."""
        verdicts = [self.evaluate(block, model) for block in blocks]
        failed = [v for v in verdicts if v.result == CheckResult.FAILED]
        passed = [v for v in verdicts if v.result == CheckResult.PASSED]
        verdict = Verdict.combined(failed) if failed else passed[0] if passed else verdicts[0]
        return dataclasses.replace(verdict, instances=tuple((b.root, b.address) for b in blocks))

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        address = conf.get("__address__", self.entity_path) if isinstance(conf, dict) else self.entity_path
        return guarded(self, self.SETTINGS, lambda: self._judge(conf), address)


@dataclass(frozen=True)
class Recorded:
    """One result as a check returned it, with its verdict (and so its fix intents)."""

    check_id: str
    framework: str  # terraform, terraform_plan or cloudformation
    file: str  # the scanned file as Checkov names it
    address: str
    result: CheckResult
    verdict: Verdict


_recorders: list[list[Recorded]] = []
_recording_lock = threading.Lock()


@contextlib.contextmanager
def recording() -> Iterator[list[Recorded]]:
    """Collect every result ``guarded`` returns while the block runs (the fixer runs Checkov in-process)."""
    records: list[Recorded] = []
    with _recording_lock:
        _recorders.append(records)
    try:
        yield records
    finally:
        with _recording_lock:
            _recorders.remove(records)


def _record(check: BaseCheck, where: str, verdict: Verdict) -> None:
    if not _recorders:
        return
    entity = str(getattr(check, "entity_path", "") or "")
    cloudformation = any(c.__module__.startswith("checkov.cloudformation") for c in type(check).__mro__)
    framework = "cloudformation" if cloudformation else (
        "terraform_plan" if entity.split(":", 1)[0].endswith(".json") else "terraform")
    file = entity[: entity.find(":" + str(getattr(check, "entity_type", "")))] if ":" in entity else entity
    with _recording_lock:
        for records in _recorders:
            records.append(Recorded(str(check.id), framework, file, where, verdict.result, verdict))


def safely(check_id: str, settings: Iterable[Setting], judge: Callable[[], Verdict], where: str) -> Verdict:
    """``judge()`` after reading the settings; a bad setting or an internal error is a FAILED verdict that says so.

    Checkov would have made an exception UNKNOWN, which no report shows.
    """
    try:
        for setting in settings:  # a bad setting fails every resource of the check
            setting.read()
        return judge()
    except SettingsError as error:
        logger.error("%s", error)
        return Verdict.failed(str(error))
    except Exception as error:  # never let Checkov turn a bug into a silent UNKNOWN
        logger.error("kmsguard %s: internal error on %s", check_id, where, exc_info=True)
        return Verdict.failed(
            f"kmsguard internal error, resource not evaluated: {type(error).__name__}: {error}. "
            "Reported as FAILED so the scan is not falsely clean; please report this."
        )


def guarded(check: BaseCheck, settings: Iterable[Setting], judge: Callable[[], Verdict], where: str) -> CheckResult:
    """Run ``judge`` for ``check`` (see ``safely``), with its details in Checkov's result."""
    verdict = safely(str(check.id), settings, judge, where)
    # Details never say whether `kmsguard fix` will write the change: only its planner knows (how the value is
    # written, the other edits to the same file, the rescan of a bucket's users); its summary says so.
    check.details.extend(verdict.details)
    _record(check, where, verdict)
    return verdict.result
