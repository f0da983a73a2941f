"""Make Checkov's SARIF valid SARIF 2.1.0, with each result's reason in its message.

Checkov writes every ``details`` entry of a result as ``attachments: [{"description":
"<text>"}]``: an attachment needs an ``artifactLocation`` and its ``description``
must be a message object, so GitHub code scanning rejects the file. Its
``message.text`` is only the check name, and no viewer shows attachments
anyway. ``repair`` moves the details into ``message.text`` and drops the broken
attachments; ``kmsguard`` applies it to its own SARIF, ``kmsguard sarif-fix``
to a file plain ``checkov`` wrote. Repairing twice changes nothing.
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any


class SarifError(Exception):
    """The input is not a SARIF log this module can repair; one line says why."""


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("text", "")
    return str(value).strip() if value is not None else ""


def _take_reasons(result: dict[str, Any]) -> list[str]:
    """Remove the invalid attachments of a result; return their texts, in order, once each."""
    reasons: list[str] = []
    kept = []
    for attachment in result.pop("attachments", None) or []:
        if isinstance(attachment, dict) and "artifactLocation" in attachment and isinstance(
            attachment.get("description", {}), dict
        ):
            kept.append(attachment)  # already valid: leave it alone
            continue
        reason = _text(attachment.get("description") if isinstance(attachment, dict) else attachment)
        if reason and reason not in reasons:
            reasons.append(reason)
    if kept:
        result["attachments"] = kept
    return reasons


def _fix_regions(result: dict[str, Any]) -> None:
    """Lines are 1-based; a record Checkov has no line for can carry 0."""
    for location in result.get("locations") or []:
        region = (location.get("physicalLocation") or {}).get("region")
        if not isinstance(region, dict):
            continue
        for key in ("startLine", "endLine"):
            if key in region and (not isinstance(region[key], int) or region[key] < 1):
                region[key] = 1
        if region.get("endLine", 1) < region.get("startLine", 1):
            region["endLine"] = region["startLine"]


def _repair_result(result: dict[str, Any]) -> None:
    reasons = _take_reasons(result)
    message = result.get("message")
    if not isinstance(message, dict):
        message = result["message"] = {"text": _text(message)}
    title = _text(message.get("text")) or str(result.get("ruleId") or "finding")
    message["text"] = f"{title}: {'; '.join(reasons)}" if reasons else title
    _fix_regions(result)


def repair(log: Any) -> dict[str, Any]:
    """Repair a parsed SARIF log in place and return it."""
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        raise SarifError("not a SARIF log (no 'runs' list)")
    if log.get("version") != "2.1.0":
        raise SarifError(f"SARIF version {log.get('version')!r} is not 2.1.0")
    for run in log["runs"]:
        if not isinstance(run, dict):
            raise SarifError("not a SARIF log (a run is not an object)")
        for result in run.get("results") or []:
            if not isinstance(result, dict):
                raise SarifError("not a SARIF log (a result is not an object)")
            _repair_result(result)
    return log


def repair_file(source: str, target: str | None = None) -> int:
    """Repair the SARIF file ``source`` into ``target`` (default: in place); return the result count."""
    try:
        with open(source, encoding="utf-8") as handle:
            log = json.load(handle)
    except FileNotFoundError:
        raise SarifError(f"file not found: {source}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SarifError(f"cannot read {source}: {getattr(error, 'strerror', None) or error}") from None
    except json.JSONDecodeError as error:
        raise SarifError(f"{source} is not JSON ({error.msg} at line {error.lineno})") from None
    try:
        repair(log)
    except SarifError as error:
        raise SarifError(f"{source}: {error}") from None
    target = target or source
    directory = os.path.dirname(os.path.abspath(target))
    temporary = None
    try:  # write beside the target, then rename: a failed write never leaves half a file
        descriptor, temporary = tempfile.mkstemp(prefix=".sarif-", dir=directory)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(log, handle, indent=2)
            handle.write("\n")
        os.replace(temporary, target)
    except OSError as error:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
        raise SarifError(f"cannot write {target}: {error.strerror or error}") from None
    return sum(len(run.get("results") or []) for run in log["runs"])
