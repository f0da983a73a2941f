"""CloudFormation template files: which files are templates, and reading them (YAML with short-form tags, JSON)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIPPED_DIRS = {"node_modules", "__pycache__", ".terraform", ".git"}


class TemplateError(ValueError):
    """A file that looks like a template but cannot be read; the message says why."""


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags; dates stay strings (policy ``Version: 2012-10-17``)."""


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value = _construct(loader, node)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _tag)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def parse_text(text: str, fmt: str) -> Any:
    """A template's text as data (``fmt`` "json" or "yaml"), short-form tags in their JSON form; a BOM is ignored."""
    text = text.removeprefix("\ufeff")
    return json.loads(text) if fmt == "json" else yaml.load(text, Loader=_Loader)  # noqa: S506


def read_template(path: str) -> dict | None:
    """The template in ``path``, None when the file is not a CloudFormation template."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if "Resources" not in text or "::" not in text:
        return None
    try:
        document = parse_text(text, "json" if path.endswith(".json") else "yaml")
    except (ValueError, yaml.YAMLError) as error:
        if re.search(r"^\s*\"?Resources\"?\s*:", text, re.M) and re.search(r"Type\"?\s*:\s*[\"']?AWS::", text):
            raise TemplateError(f"{path} could not be parsed: {type(error).__name__}: {error}") from error
        return None
    if not isinstance(document, dict):
        return None
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not any(
            isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"] for r in resources.values()):
        return None
    return document


def template_files(root: str) -> list[str]:
    """Candidate template files under ``root`` (a directory or a file), sorted."""
    if os.path.isfile(root):
        return [os.path.abspath(root)]
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        found += [os.path.abspath(os.path.join(directory, f)) for f in sorted(files) if f.endswith(TEMPLATE_SUFFIXES)]
    return found
