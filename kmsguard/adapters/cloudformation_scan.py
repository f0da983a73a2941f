"""The one place that knows how Checkov runs CloudFormation checks: each rule's CloudFormation twin.

``cloudformation_twin(check)`` registers, under the same ID, a Checkov
CloudFormation resource check that judges with the Terraform check's own
``evaluate`` on the same model (``kmsguard.cloudformation`` fills it from the
templates). A check file adds one line: ``cfn_check = cloudformation_twin(check)``.

Checkov gives a CloudFormation check no graph (``self.graph`` is None) and one
resource at a time, so the twin finds the template itself: every dict of the
resource's configuration carries ``__file__`` (the template path as Checkov
opened it), except a resource with no or empty ``Properties``: that one is
found from the runner's ``file_abs_path`` (read from its stack frame), or from
the scanned file's relative path under the scanned directories. All
templates under the scanned directory (or the ``-f`` files) are read once per
scan into one model; a template that cannot be read fails its resources.

Each template is evaluated with the parameter values its deployment passes
(``readers.cloudformation_parameters``). A resource whose Condition is false
gets no result, like a Terraform resource with no instance; Checkov's own
pruning, made with the defaults only, is checked against kmsguard's reading
(``_keep_created``), so a resource a deployment value creates is judged.

Same stance as ``check.KmsguardCheck``: an internal error is FAILED with the
error in the details, never Checkov's silent UNKNOWN.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from checkov.cloudformation import runner as cloudformation_runner
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.cloudformation.graph_builder.graph_to_definitions import (
    convert_graph_vertices_to_definitions as _convert_vertices,
)
from checkov.common.models.enums import CheckResult
from checkov.common.output.record import Record

from kmsguard.adapters.base_check import KmsguardCheck, Verdict, guarded
from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.readers import cloudformation, cloudformation_parameters
from kmsguard.settings import CFN_PARAMETERS, SAM_CONFIG_ENV, SettingsError

logger = logging.getLogger("kmsguard")

# Model type -> the CloudFormation resource types whose Checkov results it answers.
CLOUDFORMATION_TYPES = {
    "aws_s3_bucket": ("AWS::S3::Bucket",),
    "aws_kms_key": ("AWS::KMS::Key",),
    "aws_kms_external_key": ("AWS::KMS::Key",),
    "aws_kms_replica_key": ("AWS::KMS::ReplicaKey",),
    "aws_iam_role": ("AWS::IAM::Role", "AWS::Serverless::Function"),
    # service deliveries (CKV2_KMSG_3); an inventory or analytics export is reported on its bucket
    "aws_s3_bucket_inventory": ("AWS::S3::Bucket",),
    "aws_s3_bucket_analytics_configuration": ("AWS::S3::Bucket",),
    "aws_cloudtrail": ("AWS::CloudTrail::Trail",),
    "aws_flow_log": ("AWS::EC2::FlowLog",),
    "aws_lb": ("AWS::ElasticLoadBalancingV2::LoadBalancer",),
    "aws_wafv2_web_acl_logging_configuration": ("AWS::WAFv2::LoggingConfiguration",),
    "aws_config_delivery_channel": ("AWS::Config::DeliveryChannel",),
}


def cloudformation_twin(check: KmsguardCheck) -> BaseResourceCheck:
    """Register and return the CloudFormation check that judges like ``check`` (same ID, same ``evaluate``)."""
    twin_class = type(f"{type(check).__name__}CloudFormation", (_Twin,), {"__module__": type(check).__module__})
    twin = twin_class(check)
    _TWINS[twin.id] = twin
    _keep_details()
    return twin


_TWINS: dict[str, "_Twin"] = {}


class DetailedRecord(Record):
    """A record of Checkov's CloudFormation runner that keeps the twin's details.

    Checkov 3.3's CloudFormation runner builds each ``Record`` without the
    check's ``details`` (the Terraform runner passes them), so a FAILED result
    would not say why. It builds the records of one resource right after
    running every check on it, so each twin's ``details`` are still this
    resource's.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        twin = _TWINS.get(kwargs.get("check_id", ""))
        if twin is not None and not kwargs.get("details") and twin.details:
            kwargs["details"] = list(twin.details)
        super().__init__(*args, **kwargs)


def _keep_details() -> None:
    if getattr(cloudformation_runner, "Record", None) is Record:
        cloudformation_runner.Record = DetailedRecord  # type: ignore[misc]
    if getattr(cloudformation_runner, "convert_graph_vertices_to_definitions", None) is _convert_vertices:
        cloudformation_runner.convert_graph_vertices_to_definitions = _keep_created


