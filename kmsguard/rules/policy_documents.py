"""IAM policy documents, from every form Terraform writes them in, as plain statements.

Forms: ``jsonencode(...)`` (Checkov renders it to a dict), heredoc or quoted
JSON strings, and ``data.aws_iam_policy_document`` blocks (with
``source_policy_documents`` / ``override_policy_documents``). What cannot be
read is reported as a problem, never skipped in silence.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from kmsguard.model.resources import Block, ResourceGraph
from kmsguard.model.values import describe, is_unresolved, unwrap

POLICY_DOCUMENT = "data.aws_iam_policy_document"


@dataclass(frozen=True, eq=False)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] | None  # lower-case patterns; None when NotAction is used
    not_actions: tuple[str, ...] | None
    resources: tuple[Any, ...] | None  # rendered values; None when NotResource is used
    not_resources: tuple[Any, ...] | None
    principals: tuple[Any, ...]  # AWS principals (key policies); "*" for everyone
    conditional: bool
    holder: Block  # the block whose attribute holds the text, for resolving references
    label: str  # that attribute
    source: str  # where a person finds it
    sid: str = ""
    conditions: dict = field(default_factory=dict)  # {operator: {condition key: values}}, as IAM JSON writes it
    services: tuple[Any, ...] = ()  # Service principals (key policies: AWS services that deliver into buckets)

    def condition_values(self, key: str) -> list[tuple[str, list[Any]]]:
        """(operator, values) for each test of condition key ``key`` (condition keys ignore case)."""
        found = []
        for operator, tests in self.conditions.items():
            if not isinstance(tests, dict):
                continue
            for name, values in tests.items():
                if isinstance(name, str) and name.lower() == key.lower():
                    found.append((str(operator), _strings(values)))
        return found

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    def covers_action(self, action: str) -> bool:
        action = action.lower()
        if self.actions is not None:
            return any(_glob(action, pattern) for pattern in self.actions)
        return not any(_glob(action, pattern) for pattern in self.not_actions or ())

    def action_patterns(self, service: str) -> bool:
        """Whether the statement may grant some action of ``service`` (e.g. ``s3``)."""
        if self.actions is None:
            return True
        return any(p == "*" or p.startswith(service + ":") for p in self.actions)


@dataclass
class Document:
    statements: list[Statement] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read
    assumptions: list[str] = field(default_factory=list)  # what was assumed instead of read


def _glob(value: str, pattern: str) -> bool:
    # IAM wildcards are * and ?; brackets are literal characters.
    return fnmatchcase(value, pattern.replace("[", "[[]"))


def iam_glob(value: str, pattern: str) -> bool:
    return _glob(value, pattern)


def _strings(value: Any) -> list[Any]:
    value = unwrap(value)
    if value is None:
        return []
    if isinstance(value, list):
        return [v for item in value for v in _strings(item)]
    return [value]


def parse(value: Any, holder: Block, label: str, source: str, graph: ResourceGraph) -> Document:
    """Read a policy attribute (``policy``, ``inline_policy``...) of ``holder``."""
    value = unwrap(value)
    if isinstance(value, dict):
        return _from_json(value, holder, label, source)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("${jsonencode(") and text.endswith(")}"):
            # Checkov leaves some jsonencode() calls unrendered, printed as a Python literal.
            try:
                return _from_json(ast.literal_eval(text[len("${jsonencode("):-2]), holder, label, source)
            except (ValueError, SyntaxError, MemoryError, RecursionError) as error:
                return Document(problems=[f"{source}: policy jsonencode(...) could not be read ({type(error).__name__})"])
        if text.startswith("{"):
            try:
                loaded = json.loads(text)
            except ValueError as error:
                return Document(problems=[f"{source}: policy is not valid JSON ({error})"])
            return _from_json(loaded, holder, label, source)
        if POLICY_DOCUMENT + "." in text:
            found = graph.resolve(holder, label, (POLICY_DOCUMENT,), text)
            if found:
                return merge(policy_document(block, graph) for block in found)
        if not text:
            return Document(problems=[f"{source}: policy is empty"])
    shown = "null" if value is None else describe(value)
    return Document(problems=[f"{source}: policy {shown} could not be read"
                              + (" (unresolved)" if is_unresolved(value) else "")])


def _why_unknown(holder: Block) -> str:
    return f" ({'; '.join(holder.unknown)})" if holder.unknown else ""


def merge(documents) -> Document:
    merged = Document()
    for document in documents:
        merged.statements.extend(document.statements)
        merged.problems.extend(document.problems)
        merged.assumptions.extend(document.assumptions)
    return merged


def _from_json(policy: Any, holder: Block, label: str, source: str) -> Document:
    if not isinstance(policy, dict):
        return Document(problems=[f"{source}: policy is not a JSON object"])
    raw = policy.get("Statement")
    if raw is None and "Statement" in policy:
        # The evaluator writes null for a jsonencode() list with a value unknown before apply.
        return Document(problems=[f"{source}: its statements use a value unknown before apply{_why_unknown(holder)}"])
    raw = raw if isinstance(raw, list) else [raw] if raw is not None else []
    document = Document()
    for statement in raw:
        if not isinstance(statement, dict):
            document.problems.append(f"{source}: a statement is not a JSON object")
            continue
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            what = "has no Effect" if effect is None else f"has Effect {describe(effect)}, which is not Allow or Deny"
            document.problems.append(f"{source}: a statement {what}")
            continue
        principal = statement.get("Principal")
        principals: list[Any] = []
        services: list[Any] = []
        if principal == "*":
            principals = ["*"]
        elif isinstance(principal, dict):
            principals = _strings(principal.get("AWS"))
            services = _strings(principal.get("Service"))
        document.statements.append(_statement(
            effect,
            statement.get("Action"), "Action" not in statement and "NotAction" in statement, statement.get("NotAction"),
            statement.get("Resource"), "Resource" not in statement and "NotResource" in statement,
            statement.get("NotResource"), principals, bool(statement.get("Condition")), holder, label, source,
            statement.get("Sid"), statement.get("Condition"), services,
        ))
    return document


def _statement(effect, actions, use_not_actions, not_actions, resources, use_not_resources, not_resources,
               principals, conditional, holder, label, source, sid=None, conditions=None, services=()) -> Statement:
    lower = lambda values: tuple(str(v).lower() for v in _strings(values))  # noqa: E731
    return Statement(
        effect=effect,
        actions=None if use_not_actions else lower(actions),
        not_actions=lower(not_actions) if use_not_actions else None,
        resources=None if use_not_resources else tuple(_strings(resources)),
        not_resources=tuple(_strings(not_resources)) if use_not_resources else None,
        principals=tuple(principals),
        conditional=conditional,
        holder=holder,
        label=label,
        source=source,
        sid=sid if isinstance(sid, str) else "",
        conditions=conditions if isinstance(conditions, dict) else {},
        services=tuple(services),
    )


def policy_document(block: Block, graph: ResourceGraph) -> Document:
    """Statements of a ``data.aws_iam_policy_document``, with its source and override documents."""
    return graph.memo(("policy_document", id(block)), lambda g: _policy_document(block, g, set()))


def _policy_document(block: Block, graph: ResourceGraph, visiting: set[int]) -> Document:
    if id(block) in visiting:
        return Document(problems=[f"data.{block.type}.{block.name}: documents include each other"])
    visiting = visiting | {id(block)}
    source = f"data.{block.type}.{block.name}"
    document = Document()
    for attribute in ("source_policy_documents", "source_json"):
        for value in _strings(block.config.get(attribute)):
            document = merge([document, _included(value, block, attribute, graph, visiting)])
    own = Document()
    for raw in block.config.get("statement") or []:
        if not isinstance(raw, dict):
            continue
        effect = unwrap(raw.get("effect")) or "Allow"
        principals = [
            identifier
            for principal in raw.get("principals") or [] if isinstance(principal, dict)
            for identifier in (_strings(principal.get("identifiers")) if unwrap(principal.get("type")) == "AWS" else
                               ["*"] if "*" in _strings(principal.get("identifiers")) else [])
        ]
        services = [identifier for principal in raw.get("principals") or [] if isinstance(principal, dict)
                    and unwrap(principal.get("type")) == "Service" for identifier in _strings(principal.get("identifiers"))]
        statement = _statement(
            effect, raw.get("actions"), "actions" not in raw and "not_actions" in raw, raw.get("not_actions"),
            raw.get("resources"), "resources" not in raw and "not_resources" in raw, raw.get("not_resources"),
            principals, bool(raw.get("condition")), block, "statement", source, unwrap(raw.get("sid")),
            _document_conditions(raw.get("condition")), services,
        )
        if effect not in ("Allow", "Deny"):
            own.problems.append(f"{source}: a statement has effect {describe(effect)}, which is not Allow or Deny")
            continue
        own.statements.append(statement)
    document = merge([document, own])
    for attribute in ("override_policy_documents", "override_json"):
        for value in _strings(block.config.get(attribute)):
            override = _included(value, block, attribute, graph, visiting)
            # An override replaces the statements with the same sid; the rest are added.
            replaced = {s.sid for s in override.statements if s.sid}
            document.statements = [s for s in document.statements if not s.sid or s.sid not in replaced]
            document = merge([document, override])
    return document


def _document_conditions(blocks: Any) -> dict:
    """``condition { test, variable, values }`` blocks as IAM JSON's ``{test: {variable: values}}``."""
    conditions: dict = {}
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, dict):
            test, variable = unwrap(block.get("test")), unwrap(block.get("variable"))
            if isinstance(test, str) and isinstance(variable, str):
                conditions.setdefault(test, {}).setdefault(variable, []).extend(_strings(block.get("values")))
    return conditions


def _included(value: Any, block: Block, attribute: str, graph: ResourceGraph, visiting: set[int]) -> Document:
    if isinstance(value, str) and POLICY_DOCUMENT + "." in value:
        found = graph.resolve(block, attribute, (POLICY_DOCUMENT,), value)
        if found:
            return merge(_policy_document(b, graph, visiting) for b in found)
    return parse(value, block, attribute, f"data.{block.type}.{block.name} {attribute}", graph)
