"""Which policies reach each IAM role, which SSE-KMS buckets it uses, and which KMS grants it holds.

Everything here is indexed once per scan (``access_index``), so judging a
role costs its own statements times the buckets they name, not a product
over every role, bucket and statement.

AWS facts (S3 user guide, KMS developer guide; see shared/README.md):
GetObject needs kms:Decrypt; PutObject needs kms:GenerateDataKey, and
multipart uploads kms:Decrypt too; replication of SSE-KMS objects needs
kms:Decrypt on the source key and kms:Encrypt on the replica key. In an IAM
policy only a key ARN (or a wildcard or "*") names a key; an alias ARN does
not. A key policy that names the role grants on its own. Deny wins.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Union

from kmsguard.graph import Block, ResourceGraph
from kmsguard.keys import KEY_RESOURCES, KeyClass, KeyKind, classify
from kmsguard.policy_documents import Document, Statement, iam_glob, merge, parse
from kmsguard.references import is_unresolved, reference_spans, references_in, unwrap
from kmsguard.s3 import BUCKET, block_rules, bucket_index

ROLE = "aws_iam_role"
POLICY = "aws_iam_policy"
READS = ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionForReplication")
WRITES = ("s3:PutObject", "s3:ReplicateObject")
OBJECT_ACTIONS = {"read": READS, "write": WRITES}
KMS_FOR = {"read": ("kms:Decrypt",), "write": ("kms:GenerateDataKey", "kms:Decrypt")}
_ACCOUNT_PRINCIPAL = re.compile(r"^(?:arn:aws[a-z-]*:iam::[^:/]+:root|\d{12})$")
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([^/]+)(?:/(.*))?$")

# Well-known AWS managed policies, as far as S3 and KMS go (IAM console, policy versions of 2024).
AWS_MANAGED_POLICIES = {
    "AdministratorAccess": [("Allow", ("*",), None)],
    "PowerUserAccess": [("Allow", None, ("iam:*", "organizations:*", "account:*"))],
    "AmazonS3FullAccess": [("Allow", ("s3:*", "s3-object-lambda:*"), None)],
    "AmazonS3ReadOnlyAccess": [("Allow", ("s3:get*", "s3:list*", "s3:describe*", "s3-object-lambda:get*",
                                          "s3-object-lambda:list*"), None)],
    "AWSLambdaExecute": [("Allow", ("logs:*",), None), ("Allow", ("s3:getobject", "s3:putobject"), None)],
}
_AWS_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")

@dataclass(frozen=True, eq=False)
class UnknownKey:
    """An SSE-KMS key kmsguard cannot name (unresolved, or an alias not in the scan).

    Only a grant on every key ("*", ``arn:aws:kms:*:*:key/*``) can cover it.
    """

    description: str


Key = Union[Block, str, UnknownKey]  # a key resource in the scan, a literal key ARN, or unknown


@dataclass
class EncryptedBucket:
    bucket: Block
    name: str | None
    keys: list[Key]


@dataclass
class Need:
    """A role's use of one bucket's key, and the KMS actions it calls for."""

    bucket: str
    key: Key
    actions: set[str] = field(default_factory=set)
    because: set[str] = field(default_factory=set)


@dataclass
class AccessIndex:
    buckets: list[EncryptedBucket]
    by_bucket: dict[int, EncryptedBucket]
    by_name: dict[str, list[EncryptedBucket]]
    documents: dict[int, Document]  # role -> its identity policies
    key_policies: dict[int, Document]  # key -> its key policy, for keys that set one
    replication: dict[int, list[tuple[list[Key], list[Key], str]]]  # role -> (source keys, replica keys, source)


def access_index(graph: ResourceGraph) -> AccessIndex:
    return graph.memo("iam.access_index", _build)


def _build(graph: ResourceGraph) -> AccessIndex:
    roles_by_name = _by_literal(graph.of_type(ROLE), "name")
    policies_by_name = _by_literal(graph.of_type(POLICY), "name")
    documents: dict[int, list[Document]] = defaultdict(list)

    def roles(block: Block, attribute: str) -> list[Block]:
        found = []
        for value in _values(block.config.get(attribute)):
            hits = graph.resolve(block, attribute, (ROLE,), value)
            if not hits and isinstance(value, str):
                hits = roles_by_name.get(value, [])  # a literal role name
            found += hits
        return found

    def attached(block: Block, attribute: str) -> list[Document]:
        result = []
        for value in _values(block.config.get(attribute)):
            policies = graph.resolve(block, attribute, (POLICY,), value)
            if not policies and isinstance(value, str) and not is_unresolved(value):
                managed = _AWS_MANAGED_ARN.match(value)
                if managed:
                    result.append(_aws_managed(managed.group(1), block, value))
                    continue
                policies = policies_by_name.get(value.rsplit("/", 1)[-1], [])
            if not policies:
                result.append(Document(problems=[f"{block.address}: policy {value!r} is not in this scan"]))
            for policy in policies:  # one policy may be attached to many roles: parse it once
                result.append(graph.memo(("iam.policy", id(policy)), lambda g, p=policy: parse(
                    p.config.get("policy"), p, "policy", p.address, g)))
        return result

    for role in graph.of_type(ROLE):
        for inline in role.config.get("inline_policy") or []:
            if isinstance(inline, dict) and inline.get("policy") is not None:
                documents[id(role)].append(parse(inline.get("policy"), role, "inline_policy",
                                                 f"{role.address} inline_policy", graph))
        documents[id(role)].extend(attached(role, "managed_policy_arns"))
    for block in graph.of_type("aws_iam_role_policy"):
        document = parse(block.config.get("policy"), block, "policy", block.address, graph)
        for role in roles(block, "role"):
            documents[id(role)].append(document)
    for attachment_type, attribute in (("aws_iam_role_policy_attachment", "role"), ("aws_iam_policy_attachment", "roles")):
        for block in graph.of_type(attachment_type):
            policies = attached(block, "policy_arn")
            for role in roles(block, attribute):
                documents[id(role)].extend(policies)

    key_policies: dict[int, Document] = {}
    for key in graph.of_type("aws_kms_key"):
        if key.config.get("policy") is not None:
            key_policies[id(key)] = parse(key.config.get("policy"), key, "policy", key.address, graph)
    for block in graph.of_type("aws_kms_key_policy"):
        document = parse(block.config.get("policy"), block, "policy", block.address, graph)
        for key in graph.resolve(block, "key_id", KEY_RESOURCES, unwrap(block.config.get("key_id"))):
            key_policies[id(key)] = document  # it replaces the key's own policy

    buckets = _encrypted_buckets(graph)
    keys_of_bucket = {id(b.bucket): b.keys for b in buckets}
    replication: dict[int, list] = defaultdict(list)
    for block in graph.of_type("aws_s3_bucket_replication_configuration"):
        sources = [k for b in graph.resolve(block, "bucket", (BUCKET,), unwrap(block.config.get("bucket")))
                   for k in keys_of_bucket.get(id(b), [])]
        for rule in block.config.get("rule") or []:
            if not isinstance(rule, dict) or not _sse_kms_replicated(rule):
                continue
            replicas: list[Key] = []
            for destination in _blocks(rule.get("destination")):
                for encryption in _blocks(destination.get("encryption_configuration")):
                    replicas += _nameable(classify(encryption.get("replica_kms_key_id"), block, "rule", graph))
            for role in roles(block, "role"):
                replication[id(role)].append((sources, replicas, block.address))
    by_name: dict[str, list[EncryptedBucket]] = defaultdict(list)
    for encrypted in buckets:
        if encrypted.name:
            by_name[encrypted.name].append(encrypted)
    return AccessIndex(buckets, {id(e.bucket): e for e in buckets}, by_name,
                       {k: merge(v) for k, v in documents.items()}, key_policies, replication)


def _encrypted_buckets(graph: ResourceGraph) -> list[EncryptedBucket]:
    """Buckets whose default encryption is SSE-KMS with a customer-managed key we can name."""
    index = bucket_index(graph)
    result = []
    for bucket in graph.of_type(BUCKET):
        rules = block_rules(graph, bucket, True)
        for config in index.configs_of(bucket):
            rules = rules + block_rules(graph, config, False)
        keys: list[Key] = []
        for rule in rules:
            if rule.is_kms and rule.key is not None and rule.key.kind is not KeyKind.AWS_MANAGED:
                keys += _nameable(rule.key)
        if keys:
            name = bucket.get("bucket")
            result.append(EncryptedBucket(bucket, name if isinstance(name, str) and not is_unresolved(name) else None, keys))
    return result


def _nameable(key: KeyClass) -> list[Key]:
    """The keys a customer-managed or unresolved key class stands for."""
    if key.keys:
        return list(key.keys)
    if key.literal and ":key/" in key.literal:
        return [key.literal]
    return [UnknownKey(key.description)]


def _sse_kms_replicated(rule: dict) -> bool:
    for criteria in _blocks(rule.get("source_selection_criteria")):
        for sse in _blocks(criteria.get("sse_kms_encrypted_objects")):
            if str(unwrap(sse.get("status"))).lower() == "enabled":
                return True
    return False


def assumptions_of(role: Block, graph: ResourceGraph) -> list[str]:
    """What was assumed, not read, about the role's policies (said in PASSED details)."""
    return list(dict.fromkeys(access_index(graph).documents.get(id(role), Document()).assumptions))


def needs_of(role: Block, graph: ResourceGraph) -> tuple[list[Need], list[str]]:
    """The KMS actions a role needs on each key, and problems met on the way."""
    index = access_index(graph)
    document = index.documents.get(id(role), Document())
    granted: dict[tuple[int, str], tuple[EncryptedBucket, str]] = {}
    denied: set[tuple[int, str]] = set()
    unresolved: list[str] = []
    for statement in document.statements:
        if not statement.action_patterns("s3"):
            continue
        if statement.allow:
            kinds = [kind for kind, actions in OBJECT_ACTIONS.items() if any(statement.covers_action(a) for a in actions)]
        elif not statement.conditional:
            kinds = [kind for kind, actions in OBJECT_ACTIONS.items() if statement.covers_action(actions[0])]
        else:
            continue
        if not kinds:
            continue
        for encrypted in _object_targets(statement, index, graph, unresolved if statement.allow else []):
            for kind in kinds:
                if statement.allow:
                    granted.setdefault((id(encrypted), kind), (encrypted, statement.source))
                else:
                    denied.add((id(encrypted), kind))
    needs: dict[tuple[str, int], Need] = {}

    def need(bucket: str, key: Key, actions, why: str) -> None:
        entry = needs.setdefault((bucket, id(key)), Need(bucket, key))
        entry.actions.update(actions)
        entry.because.add(why)

    for (bucket_id, kind), (encrypted, source) in granted.items():
        if (bucket_id, kind) not in denied:
            for key in encrypted.keys:
                need(_bucket_label(encrypted), key, KMS_FOR[kind], f"{kind}s objects ({source})")
    for sources, replicas, where in index.replication.get(id(role), []):
        for key in sources:
            need(f"replication {where}", key, ("kms:Decrypt",), "replicates SSE-KMS objects")
        for key in replicas:
            need(f"replication {where}", key, ("kms:Encrypt",), "writes replicas")
    return list(needs.values()), list(document.problems) + list(dict.fromkeys(unresolved))


@dataclass
class Access:
    missing: list[str] = field(default_factory=list)  # KMS actions the role lacks on the key
    only_star: bool = False  # granted, but only through Resource "*"
    iam_ignored: list[str] = field(default_factory=list)  # actions IAM grants but the key policy does not delegate
    problems: list[str] = field(default_factory=list)  # what could not be read


def access_to_key(role: Block, need: Need, graph: ResourceGraph) -> Access:
    """What the role lacks of ``need`` on its key, from its IAM policies and the key policy."""
    index = access_index(graph)
    statements = index.documents.get(id(role), Document()).statements
    key_policy = index.key_policies.get(id(need.key)) if isinstance(need.key, Block) else None
    key_statements = key_policy.statements if key_policy else []
    access = Access()
    if key_policy and key_policy.problems:
        access.problems += key_policy.problems
    for action in sorted(need.actions):
        identity = [s for s in statements if s.allow and s.covers_action(action) and _covers_key(s, need.key, graph)]
        direct = [s for s in key_statements if s.allow and s.covers_action(action) and _names_role(s, role, graph)]
        deny = [s for s in statements if not s.allow and not s.conditional and s.covers_action(action)
                and _covers_key(s, need.key, graph)]
        deny += [s for s in key_statements if not s.allow and not s.conditional and s.covers_action(action)
                 and _names_role(s, role, graph)]
        # IAM policies count only when the key policy lets the account (root) delegate to them.
        if identity and key_policy and not key_policy.problems and not any(
                s.allow and s.covers_action(action) and _names_account(s) for s in key_statements):
            access.iam_ignored.append(action)
            identity = []
        if not (identity or direct) or deny:
            access.missing.append(action)
        elif not direct and all(s.resources == ("*",) for s in identity):
            access.only_star = True
    return access


def _object_targets(statement: Statement, index: AccessIndex, graph: ResourceGraph,
                    unresolved: list[str]) -> list[EncryptedBucket]:
    """The SSE-KMS buckets whose objects a statement's Resource (or NotResource) covers."""
    if statement.resources is None:
        excluded = {id(e) for r in statement.not_resources or ()
                    for e in _objects_named(r, statement, index, graph, [])}
        return [e for e in index.buckets if id(e) not in excluded]
    found: dict[int, EncryptedBucket] = {}
    for resource in statement.resources:
        for encrypted in _objects_named(resource, statement, index, graph, unresolved):
            found[id(encrypted)] = encrypted
    return list(found.values())


def _objects_named(resource: Any, statement: Statement, index: AccessIndex, graph: ResourceGraph,
                   unresolved: list[str]) -> list[EncryptedBucket]:
    """Buckets whose objects one Resource entry covers (the bucket ARN alone covers none)."""
    if not isinstance(resource, str):
        return []
    if resource == "*":
        return index.buckets
    targets = graph.targets(statement.holder, statement.label, resource, None)
    if targets:
        return [index.by_bucket[id(t.block)] for t in targets
                if id(t.block) in index.by_bucket and t.suffix.startswith("/")]
    if is_unresolved(resource):
        unresolved.append(f"{statement.source}: Resource {resource!r} could not be resolved")
        return []
    match = _S3_ARN.match(resource)
    if not match:
        return []
    bucket, objects = match.group(1), match.group(2)
    if objects:  # arn:aws:s3:::<bucket pattern>/<key pattern>
        if not any(c in bucket for c in "*?"):
            return index.by_name.get(bucket, [])
        return [e for e in index.buckets if e.name and iam_glob(e.name, bucket)]
    # No "/": only a wildcard reaches objects, since IAM's * also matches "/" (arn:aws:s3:::acme-*).
    return [e for e in index.buckets if e.name and "*" in bucket and iam_glob(f"{e.name}/object", bucket)]


def _covers_key(statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if statement.resources is None:
        return not any(_names_key(r, statement, key, graph) for r in statement.not_resources or ())
    return any(_names_key(r, statement, key, graph) for r in statement.resources)


def _names_key(resource: Any, statement: Statement, key: Key, graph: ResourceGraph) -> bool:
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    targets = graph.targets(statement.holder, statement.label, resource, None)
    if targets:
        # Only the key ARN names a key in an IAM policy; an alias ARN or key ID does not.
        return any(t.block is key and t.attribute == "arn" for t in targets)
    if is_unresolved(resource):
        return False
    if isinstance(key, str):
        return iam_glob(key, resource)
    if isinstance(key, UnknownKey):
        return _covers_every_key(resource)
    known_arn = key.get("arn")  # only a plan of existing keys knows it; the HCL never does
    if isinstance(known_arn, str) and known_arn.startswith("arn:") and not is_unresolved(known_arn):
        return iam_glob(known_arn, resource)
    # A key created in this scan has an ARN unknown until apply: a pattern covers it
    # when it covers every key ARN (region and account are not known here either).
    return _covers_every_key(resource)


def _covers_every_key(resource: str) -> bool:
    parts = resource.split(":", 5)
    return resource.startswith("arn:") and len(parts) == 6 and iam_glob("kms", parts[2]) and parts[5] in ("*", "key/*")


def _names_account(statement: Statement) -> bool:
    return any(isinstance(p, str) and _ACCOUNT_PRINCIPAL.match(p) for p in statement.principals)


def _names_role(statement: Statement, role: Block, graph: ResourceGraph) -> bool:
    for principal in statement.principals:
        if principal == "*":
            return True
        if not isinstance(principal, str):
            continue
        if any(r.type == ROLE for r in references_in(principal)):
            if role in graph.resolve(statement.holder, statement.label, (ROLE,), principal):
                return True
            continue
        name = role.get("name")
        if isinstance(name, str) and re.search(r":role/(?:.*/)?" + re.escape(name) + r"$", principal):
            return True
    return False


