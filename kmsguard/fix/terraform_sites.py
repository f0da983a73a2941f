"""Where a Terraform value is written: the literal in the block, a module call's argument, a tfvars entry, a default.

``value_site`` follows an argument of an evaluated instance back to the text
that gives it its value, nearest first, and returns the edit that changes it
there. A variable reference is never replaced by a literal: its value is
changed where the variable gets it. Files Terraform or Checkov downloaded
(``.terraform/``, ``.external_modules/``) are never edited; a registry
module's resource is fixed through the module's input, or not at all.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kmsguard.fix import incremental_parse, terraform_edits
from kmsguard.fix.errors import EditRefused
from kmsguard.fix.hcl_text import Attribute, HclSyntaxError, Nested
from kmsguard.fix.incremental_parse import shifted
from kmsguard.model.resources import Block, module_prefix
from kmsguard.readers.terraform import TFVARS

_LITERAL = re.compile(r'^(?:true|false|null|-?\d+(?:\.\d+)?|"(?:[^"\\$%]|\\.|\$(?!\{)|%(?!\{))*")$')
_VAR = re.compile(r"^var\.([\w-]+)$")
_LOCAL = re.compile(r"^local\.([\w-]+)$")
_CALLS = re.compile(r'module\.([\w-]+)(?:\[[^\]]*\])?\.')
DOWNLOADED = (".terraform", ".external_modules")

Locator = tuple  # ("resource", type, name), ("module", name), ("variable", name), ("locals", name), ("file",)


@dataclass(frozen=True)
class Edit:
    """One change to one file: ``apply(text, node)`` with ``node`` found again by ``locator`` in the current text."""

    file: str
    locator: Locator
    key: tuple  # equal keys are the same change (several instances, several findings)
    conflict: tuple  # equal conflict keys with different keys are contradictory changes
    apply: Callable[[str, Nested], str]
    what: str  # for the summary


def downloaded(path: str) -> bool:
    return any(part in DOWNLOADED for part in Path(path).parts)


def read(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def stamp(path: str) -> tuple:
    """What tells one version of a file from the next, for caches keyed by file."""
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


@functools.lru_cache(maxsize=512)
def _items(path: str, version: tuple) -> list:
    return [shifted(item, delta) for item, delta in incremental_parse.top_items(read(path))]


def items_of(path: str) -> list:
    try:
        os.stat(path)
        return _items(path, stamp(path))
    except (OSError, UnicodeDecodeError) as error:
        raise EditRefused(f"{path} cannot be read: {error}") from error
    except HclSyntaxError as error:
        raise EditRefused(f"{path} does not parse as HCL ({error})") from error


def locate(text: str, locator: Locator) -> Nested:
    """The top-level block ``locator`` names in ``text`` (a whole-file pseudo block for tfvars)."""
    items = incremental_parse.top_items(text)
    if locator[0] == "file":
        return Nested("file", [], 0, -1, len(text), [shifted(item, delta) for item, delta in items])
    for item, delta in items:
        if not isinstance(item, Nested):
            continue
        if locator[0] == "locals" and item.type == "locals" and terraform_edits.attribute(item, locator[1]):
            return shifted(item, delta)
        if item.type == locator[0] and item.labels == list(locator[1:]):
            return shifted(item, delta)
    raise EditRefused(f"{' '.join(locator)} is no longer in the file")


def _find(path: str, locator: Locator) -> Nested | None:
    try:
        return locate(read(path), locator)
    except (EditRefused, OSError, HclSyntaxError):
        return None


def _module_files(directory: str) -> list[str]:
    try:
        return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".tf"))
    except OSError:
        return []


def _declared(directory: str, locator: Locator) -> tuple[str, Nested] | None:
    for path in _module_files(directory):
        for item in items_of(path):
            if isinstance(item, Nested) and item.type == locator[0] and item.labels == list(locator[1:]):
                return path, item
    return None


def module_dir(root: str, calls: list[str]) -> str:
    """The directory of the module reached from ``root`` through the module calls ``calls``."""
    directory = root
    for depth, name in enumerate(calls):
        declared = _declared(directory, ("module", name))
        if declared is None:
            raise EditRefused(f"module {name!r} is not declared in {directory}")
        path, call = declared
        source = terraform_edits.attribute(call, "source")
        text = source.value(read(path)) if source else ""
        literal = json.loads(text) if text.startswith('"') else None
        if isinstance(literal, str) and literal.startswith(("./", "../")):
            directory = os.path.normpath(os.path.join(directory, literal))
            continue
        installed = _installed(root, ".".join(calls[:depth + 1]))
        if installed is None:
            raise EditRefused(f"module {name!r} ({literal or text}) is not installed: run terraform init")
        directory = installed
    return directory


def _installed(root: str, key: str) -> str | None:
    try:
        manifest = json.loads(read(os.path.join(root, ".terraform", "modules", "modules.json")))
    except (OSError, ValueError):
        return None
    for module in manifest.get("Modules", []):
        if module.get("Key") == key:
            return os.path.normpath(os.path.join(root, module.get("Dir", "")))
    return None


def _calls(address: str) -> list[str]:
    return _CALLS.findall(module_prefix(address))


def value_site(block: Block, path: tuple, value_text: str) -> Edit:
    """The edit that gives ``block``'s argument at ``path`` the value ``value_text`` where its value is written."""
    if block.source is None:
        raise EditRefused(f"kmsguard does not know where {block.address} is written")
    file = block.source[0]
    locator: Locator = ("data" if block.block_type == "data" else "resource", block.type, block.base_name)
    node = _find(file, locator)
    if node is None:
        raise EditRefused(f"{block.address} is not found in {file}")
    text = read(file)
    existing = terraform_edits.attribute(terraform_edits.find_nested(text, node, path[:-1]), path[-1])
    calls = _calls(block.address)
    if existing is None or _LITERAL.match(existing.value(text)):
        if downloaded(file):
            raise EditRefused(f"{block.address} is in a downloaded module ({file}), which kmsguard never edits, and "
                              f"the module has no input for {path[-1]}: fork the module or set it upstream")
        return _set(file, locator, path, value_text, block.address)
    expression = existing.value(text)
    return _follow(block.root, calls, expression, value_text, f"{block.address} {'.'.join(map(str, path))}")