class _Twin(BaseResourceCheck):
    def __init__(self, rule: KmsguardCheck) -> None:
        self.rule = rule
        types = sorted({t for model_type in rule.RESOURCES for t in CLOUDFORMATION_TYPES.get(model_type, ())})
        super().__init__(name=rule.name, id=rule.id, categories=rule.categories, supported_resources=types,
                         guideline=rule.guideline)
        self.severity = rule.severity

    @property
    def SETTINGS(self) -> tuple:  # noqa: N802 - the rule's attribute, mirrored
        return tuple(getattr(self.rule, "SETTINGS", ()))

    def get_evaluated_keys(self) -> list[str]:
        return []  # the rule's keys are provider argument names, not template paths

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        return guarded(self, self.SETTINGS, lambda: self._judge(conf), self.entity_path)

    def _judge(self, conf: dict) -> Verdict:
        cloudformation_parameters.validate()  # a bad parameter file fails every resource, naming it
        logical_id = self.entity_path.rsplit(":", 1)[-1]
        scanned_file = self.entity_path[: -len(f":{self.entity_type}:{logical_id}")]
        path = template_path(conf, scanned_file)
        if path is None:
            return Verdict.failed(f"kmsguard could not find the template {scanned_file} on disk to evaluate {logical_id}")
        scan = scan_of(path, scanned_file)
        if path in scan.problems:
            return Verdict.failed(f"kmsguard could not evaluate this resource: {scan.problems[path]}")
        template = scan.templates.get(path)
        if template is None:
            return Verdict.failed(f"kmsguard did not read {path} as a CloudFormation template")
        if logical_id in template.pruned:
            return Verdict.not_applicable()  # its Condition is false: not created, like a Terraform count = 0
        blocks = template.by_logical_id.get(logical_id)
        if blocks is None:
            return Verdict.failed(f"{logical_id} is not in kmsguard's reading of {path}")
        blocks = [b for b in blocks if b.type in self.rule.RESOURCES]
        if not blocks:
            return Verdict.not_applicable()  # e.g. a SAM function with its own Role, an imported-material key
        verdict = self._combined([self.rule.evaluate(block, scan.model) for block in blocks])
        if logical_id in template.assumed and verdict.result != CheckResult.UNKNOWN:
            verdict.details.append(template.assumed[logical_id])
        return verdict

    @staticmethod
    def _combined(verdicts: list[Verdict]) -> Verdict:
        failed = [v for v in verdicts if v.result == CheckResult.FAILED]
        if failed:
            return Verdict.combined(failed)  # every detail and fix intent
        passed = [v for v in verdicts if v.result == CheckResult.PASSED]
        return passed[0] if passed else verdicts[0]


@dataclass
class Scan:
    """Every template of one scan, read once, in one model."""

    model: ResourceGraph
    templates: dict[str, cloudformation.Template] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # template path -> why it could not be read
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (mtime_ns, size) when read
    sources: dict[str, tuple[int, int]] = field(default_factory=dict)  # parameter files read, likewise


_lock = threading.Lock()
_scans: dict[Any, Scan] = {}
_roots: set[str] = set()  # directories scans were rooted at, to find templates of resources without __file__


def scan_of(path: str, scanned_file: str) -> Scan:
    """The Scan holding ``path``: read once, again only if that template changed on disk."""
    key, files = _scope(path, scanned_file)  # files: listed only when the scan is built (a walk of the tree)
    key = (key, os.environ.get(CFN_PARAMETERS.variable), os.environ.get(SAM_CONFIG_ENV.variable))
    with _lock:
        cached = _scans.get(key)
        if cached is not None and cached.stamps.get(path) == _stamp(path) and all(
                _stamp(source) == stamp for source, stamp in cached.sources.items()):
            return cached
        built = _build(files())
        _scans[key] = built
        return built


def _build(files: list[str]) -> Scan:
    templates: dict[str, cloudformation.Template] = {}
    problems: dict[str, str] = {}
    stamps: dict[str, tuple[int, int]] = {}
    sources: dict[str, tuple[int, int]] = {}
    for file in files:
        stamps[file] = _stamp(file)
        try:
            template = _load(file, sources)
        except (cloudformation.TemplateError, SettingsError) as error:
            problems[file] = str(error)
            continue
        except Exception as error:  # a reader bug fails this template's resources, not the others
            logger.error("kmsguard: could not read %s", file, exc_info=True)
            problems[file] = f"kmsguard internal error reading {file}: {type(error).__name__}: {error}"
            continue
        if template is not None:
            templates[file] = template
    blocks: list[Block] = [b for t in templates.values() for b in t.blocks]
    return Scan(ResourceGraph(blocks), templates, problems, stamps, sources)


