"""The one place that reads Checkov's resource graph, and only to learn what Checkov is scanning.

Checkov hands resource checks its library graph as ``check.graph`` (rustworkx
by default, networkx with ``CHECKOV_GRAPH_FRAMEWORK=NETWORKX``; undocumented
internals). The pack does not judge Checkov's rendering of the Terraform:
Checkov leaves ``count``, ``dynamic`` blocks, ``try()`` and many module
values unevaluated. From the graph it takes only the absolute paths of the
scanned files, and for each result Checkov asks about, which file, address
and calling root it is. The model the rules read comes from
``terraform.py`` (HCL, every root evaluated once per scan) or ``terraform_plan.py``
(a plan's JSON).

Vertex attributes relied on (checkov 3.2 and 3.3): ``block_type_``,
``__address__``, ``file_path_`` (absolute), ``config_`` and
``source_module_object_`` (the calling file, for module resources).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph, strip_indexes
from kmsguard.model.values import TERRAFORM_FILES
from kmsguard.readers import background_evaluation, terraform, terraform_plan
from kmsguard.readers.terraform_roots import RootFinder

logger = logging.getLogger("kmsguard")


class GraphUnavailable(RuntimeError):
    """Checkov did not give this check a graph it can read."""


@dataclass
class _Vertex:
    address: str
    file_path: str
    config: dict
    caller_root: str | None  # directory of the outermost calling file, for module resources


@dataclass
class Located:
    """The model instances one Checkov result stands for."""

    blocks: list[Block] = field(default_factory=list)
    problem: str | None = None  # why the pack could not evaluate the resource


class Scan:
    """One Checkov scan: the model of everything it covers, and where each Checkov resource sits in it."""

    def __init__(self, vertices: list[_Vertex], files: set[str]) -> None:
        self.vertices: dict[str, list[_Vertex]] = defaultdict(list)
        for vertex in vertices:
            self.vertices[vertex.address].append(vertex)
        self.failed_roots: dict[str, str] = {}  # root -> why it could not be evaluated
        self.evaluated_dirs: set[str] = set()
        self.roots: list[str] = []  # every Terraform root the model was read from (none for plans)
        plans = terraform_plan.plan_files(sorted(f for f in files if f.endswith(".json")))
        if plans:
            self.model = ResourceGraph(terraform_plan.blocks(plans))
            self.evaluated_dirs = set(plans)
        else:
            self.model = ResourceGraph(self._evaluate(files))
        self.by_address: dict[tuple[str, str], list[Block]] = defaultdict(list)
        self.by_base_address: dict[tuple[str, str], list[Block]] = defaultdict(list)
        self.by_file: dict[str, list[Block]] = defaultdict(list)
        for block in self.model.blocks:
            self.by_address[(block.file_path, block.address)].append(block)
            self.by_base_address[(block.file_path, block.base_address)].append(block)
            self.by_file[block.file_path].append(block)

    def _evaluate(self, files: set[str]) -> list[Block]:
        finder = RootFinder()
        # Module sources Checkov or Terraform downloaded are judged through the roots that call them.
        directories = {os.path.dirname(f) for f in files if f.endswith(TERRAFORM_FILES) and not _downloaded(f)}
        roots = sorted({root for d in directories for root in finder.roots_of(d)})
        self.roots = roots
        blocks: list[Block] = []
        for root in roots:
            evaluated = _PREFETCHED.get(root) if _PREFETCHED else None
            logger.debug("kmsguard: %s evaluated %s", root, "in the background" if evaluated else "in-process")
            try:
                if evaluated is None:
                    evaluated = terraform.load(root, _var_files())
                elif isinstance(evaluated, terraform.EvaluationError):
                    raise evaluated
            except terraform.EvaluationError as error:
                self.failed_roots[root] = str(error)
                continue
            blocks += evaluated.blocks
            self.evaluated_dirs |= evaluated.dirs
        return blocks

    def locate(self, conf: dict, scanned_file: str) -> Located:
        address = conf.get("__address__")
        if not isinstance(address, str):
            return Located(problem="Checkov gave this resource no address")
        # Checkov names a file relative to its root folder, with "../" for module files outside it.
        tail = os.sep + scanned_file.replace("\\", "/").rsplit("../", 1)[-1].lstrip("/").replace("/", os.sep)
        vertices = [v for v in self.vertices.get(address, []) if v.file_path.endswith(tail)]
        if len(vertices) > 1:
            vertices = [v for v in vertices if v.config == conf] or vertices
        if not vertices:
            return Located(problem=f"{address} is not in Checkov's resource graph")
        file_path = vertices[0].file_path
        callers = {v.caller_root for v in vertices if v.caller_root}
        if _downloaded(file_path):
            return self._downloaded_module(file_path, address)
        candidates = self._matching(file_path, address)
        if callers:
            candidates = [b for b in candidates if b.root in callers] or candidates
        if candidates:
            return Located(candidates)
        for root, error in self.failed_roots.items():
            if file_path.startswith(root + os.sep):
                return Located(problem=error)
        if os.path.dirname(file_path) in self.evaluated_dirs or file_path in self.evaluated_dirs:
            return Located()  # Terraform would create no instance of it (count or for_each is empty)
        return Located(problem=f"{address} in {file_path} is in no Terraform root kmsguard evaluated")




    def _downloaded_module(self, file_path: str, address: str) -> Located:
        """A resource of a registry module Checkov downloaded (``--download-external-modules``).

        The evaluator reads registry modules where ``terraform init`` installs
        them (``.terraform/modules``); the instances are matched by address in
        the root that holds Checkov's download folder.
        """
        root = file_path.split(os.sep + _CHECKOV_DOWNLOADS + os.sep, 1)[0]
        base = strip_indexes(address)
        found = [b for b in self.model.blocks if b.root == root and (b.address == address or b.base_address == base)]
        if found:
            return Located(found)
        return Located(problem=f"{address} comes from a registry module that kmsguard cannot evaluate without its "
                               f"source: run `terraform init` in {root} so the module is in .terraform/modules")

    def _matching(self, file_path: str, address: str) -> list[Block]:
        """Instances Checkov's ``address`` names: itself, all its instances, or (a module file scanned alone) every call's."""
        exact = self.by_address.get((file_path, address))
        if exact:
            return exact
        base = strip_indexes(address)
        found = self.by_base_address.get((file_path, base), [])
        if found or base.startswith("module."):
            return found
        return [b for b in self.by_file.get(file_path, []) if b.base_address.endswith("." + base)]


_CHECKOV_DOWNLOADS = ".external_modules"


def _downloaded(path: str) -> bool:
    parts = path.split(os.sep)
    return _CHECKOV_DOWNLOADS in parts or ".terraform" in parts


def _var_files() -> list[str]:
    """``--var-file`` values of the Checkov command line this scan runs in."""
    found, args = [], sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--var-file" and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--var-file="):
            found.append(arg.split("=", 1)[1])
    return [os.path.abspath(f) for f in found]


_PREFETCHED: background_evaluation.Evaluation | None = None


def prefetch(paths: list[str] | None = None) -> None:
    """Start evaluating the scan's roots in another process, once: when Checkov's Terraform runner loads the
    pack, or when a caller that runs Checkov's Runner in-process (``kmsguard fix``) names its paths."""
    global _PREFETCHED
    if _PREFETCHED is not None or (paths is None and not _in_terraform_runner()):
        return
    paths = [os.path.abspath(p) for p in paths if os.path.exists(p)] if paths is not None else _command_line_paths()
    if not paths:
        return
    try:
        _PREFETCHED = background_evaluation.Evaluation(paths, _var_files())
    except OSError:  # no second process: the scan evaluates in-process
        logger.debug("kmsguard could not start its background evaluation", exc_info=True)