def _bucket_label(encrypted: EncryptedBucket) -> str:
    return encrypted.bucket.address + (f" ({encrypted.name})" if encrypted.name else "")


def key_label(key: Key) -> str:
    if isinstance(key, UnknownKey):
        return f"{key.description} (a key kmsguard cannot name)"
    return key.address if isinstance(key, Block) else key


def _aws_managed(name: str, block: Block, arn: str) -> Document:
    if name not in AWS_MANAGED_POLICIES:
        # Most AWS managed policies are service-scoped; those granting S3 object access are listed above.
        return Document(assumptions=[f"AWS managed policy {arn} is assumed to grant no S3 object access"])
    statements = [
        Statement(effect, actions, not_actions, ("*",), None, (), False, block, "policy_arn", arn)
        for effect, actions, not_actions in AWS_MANAGED_POLICIES[name]
    ]
    return Document(statements=statements)


def _by_literal(blocks: list[Block], attribute: str) -> dict[str, list[Block]]:
    index: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        value = block.get(attribute)
        if isinstance(value, str) and not is_unresolved(value):
            index[value].append(block)
    return index


def _values(value: Any) -> list[Any]:
    """The items of a list attribute; Checkov sometimes nests them, so flatten and de-duplicate."""
    if isinstance(value, list):
        flat = [v for item in value for v in _values(item)]
        return list(dict.fromkeys(flat)) if all(isinstance(v, str) for v in flat) else flat
    return [] if value is None else [value]


def _blocks(value: Any) -> list[dict]:
    value = value if isinstance(value, list) else [value]
    return [v for v in value if isinstance(v, dict)]
