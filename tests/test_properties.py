"""Property test: random encryption, key and IAM configurations, judged by the pack and by a plain oracle.

Hypothesis draws a world (one KMS key with an alias and maybe a key policy, a
second key, one bucket with an inline and/or a separate encryption
configuration, maybe receiving server access logs from a second bucket, one
IAM role with a role policy of S3 and KMS grants and maybe a Deny), renders it
to Terraform, scans it once with the real Checkov Runner and all pack checks,
and compares every verdict with ``oracle()``: the rules restated from their
text in plain Python, sharing no code with kmsguard. Unresolvable input may be FAILED or unreported, never
PASSED. No run may log an internal error.

KMSGUARD_PROPERTY_EXAMPLES sets the number of examples (default 500, about 20 s;
20 in the quick loop, pytest -m "not e2e", see conftest.py); the random policy
documents test draws half as many.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkov_run import ensure_loaded, one_report, outcome, registered_ids
from kmsguard.settings import ALL as SETTINGS

EXAMPLES = int(os.environ.get("KMSGUARD_PROPERTY_EXAMPLES", "500"))
MAX_ROTATION, MIN_WINDOW = 365, 7  # the settings' defaults (unset in this test)
BUCKET_NAME = "prop-bucket"
LITERAL_CMK_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
UNSET = "unset"
PASSED, FAILED = "PASSED", "FAILED"
NOT_PASSED = frozenset({FAILED, None})  # None: not reported

# --- the world -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Encryption:
    algorithm: str  # AES256, aws:kms, aws:kms:dsse, or UNSET
    key: str  # none, key_ref, alias_ref, aws_s3_alias, literal_arn, literal_alias, unresolved
    bucket_key: str  # true, false, UNSET


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    target: str  # right_key, wrong_key, star, alias, literal_arn


@dataclass(frozen=True)
class World:
    spec: str  # UNSET, SYMMETRIC_DEFAULT, RSA_2048
    rotation: str  # true, false, UNSET, unresolved
    period: object  # UNSET or days
    window: object  # UNSET, days, or "unresolved"
    inline: Encryption | None
    config: Encryption | None
    s3_actions: tuple[str, ...]
    s3_resource: str  # objects_ref, objects_literal, bucket_only, star
    grants: tuple[Grant, ...]
    key_policy: str = "default"  # default (no policy), root, role, root_and_role, service
    deny_decrypt: bool = False  # an unconditional identity Deny of kms:Decrypt on "*"
    log_target: str = "none"  # bucket b receives server access logs from bucket src: none, resource, legacy


encryptions = st.builds(
    Encryption,
    algorithm=st.sampled_from(["AES256", "aws:kms", "aws:kms:dsse", UNSET]),
    key=st.sampled_from(["none", "key_ref", "alias_ref", "aws_s3_alias", "literal_arn", "literal_alias", "unresolved"]),
    bucket_key=st.sampled_from(["true", "false", UNSET]),
)
worlds = st.builds(
    World,
    spec=st.sampled_from([UNSET, "SYMMETRIC_DEFAULT", "RSA_2048"]),
    rotation=st.sampled_from(["true", "false", UNSET, "unresolved"]),
    period=st.sampled_from([UNSET, 90, 180, 365, 366, 730, 2560]),
    window=st.sampled_from([UNSET, 7, 10, 30, "unresolved"]),
    inline=st.none() | encryptions,
    config=st.none() | encryptions,
    s3_actions=st.sampled_from([(), ("s3:GetObject",), ("s3:PutObject",), ("s3:GetObject", "s3:PutObject"),
                                ("s3:*",), ("s3:ListBucket",)]),
    s3_resource=st.sampled_from(["objects_ref", "objects_literal", "bucket_only", "star"]),
    grants=st.lists(st.builds(
        Grant,
        actions=st.sampled_from([("kms:Decrypt",), ("kms:GenerateDataKey",), ("kms:Decrypt", "kms:GenerateDataKey"),
                                 ("kms:*",)]),
        target=st.sampled_from(["right_key", "wrong_key", "star", "alias", "literal_arn"]),
    ), max_size=3).map(tuple),
    key_policy=st.sampled_from(["default", "root", "role", "root_and_role", "service"]),
    deny_decrypt=st.booleans(),
    log_target=st.sampled_from(["none", "none", "resource", "legacy"]),
)

# --- rendering -----------------------------------------------------------------------------

KEY_VALUES = {
    "key_ref": "aws_kms_key.k.arn",
    "alias_ref": "aws_kms_alias.a.arn",
    "aws_s3_alias": '"alias/aws/s3"',
    "literal_arn": json.dumps(LITERAL_CMK_ARN),
    "literal_alias": '"alias/prop-literal"',  # a customer-managed key, but which one is not in the scan
    "unresolved": "var.key",
}
GRANT_TARGETS = {
    "right_key": "aws_kms_key.k.arn",
    "wrong_key": "aws_kms_key.other.arn",
    "star": '"*"',
    "alias": "aws_kms_alias.a.arn",
    "literal_arn": json.dumps(LITERAL_CMK_ARN),
}
KEY_POLICY_STATEMENTS = {
    "root": '{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "kms:*", Resource = "*" }',
    "role": '{ Effect = "Allow", Principal = { AWS = aws_iam_role.r.arn }, '
            'Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = "*" }',
    "service": '{ Effect = "Allow", Principal = { Service = "s3.amazonaws.com" }, Action = "kms:*", Resource = "*" }',
}


def render_rule(enc: Encryption, indent: str) -> str:
    lines = []
    if enc.algorithm != UNSET:
        lines.append(f'sse_algorithm = "{enc.algorithm}"')
    if enc.key != "none":
        lines.append(f"kms_master_key_id = {KEY_VALUES[enc.key]}")
    inner = "".join(f"{indent}    {line}\n" for line in lines)
    text = f"{indent}rule {{\n{indent}  apply_server_side_encryption_by_default {{\n{inner}{indent}  }}\n"
    if enc.bucket_key != UNSET:
        text += f"{indent}  bucket_key_enabled = {enc.bucket_key}\n"
    return text + f"{indent}}}\n"


def key_arguments(world: World) -> list[str]:
    key = []
    if world.spec != UNSET:
        key.append(f'customer_master_key_spec = "{world.spec}"')
    if world.rotation != UNSET:
        key.append("enable_key_rotation = " + ("var.rotation" if world.rotation == "unresolved" else world.rotation))
    if world.period != UNSET:
        key.append(f"rotation_period_in_days = {world.period}")
    if world.window != UNSET:
        key.append("deletion_window_in_days = " + ("var.window" if world.window == "unresolved" else str(world.window)))
    if world.key_policy != "default":
        parts = ["root", "role"] if world.key_policy == "root_and_role" else [world.key_policy]
        key.append('policy = jsonencode({ Version = "2012-10-17", Statement = ['
                   + ", ".join(KEY_POLICY_STATEMENTS[part] for part in parts) + "] })")
    return key


def render(world: World) -> str:
    key = key_arguments(world)
    text = ['variable "rotation" {}\nvariable "window" {}\nvariable "key" {}\n\n',
            'resource "aws_kms_key" "k" {\n' + "".join(f"  {line}\n" for line in key) + "}\n\n",
            'resource "aws_kms_alias" "a" {\n  name          = "alias/prop"\n  target_key_id = aws_kms_key.k.key_id\n}\n\n',
            'resource "aws_kms_key" "other" {\n  enable_key_rotation = true\n}\n\n',
            'resource "aws_s3_bucket" "src" {\n  bucket = "prop-src"\n'
            + ('  logging {\n    target_bucket = aws_s3_bucket.b.id\n    target_prefix = "log/"\n  }\n'
               if world.log_target == "legacy" else "") + "}\n\n",
            'resource "aws_s3_bucket_logging" "l" {\n  bucket        = aws_s3_bucket.src.id\n'
            '  target_bucket = aws_s3_bucket.b.id\n  target_prefix = "log/"\n}\n\n' if world.log_target == "resource" else "",
            f'resource "aws_s3_bucket" "b" {{\n  bucket = "{BUCKET_NAME}"\n']
    if world.inline:
        text.append("  server_side_encryption_configuration {\n" + render_rule(world.inline, "    ") + "  }\n")
    text.append("}\n\n")
    if world.config:
        text.append('resource "aws_s3_bucket_server_side_encryption_configuration" "c" {\n'
                    "  bucket = aws_s3_bucket.b.id\n" + render_rule(world.config, "  ") + "}\n\n")
    statements = []
    if world.s3_actions:
        resource = {"objects_ref": '"${aws_s3_bucket.b.arn}/*"', "objects_literal": f'"arn:aws:s3:::{BUCKET_NAME}/*"',
                    "bucket_only": "aws_s3_bucket.b.arn", "star": '"*"'}[world.s3_resource]
        statements.append(f"{{ Effect = \"Allow\", Action = {json.dumps(list(world.s3_actions))}, Resource = {resource} }}")
    for grant in world.grants:
        statements.append(f"{{ Effect = \"Allow\", Action = {json.dumps(list(grant.actions))}, "
                          f"Resource = {GRANT_TARGETS[grant.target]} }}")
    if world.deny_decrypt:
        statements.append('{ Effect = "Deny", Action = "kms:Decrypt", Resource = "*" }')
    text.append('resource "aws_iam_role" "r" {\n  name               = "prop-role"\n  assume_role_policy = "{}"\n}\n\n'
                'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.r.id\n  policy = jsonencode({\n'
                '    Version   = "2012-10-17"\n    Statement = [\n      ' + ",\n      ".join(statements) + "\n    ]\n  })\n}\n")
    return "".join(text)


# --- the oracle: the rules, restated -------------------------------------------------------

def cmk_kind(enc: Encryption) -> str:
    """customer, aws (the AWS-managed aws/s3 key), or unknown."""
    if enc.key in ("key_ref", "alias_ref", "literal_arn", "literal_alias"):
        return "customer"
    if enc.key in ("none", "aws_s3_alias"):
        return "aws"
    return "unknown"


def rule_ok(enc: Encryption) -> bool:
    """SSE-KMS or DSSE-KMS with a customer-managed key."""
    return enc.algorithm in ("aws:kms", "aws:kms:dsse") and cmk_kind(enc) == "customer"


def log_target_verdicts(rules: list[Encryption]) -> frozenset:
    """A bucket receiving server access logs: exempt, except that log delivery cannot use aws/s3."""
    kms = [enc for enc in rules if enc.algorithm in ("aws:kms", "aws:kms:dsse")]
    if any(cmk_kind(enc) == "aws" for enc in kms):
        return frozenset({FAILED})
    if any(enc.algorithm == UNSET for enc in rules):
        return frozenset({PASSED, FAILED})  # the rule text is silent on a rule with no algorithm
    if any(cmk_kind(enc) == "unknown" for enc in kms):
        return NOT_PASSED  # might be aws/s3
    return frozenset({PASSED})


def key_verdicts(world: World) -> dict[tuple[str, str], frozenset]:
    """The oracle for the key checks, CKV_KMSG_2 and CKV_KMSG_3."""
    only = lambda verdict: frozenset({verdict})  # noqa: E731
    expected: dict[tuple[str, str], frozenset] = {}

    # CKV_KMSG_2: symmetric keys rotate, at most every MAX_ROTATION days.
    if world.spec == "RSA_2048":
        expected["CKV_KMSG_2", "aws_kms_key.k"] = only(None)
    elif world.rotation != "true":
        expected["CKV_KMSG_2", "aws_kms_key.k"] = only(FAILED)
    else:
        period = 365 if world.period == UNSET else world.period
        assert isinstance(period, int)
        expected["CKV_KMSG_2", "aws_kms_key.k"] = only(PASSED if period <= MAX_ROTATION else FAILED)
    expected["CKV_KMSG_2", "aws_kms_key.other"] = only(PASSED)

    # CKV_KMSG_3: a deletion window of at least MIN_WINDOW days (unset means 30).
    if world.window == UNSET:
        expected["CKV_KMSG_3", "aws_kms_key.k"] = only(PASSED)
    elif world.window == "unresolved":
        expected["CKV_KMSG_3", "aws_kms_key.k"] = only(FAILED)
    else:
        assert isinstance(world.window, int)
        expected["CKV_KMSG_3", "aws_kms_key.k"] = only(PASSED if MIN_WINDOW <= world.window <= 30 else FAILED)
    expected["CKV_KMSG_3", "aws_kms_key.other"] = only(PASSED)
    return expected


def oracle(world: World) -> dict[tuple[str, str], frozenset]:
    """(check, resource) -> the verdicts the rules allow; frozenset({None}) means "not reported"."""
    only = lambda verdict: frozenset({verdict})  # noqa: E731
    expected: dict[tuple[str, str], frozenset] = {}

    expected.update(key_verdicts(world))

    # CKV_KMSG_1 and CKV_KMSG_4 judge each encryption configuration on its own.
    places = {"aws_s3_bucket.b": world.inline, "aws_s3_bucket_server_side_encryption_configuration.c": world.config}
    for resource, enc in places.items():
        if enc is None:
            if resource == "aws_s3_bucket.b":
                expected["CKV_KMSG_1", resource] = expected["CKV_KMSG_4", resource] = only(None)
            continue
        if world.log_target != "none":
            expected["CKV_KMSG_1", resource] = log_target_verdicts([enc])
        else:
            expected["CKV_KMSG_1", resource] = only(PASSED if rule_ok(enc) else FAILED)
        if enc.algorithm != "aws:kms":
            expected["CKV_KMSG_4", resource] = only(None)
        else:
            expected["CKV_KMSG_4", resource] = only(PASSED if enc.bucket_key == "true" else FAILED)

    # CKV2_KMSG_1: the bucket's effective encryption, from every place, is CMK SSE-KMS.
    present = [enc for enc in (world.inline, world.config) if enc is not None]
    if world.log_target != "none":
        expected["CKV2_KMSG_1", "aws_s3_bucket.b"] = log_target_verdicts(present)
    else:
        expected["CKV2_KMSG_1", "aws_s3_bucket.b"] = only(PASSED if present and all(map(rule_ok, present)) else FAILED)
    expected["CKV2_KMSG_1", "aws_s3_bucket.src"] = only(FAILED)  # no encryption configuration

    # CKV2_KMSG_2: reading objects needs kms:Decrypt, writing kms:GenerateDataKey and kms:Decrypt, on the key.
    expected["CKV2_KMSG_2", "aws_iam_role.r"] = role_verdicts(world, present)

    # CKV2_KMSG_3: S3 server access logs into b need SSE-S3 there, or a key whose policy allows
    # logging.s3.amazonaws.com, which no key policy of these worlds does.
    if world.log_target != "none":
        source = "aws_s3_bucket_logging.l" if world.log_target == "resource" else "aws_s3_bucket.src"
        expected["CKV2_KMSG_3", source] = only(PASSED if all(enc.algorithm == "AES256" for enc in present) else FAILED)
    return expected


def _allows(action: str, pattern: str) -> bool:
    return pattern == "*" or pattern == action or (pattern.endswith("*") and action.startswith(pattern[:-1]))


def _needed_actions(world: World) -> set[str]:
    touches_objects = world.s3_resource in ("objects_ref", "objects_literal", "star")
    reads = touches_objects and any(_allows("s3:GetObject", a) for a in world.s3_actions)
    writes = touches_objects and any(_allows("s3:PutObject", a) for a in world.s3_actions)
    needed_actions = {"kms:Decrypt"} if reads else set()
    if writes:
        needed_actions |= {"kms:GenerateDataKey", "kms:Decrypt"}
    return needed_actions


def _bucket_keys(present: list[Encryption]) -> set[str]:
    keys = set()
    for enc in present:
        if enc.algorithm == UNSET:
            keys.add("unreadable")  # no one can tell which key, if any, protects the objects
            continue
        if enc.algorithm not in ("aws:kms", "aws:kms:dsse"):
            continue
        kind = cmk_kind(enc)
        if enc.key == "literal_alias" or kind == "unknown":
            keys.add("unknown")  # some key, not knowable from the scan: only "*" surely covers it
        elif kind == "customer":
            keys.add("literal" if enc.key == "literal_arn" else "k")  # an alias resource stands for its key
        # the AWS-managed aws/s3 key needs no IAM grant: its key policy allows use through S3
    return keys


def _identity_grant(world: World, action: str, key: str) -> bool:
    for grant in world.grants:
        if not any(_allows(action, a) for a in grant.actions):
            continue
        # In an IAM policy only a key ARN (or "*") names a key; an alias ARN does not.
        if grant.target == "star" or (grant.target == "right_key" and key == "k") or \
                (grant.target == "literal_arn" and key == "literal"):
            return True
    return False


def _holds(world: World, action: str, key: str) -> bool:
    if world.deny_decrypt and action == "kms:Decrypt":
        return False  # an explicit Deny wins
    if key != "k":  # a key outside the scan: its key policy is unknown, taken as the default one
        return _identity_grant(world, action, key)
    # IAM policies count only when the key policy lets the account (root) delegate to them;
    # with no policy the default key policy does.
    iam_counts = world.key_policy in ("default", "root", "root_and_role")
    direct = world.key_policy in ("role", "root_and_role") and action in ("kms:Decrypt", "kms:GenerateDataKey")
    return (iam_counts and _identity_grant(world, action, key)) or direct


def role_verdicts(world: World, present: list[Encryption]) -> frozenset:
    needed_actions, keys = _needed_actions(world), _bucket_keys(present)
    if not needed_actions or not keys:
        return frozenset({PASSED})
    if "unreadable" in keys:
        return frozenset({FAILED})  # a role using a bucket whose encryption cannot be read is never passed
    known = keys - {"unknown"}
    if not all(_holds(world, action, key) for action in needed_actions for key in known):
        return frozenset({FAILED})
    if "unknown" in keys and not all(_holds(world, action, "unknown") for action in needed_actions):
        # Denied for certain, or lacking a grant on a key nobody can name here.
        return frozenset({FAILED}) if world.deny_decrypt else NOT_PASSED
    return frozenset({PASSED})


# --- the property ------------------------------------------------------------------------


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "internal error" in message or "Failed to run check" in message:
            self.messages.append(message)


def scan(text: str) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], list]]:
    with tempfile.TemporaryDirectory(prefix="kmsguard-prop-") as tmp:
        Path(tmp, "main.tf").write_text(text)
        report = one_report(Runner().run(root_folder=tmp, runner_filter=RunnerFilter(
            framework=["terraform"], checks=sorted(registered_ids()))))
    found: dict[tuple[str, str], str] = {}
    details: dict[tuple[str, str], list] = {}
    for record in report.passed_checks + report.failed_checks:
        key = (record.check_id, record.resource)
        assert key not in found, f"{key} reported twice"
        found[key] = outcome(record)
        details[key] = list(record.details or ())
    return found, details


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False)
@given(world=worlds)
def test_pack_verdicts_match_the_oracle(world: World) -> None:
    ensure_loaded()
    saved = {s.variable: os.environ.pop(s.variable) for s in SETTINGS if s.variable in os.environ}
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        text = render(world)
        found, details = scan(text)
    finally:
        logging.getLogger().removeHandler(errors)
        os.environ.update(saved)
    assert not errors.messages, errors.messages
    expected = oracle(world)
    unexpected = set(found) - set(expected)
    assert not unexpected, f"results the oracle does not know: {sorted(unexpected)}"
    mismatches = {key: (found.get(key), sorted(allowed, key=str), details.get(key)) for key, allowed in expected.items()
                  if found.get(key) not in allowed}
    assert not mismatches, f"(actual, allowed, details) per check: {mismatches}\n{text}"


# --- random policy JSON: never an internal error, always a verdict ----------------------------

IAM_WORDS = ["Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition",
             "Sid", "AWS", "Version"]
IAM_VALUES = ["Allow", "Deny", "s3:GetObject", "s3:*", "kms:Decrypt", "kms:*", "*", "",
              f"arn:aws:s3:::{BUCKET_NAME}/*", "arn:aws:kms:*:*:key/*", "arn:aws:iam::111122223333:root", "ünï"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(IAM_VALUES),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(IAM_WORDS), inner, max_size=5),
    max_leaves=25,
)
iam_values = st.sampled_from(IAM_VALUES) | st.lists(st.sampled_from(IAM_VALUES), max_size=3)
statement_like = st.dictionaries(st.sampled_from(IAM_WORDS), iam_values | json_values, max_size=6)
policies = (
    st.fixed_dictionaries({"Statement": st.lists(statement_like, max_size=4)})  # close to real documents
    | st.dictionaries(st.sampled_from(IAM_WORDS), json_values, max_size=4)
    | json_values
)


RANDOM_POLICY_WORLD = f"""
resource "aws_kms_key" "k" {{
  enable_key_rotation = true
}}

resource "aws_s3_bucket" "b" {{
  bucket = "{BUCKET_NAME}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "c" {{
  bucket = aws_s3_bucket.b.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }}
  }}
}}

resource "aws_iam_role" "r" {{
  name               = "prop-role"
  assume_role_policy = "{{}}"
}}
"""


@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies, form=st.sampled_from(["heredoc", "jsonencode"]))
def test_random_policy_documents_never_raise(policy, form) -> None:
    ensure_loaded()
    text = json.dumps(policy, ensure_ascii=False)
    value = f"<<EOF\n{text}\nEOF" if form == "heredoc" else f"jsonencode({text})"
    terraform = RANDOM_POLICY_WORLD + (
        f'resource "aws_iam_role_policy" "random" {{\n  role   = aws_iam_role.r.id\n  policy = {value}\n}}\n')
    errors = _Errors()
    logging.getLogger().addHandler(errors)
    try:
        found, details = scan(terraform)
    finally:
        logging.getLogger().removeHandler(errors)
    assert not errors.messages, errors.messages
    assert found.get(("CKV2_KMSG_2", "aws_iam_role.r")) in (PASSED, FAILED), (found, terraform)