def _set(file: str, locator: Locator, path: tuple, value_text: str, what: str) -> Edit:
    def apply(text: str, node: Nested) -> str:
        container = terraform_edits.find_nested(text, node, path[:-1])
        return terraform_edits.set_argument(text, container, path[-1], value_text)

    where = (os.path.realpath(file), locator, path)
    return Edit(file, locator, where + (value_text,), where, apply, f"{what}: {'.'.join(map(str, path))} = {value_text}")


def _follow(root: str, calls: list[str], expression: str, value_text: str, what: str) -> Edit:
    """The edit for a value written as ``expression`` in the module reached through ``calls``."""
    local = _LOCAL.match(expression)
    if local:
        return _follow_local(root, calls, local.group(1), value_text, what)
    var = _VAR.match(expression)
    if not var:
        raise EditRefused(f"{what} is computed by the expression {expression}: change it by hand")
    if calls:
        return _follow_input(root, calls, var.group(1), value_text, what)
    return _follow_root_variable(root, var.group(1), value_text, what)


def _follow_local(root: str, calls: list[str], name: str, value_text: str, what: str) -> Edit:
    for file in _module_files(module_dir(root, calls)):
        for item in items_of(file):
            found = terraform_edits.attribute(item, name) if isinstance(item, Nested) and item.type == "locals" else None
            if found is not None:
                return _literal_or_follow(root, calls, file, ("locals", name), found, value_text, what)
    raise EditRefused(f"{what} comes from local.{name}, which kmsguard cannot find")


def _follow_input(root: str, calls: list[str], name: str, value_text: str, what: str) -> Edit:
    """A module's variable: the call's argument, or a new argument on the call (other callers keep the default)."""
    parent = module_dir(root, calls[:-1])
    declared = _declared(parent, ("module", calls[-1]))
    if declared is None:
        raise EditRefused(f"module {calls[-1]!r} is not declared in {parent}")
    file, call = declared
    argument = terraform_edits.attribute(call, name)
    if argument is None:
        if downloaded(file):
            raise EditRefused(f"{what} comes from var.{name} of a module called inside a downloaded module: "
                              "fork it or set it upstream")
        return _set(file, ("module", calls[-1]), (name,), value_text, f"module.{calls[-1]}")
    return _literal_or_follow(root, calls[:-1], file, ("module", calls[-1]), argument, value_text, what)


def _follow_root_variable(root: str, name: str, value_text: str, what: str) -> Edit:
    """A root variable: the tfvars entry that sets it (highest precedence first), else its default."""
    for file in reversed(_tfvars(root)):
        if file.endswith(".json"):
            if re.search(rf'"{re.escape(name)}"\s*:', read(file)):
                raise EditRefused(f"{what} comes from var.{name}, set in the JSON file {file}: change it there")
            continue
        for item in items_of(file):
            if isinstance(item, Attribute) and item.name == name:
                return _literal_or_follow(root, [], file, ("file",), item, value_text, what)
    declared = _declared(root, ("variable", name))
    if declared is None:
        raise EditRefused(f"{what} comes from var.{name}, which kmsguard cannot find")
    file, variable = declared
    default = terraform_edits.attribute(variable, "default")
    if default is None:
        raise EditRefused(f"{what} comes from var.{name}, which has no value: give it one")
    return _literal_or_follow(root, [], file, ("variable", name), default, value_text, what)


def _literal_or_follow(root: str, calls: list[str], file: str, locator: Locator, found: Attribute,
                       value_text: str, what: str) -> Edit:
    expression = found.value(read(file))
    if _LITERAL.match(expression):
        if downloaded(file):
            raise EditRefused(f"{what} is written in a downloaded module ({file}): fork it or set it upstream")
        path = ("default",) if locator[0] == "variable" else (found.name,)
        return _set(file, locator, path, value_text, " ".join(locator) if locator[0] != "file" else file)
    return _follow(root, calls, expression, value_text, what)


def _tfvars(root: str) -> list[str]:
    """The root's tfvars files in Terraform's order of precedence, lowest first (--var-file comes last)."""
    try:
        names = sorted(f for f in os.listdir(root) if TFVARS.match(f))
    except OSError:
        return []
    ordered: list[str] = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    ordered += [n for n in names if n not in ordered]
    return [os.path.join(root, n) for n in ordered] + list(VAR_FILES)


VAR_FILES: list[str] = []  # --var-file values of this run, set by the command (highest precedence last)