def _load(file: str, sources: dict[str, tuple[int, int]] | None = None) -> cloudformation.Template | None:
    """One template, evaluated with the values its deployment passes (a parameter file, samconfig.toml)."""
    def values_for(path: str) -> cloudformation_parameters.DeploymentValues | None:
        deployment = cloudformation_parameters.for_template(path)
        for source in deployment.files if deployment is not None else ():
            if sources is not None:
                sources[source] = _stamp(source)
        return deployment

    return cloudformation.load(file, values_for=values_for)  # values looked for only in templates


def _keep_created(vertices: list, root_folder: str | None) -> Any:
    """Checkov's own pruning of resources whose Condition is false, checked against kmsguard's reading.

    Checkov evaluates Conditions with the parameter defaults only (and gives
    up on some forms). Where kmsguard finds the resource created (a
    deployment value makes the Condition true) or cannot tell (judged as
    created, the assumption in the details), the resource is kept, so the
    checks report it; never a silent pass. Where kmsguard finds the Condition
    false but Checkov kept the resource, the twin gives no result.
    """
    pruned_by: dict[str, set[str] | None] = {}
    for vertex in vertices:
        if getattr(vertex, "block_type", None) != "resource" or getattr(vertex, "condition", True):
            continue
        path = os.path.abspath(str(vertex.path))
        if path not in pruned_by:
            try:
                template = _load(path)
                pruned_by[path] = template.pruned if template is not None else None
            except Exception:  # an unreadable template or parameter file: keep it, its checks say why
                logger.debug("kmsguard: could not read %s to check its conditions", path, exc_info=True)
                pruned_by[path] = None
        pruned = pruned_by[path]
        if pruned is None or str(vertex.name).rsplit(".", 1)[-1] not in pruned:
            vertex.condition = True
    return _convert_vertices(vertices, root_folder)


def _scope(path: str, scanned_file: str) -> tuple[Any, Callable[[], list[str]]]:
    """What one scan covers: the ``-f`` files given on the command line, or the directory it was rooted at."""
    given = [os.path.abspath(f) for f in _argv_values("-f", "--file")]
    if path in given:
        files = sorted({f for f in given if f.endswith(cloudformation.TEMPLATE_SUFFIXES)})
        return ("files", tuple(files)), lambda: files
    relative = os.path.normpath(scanned_file.lstrip("/\\"))
    root = path[: -len(relative)].rstrip(os.sep) if path.endswith(os.sep + relative) else os.path.dirname(path)
    root = root or os.sep
    _roots.add(root)
    return ("directory", root), lambda: cloudformation.template_files(root)


def template_path(conf: Any, scanned_file: str) -> str | None:
    """The absolute path of the template a resource's configuration came from."""
    found = _file_marker(conf) or _runner_file()
    if found:
        return os.path.abspath(found)
    relative = scanned_file.lstrip("/\\")
    bases = list(_roots) + [os.path.abspath(d) for d in _argv_values("-d", "--directory")] + [os.getcwd()]
    for base in bases:
        candidate = os.path.join(base, relative)
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None


def _runner_file() -> str | None:
    """The template Checkov's CloudFormation runner is checking: its ``file_abs_path`` (checkov 3.2, 3.3)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "check_definitions" and "cloudformation" in frame.f_code.co_filename:
            path = frame.f_locals.get("file_abs_path")
            return path if isinstance(path, str) and os.path.isfile(path) else None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _file_marker(value: Any, depth: int = 0) -> str | None:
    if depth > 32:
        return None
    if isinstance(value, dict):
        marker = value.get("__file__")
        if isinstance(marker, str) and marker:
            return marker
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = _file_marker(item, depth + 1)
        if found:
            return found
    return None


def _argv_values(*flags: str) -> list[str]:
    """Values of options of the Checkov command line this scan runs in."""
    found, args = [], sys.argv[1:]
    for i, arg in enumerate(args):
        if arg in flags:  # argparse may take several values after one flag
            for value in args[i + 1:]:
                if value.startswith("-"):
                    break
                found.append(value)
        else:
            found += [arg.split("=", 1)[1] for flag in flags if flag.startswith("--") and arg.startswith(flag + "=")]
    return found


def _stamp(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)
