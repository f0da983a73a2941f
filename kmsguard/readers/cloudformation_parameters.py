"""The values a deployment gives a template's parameters: parameter files and samconfig.toml.

CloudFormation takes parameter values at deployment; a parameter without a
``Default`` is normal. Teams keep the values in files, and the reader
evaluates the template with them:

1. files named in ``KMSGUARD_CFN_PARAMETERS`` (``kmsguard --cfn-parameters``):
   a file named for the template, or without a template (it applies to every
   template). Formats: ``create-stack --parameters file://`` (a list of
   ``{"ParameterKey", "ParameterValue"}``), and ``deploy --parameter-overrides
   file://`` (``{"Parameters": {...}}`` or ``["Key=Value", ...]``);
2. otherwise ``samconfig.toml`` beside the template or in the project root (the
   enclosing git repository, or the working directory outside one): the
   ``parameter_overrides`` of ``[ENV.deploy.parameters]``, else of
   ``[ENV.global.parameters]``, ENV from ``KMSGUARD_SAM_CONFIG_ENV``
   (``default``);
3. the template's ``Default`` for every parameter the source does not set.

A named file that is missing or cannot be read is an error naming it
(``SettingsError``, so the command stops and checks fail naming the setting);
a samconfig.toml that cannot be read, or lacks the named environment, is a
``TemplateError`` of the templates it would apply to. Never a silent fallback.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from kmsguard.readers.cloudformation_templates import TemplateError
from kmsguard.readers.terraform_roots import enclosing_repository
from kmsguard.settings import CFN_PARAMETERS, SAM_CONFIG_ENV, SettingsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9 and 3.10
    import tomli as tomllib  # type: ignore[import-not-found]  # setup.cfg: tomli; python_version < "3.11"

SAM_CONFIG = "samconfig.toml"


@dataclass(frozen=True)
class DeploymentValues:
    """Parameter values one deployment passes, and where they come from (for result details)."""

    source: str
    values: dict[str, str] = field(default_factory=dict)
    previous: frozenset[str] = frozenset()  # UsePreviousValue: the running stack's value, unknown here
    files: tuple[str, ...] = ()  # the files read, to notice a change


class ParameterFileError(SettingsError):
    """A parameter file named in KMSGUARD_CFN_PARAMETERS is missing or malformed; the message names it."""


def for_template(template: str) -> DeploymentValues | None:
    """The deployment values for ``template`` (an absolute path), or None: only the parameter Defaults apply."""
    named = named_files(template)
    if named:
        return _merged([read_parameter_file(f) for f in named])
    config = sam_config(template)
    return read_sam_config(config, SAM_CONFIG_ENV.read()) if config else None


def named_files(template: str) -> list[str]:
    """The files KMSGUARD_CFN_PARAMETERS gives ``template``: those for every template, then its own."""
    entries = CFN_PARAMETERS.read()
    everyone = [f for t, f in entries if t is None]
    own = [f for t, f in entries if t is not None and _same_file(t, template)]
    return everyone + own


def validate() -> None:
    """Read every file KMSGUARD_CFN_PARAMETERS names, so a bad one stops the scan before any result."""
    SAM_CONFIG_ENV.read()
    for _template, file in CFN_PARAMETERS.read():
        read_parameter_file(file)


def read_parameter_file(path: str) -> DeploymentValues:
    """One parameter file in any format the AWS CLI takes (see the module docstring); read again only if it changed."""
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, -1)
    cached = _read_files.get(os.path.abspath(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    values = _read_parameter_file(path)
    _read_files[os.path.abspath(path)] = (stamp, values)
    return values


_read_files: dict[str, tuple[tuple[int, int], DeploymentValues]] = {}


def _read_parameter_file(path: str) -> DeploymentValues:
    def bad(why: str) -> ParameterFileError:
        return ParameterFileError(f"kmsguard: parameter file {path} (from {CFN_PARAMETERS.variable}) {why}")

    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror or error}") from None
    except ValueError as error:
        raise bad(f"is not valid JSON: {error}") from None
    values: dict[str, str] = {}
    previous: set[str] = set()
    if isinstance(document, dict) and isinstance(document.get("Parameters"), dict):  # deploy, CodePipeline form
        values = {key: _text(value, bad, key) for key, value in document["Parameters"].items()}
    elif isinstance(document, list) and all(isinstance(item, dict) for item in document):  # create-stack form
        values, previous = _create_stack_form(document, bad)
    elif isinstance(document, list) and all(isinstance(item, str) for item in document):  # deploy "Key=Value" form
        values = _pairs(document, bad)
    else:
        raise bad('is none of the formats the AWS CLI takes: [{"ParameterKey": ..., "ParameterValue": ...}], '
                  '{"Parameters": {...}} or ["Key=Value", ...]')
    return DeploymentValues(os.path.basename(path), values, frozenset(previous), (os.path.abspath(path),))


def _create_stack_form(document: list[dict], bad: Callable[[str], Exception]) -> tuple[dict[str, str], set[str]]:
    values: dict[str, str] = {}
    previous: set[str] = set()
    for item in document:
        key = item.get("ParameterKey")
        if not isinstance(key, str) or not key:
            raise bad(f"has an entry without a ParameterKey: {json.dumps(item)[:80]}")
        if item.get("UsePreviousValue") is True:
            previous.add(key)
        elif "ParameterValue" in item:
            values[key] = _text(item["ParameterValue"], bad, key)
        else:
            raise bad(f"gives {key} neither a ParameterValue nor UsePreviousValue")
    return values, previous


def sam_config(template: str) -> str | None:
    """samconfig.toml beside the template, else in the project root (SAM CLI's default place)."""
    here = os.path.dirname(template)
    root = enclosing_repository(here) or os.getcwd()
    for directory in dict.fromkeys((here, root)):
        candidate = os.path.join(directory, SAM_CONFIG)
        if os.path.isfile(candidate):
            return candidate
    return None


def read_sam_config(path: str, environment: str) -> DeploymentValues | None:
    """``parameter_overrides`` of ENV.deploy, else ENV.global; None when the environment sets none."""
    def bad(why: str) -> TemplateError:
        return TemplateError(f"{path} {why}")

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise bad(f"cannot be read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise bad(f"is not valid TOML: {error}") from None
    env = document.get(environment)
    if not isinstance(env, dict):
        if environment == SAM_CONFIG_ENV.default:
            return None  # no [default] table: nothing deployed from this file's defaults
        raise bad(f"has no environment [{environment}] ({SAM_CONFIG_ENV.variable}={environment})")
    for command in ("deploy", "global"):  # SAM CLI: the command's own table wins over global
        table = env.get(command, {}).get("parameters", {}) if isinstance(env.get(command), dict) else {}
        overrides = table.get("parameter_overrides") if isinstance(table, dict) else None
        if overrides is not None:
            where = f"[{environment}.{command}.parameters] parameter_overrides"

            def bad_overrides(why: str, where: str = where) -> TemplateError:
                return bad(f"{where} {why}")

            values = _overrides(overrides, bad_overrides)
            return DeploymentValues(f"{os.path.basename(path)} {where}", values, files=(os.path.abspath(path),))
    return None


def _overrides(overrides: Any, bad: Callable[[str], Exception]) -> dict[str, str]:
    """SAM's ``parameter_overrides``: one string of shell-quoted ``Key=Value`` pairs, or a list of them."""
    if isinstance(overrides, str):
        try:
            return _pairs(shlex.split(overrides), bad)
        except ValueError as error:
            raise bad(f"cannot be split into Key=Value pairs: {error}") from None
    if isinstance(overrides, list) and all(isinstance(t, str) for t in overrides):
        return _pairs(overrides, bad)
    raise bad("is neither a string nor a list of strings")


def _pairs(tokens: list[str], bad: Callable[[str], Exception]) -> dict[str, str]:
    """``Key=Value`` texts (SAM also writes ``ParameterKey=K,ParameterValue=V``)."""
    values = {}
    for token in tokens:
        if token.startswith("ParameterKey=") and ",ParameterValue=" in token:
            key, value = token[len("ParameterKey="):].split(",ParameterValue=", 1)
        else:
            key, sep, value = token.partition("=")
            if not sep or not key:
                raise bad(f"has {token!r}, which is not Key=Value")
        values[key] = value
    return values


def _text(value: Any, bad: Callable[[str], Exception], key: str) -> str:
    """A parameter value as CloudFormation receives it: a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return ",".join(str(v) for v in value)  # a list parameter, as its comma-delimited text
    raise bad(f"gives {key} a value that is not a string: {json.dumps(value)[:80]}")


def _merged(found: list[DeploymentValues]) -> DeploymentValues:
    """Several files for one template: a later file's value wins."""
    values: dict[str, str] = {}
    previous: set[str] = set()
    for item in found:
        values.update(item.values)
        previous = (previous - set(item.values)) | set(item.previous)
        for key in item.previous:
            values.pop(key, None)
    return DeploymentValues(", ".join(i.source for i in found), values, frozenset(previous),
                            tuple(f for i in found for f in i.files))


def _same_file(named: str, template: str) -> bool:
    try:
        return os.path.samefile(named, template)
    except OSError:
        return os.path.abspath(named) == os.path.abspath(template)