def _in_terraform_runner() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.endswith(os.path.join("checkov", "terraform", "runner.py")):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _command_line_paths() -> list[str]:
    """``-d``/``--directory`` and ``-f``/``--file`` values of the Checkov command line."""
    found, args = [], sys.argv[1:]
    for i, arg in enumerate(args):
        if arg in ("-d", "--directory", "-f", "--file") and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith(("--directory=", "--file=")):
            found.append(arg.split("=", 1)[1])
    return [os.path.abspath(p) for p in found if os.path.exists(p)]


_lock = threading.Lock()
_last: tuple[Any, Scan] | None = None


def view(graph: Any) -> Scan:
    """The Scan for Checkov's graph object, built once per scan."""
    global _last
    if graph is None:
        raise GraphUnavailable("Checkov gave this check no resource graph")
    with _lock:
        if _last is not None and _last[0] is graph:
            return _last[1]
        vertices, files = _read(graph)
        built = Scan(vertices, files)
        _last = (graph, built)
        return built


def latest() -> Scan | None:
    """The Scan of the most recent graph (the fixer reads which roots its model came from)."""
    with _lock:
        return _last[1] if _last is not None else None


def _read(graph: Any) -> tuple[list[_Vertex], set[str]]:
    if hasattr(graph, "node_indices"):  # rustworkx.PyDiGraph
        nodes = [graph[index] for index in graph.node_indices()]
    elif hasattr(graph, "nodes"):  # networkx.DiGraph
        nodes = [attrs for _, attrs in graph.nodes(data=True)]
    else:
        raise GraphUnavailable(f"unsupported graph type {type(graph).__name__}")
    vertices, files = [], set()
    for attrs in nodes:
        if isinstance(attrs, tuple):  # rustworkx payloads are (index, attributes) on some versions
            attrs = attrs[1]
        path = str(attrs.get("file_path_", ""))
        if path:
            files.add(os.path.abspath(path))
        if attrs.get("block_type_") != "resource":
            continue
        vertices.append(_Vertex(
            address=str(attrs.get("__address__", "")),
            file_path=os.path.abspath(path),
            config=_entity_config(attrs),
            caller_root=_caller_root(attrs.get("source_module_object_")),
        ))
    return vertices, files


def _entity_config(attrs: dict) -> dict:
    """The vertex's configuration as a check's ``conf`` shows it."""
    name = str(attrs.get("block_name_", ""))
    config = attrs.get("config_") or {}
    if "." in name and isinstance(config, dict):
        type_, rest = name.split(".", 1)
        inner = config.get(type_, {})
        config = inner.get(rest, {}) if isinstance(inner, dict) else {}
    return config if isinstance(config, dict) else {}


def _caller_root(marker: Any) -> str | None:
    """The directory of the outermost file that calls the module a resource belongs to."""
    outermost = None
    for _ in range(32):
        if isinstance(marker, str):
            try:
                marker = json.loads(marker)
            except ValueError:
                return None
        if marker is None:
            break
        path = marker.get("path") if isinstance(marker, dict) else getattr(marker, "path", None)
        if not path:
            break
        outermost = path
        marker = marker.get("nested_tf_module") if isinstance(marker, dict) else getattr(marker, "nested_tf_module", None)
    return os.path.dirname(os.path.abspath(outermost)) if outermost else None
