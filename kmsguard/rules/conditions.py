"""IAM Condition blocks judged against the KMS requests S3 (or a service principal) makes.

Three answers: the request always satisfies the block (True), never does
(False), or the answer depends on what the scan cannot know (None, with the
reason). Facts, with the pages they come from (also in docs/checks/CKV2_KMSG_2.md):

- IAM user guide, "IAM JSON policy elements: Condition operators": a key
  absent from the request makes a condition false, except negated operators
  (true) and ``...IfExists`` (true); ``Null`` tests presence. "Multivalued
  context keys": ``ForAllValues`` is true on an absent or empty key,
  ``ForAnyValue`` false. Keys are ANDed, values of one key ORed.
- IAM user guide, "Forward access sessions": S3's calls to KMS for a role are
  forward access sessions: ``aws:ViaAWSService`` is true and
  ``aws:CalledVia`` / ``aws:CalledViaFirst`` / ``aws:CalledViaLast`` name S3.
- IAM user guide, "AWS global condition context keys": ``aws:SourceArn`` and
  ``aws:SourceAccount`` exist only when a service principal calls;
  ``aws:PrincipalOrgID`` only for members of an organization;
  ``aws:SourceIp`` / ``aws:SourceVpc`` / ``aws:SourceVpce`` of a forward
  access session are the original caller's, which a scan cannot know.
- KMS developer guide, "AWS KMS condition keys": ``kms:ViaService`` is
  ``s3.<region>.amazonaws.com`` and ``kms:CallerAccount`` the caller's
  account for S3's requests; ``kms:GrantIsForAWSResource`` exists only on
  CreateGrant, ListGrants and RevokeGrant; ``kms:ResourceAliases`` is the
  key's aliases; ``kms:RequestAlias`` only when the request names an alias.
- S3 user guide, "Using server-side encryption with AWS KMS keys"
  (Encryption context): ``aws:s3:arn`` is the object ARN, or the bucket ARN
  with an S3 Bucket Key. S3 requires TLS for SSE-KMS objects.

Values the scan does not know are written as holes (``REGION``...): the
same hole on both sides is the same value; a literal against a hole is
"cannot tell", unless a wildcard covers every value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any, Callable, Iterable, Mapping

_OPEN, _CLOSE = "\ue000", "\ue001"


def hole(kind: str) -> str:
    """A stand-in for a value the scan does not know (``region``, ``account``, ``partition``, ``bucket``...)."""
    return f"{_OPEN}{kind}{_CLOSE}"


REGION, ACCOUNT, PARTITION, BUCKET_NAME, OBJECT_KEY = (
    hole("region"), hole("account"), hole("partition"), hole("bucket"), hole("object"))
# Plan-time lookups in a policy: each stands for its provider configuration's value, unknown here.
LOOKUP_HOLES = {"data.aws_region": REGION, "data.aws_caller_identity": ACCOUNT, "data.aws_partition": PARTITION}
_HOLE = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
# Values tried for each hole: a wildcard that covers them all covers the unknown value.
_FILLERS = {"region": ("us-east-1", "eu-west-3"), "account": ("111122223333", "444455556666"),
            "partition": ("aws",), "bucket": ("example-bucket", "logs.example.org"),
            "object": ("a", "reports/2024/01.csv"), "role": ("app-role", "stack-Role-1AB2C3")}
_DEFAULT_FILLERS = ("x", "other-value-2")
_WHY = {"region": "the bucket's region, which the scan does not know",
        "account": "the calling account's ID, which the scan does not know",
        "partition": "the AWS partition",
        "bucket": "the bucket's name, which is not known before apply",
        "object": "the object's key (without an S3 Bucket Key, aws:s3:arn is each object's ARN)",
        "role": "the role's name, which is not known before apply"}


@dataclass(frozen=True)
class Unknown:
    """A condition key whose presence or value the scan cannot know."""

    why: str


ABSENT = ()  # a key the request does not carry


@dataclass(frozen=True)
class Request:
    """The KMS request being judged, as far as the scan knows it."""

    action: str  # e.g. "kms:Decrypt", "kms:GenerateDataKey"
    caller: str  # "role": S3 acting for a role (a forward access session); "service": a service principal
    service_principal: str | None = None  # e.g. "cloudtrail.amazonaws.com" when caller == "service"
    region: str | None = None  # None = unknown
    account: str | None = None  # the caller's/source account, None = unknown
    bucket_arn: str | None = None  # literal text, or with holes; None = unknown
    bucket_key: bool | None = None  # S3 Bucket Key on? decides whether aws:s3:arn is the bucket or an object ARN
    source_arn: str | None = None  # aws:SourceArn for service deliveries, None = unknown
    encryption_context: Mapping[str, str] = field(default_factory=dict)  # extra context keys
    principal_arn: str | None = None  # the role's ARN (with holes for what is unknown), None = unknown
    key_aliases: tuple[str, ...] | None = None  # aliases the key carries, None = unknown
    request_alias: str | Unknown | None = None  # the alias the request names; None = it names none
    context: Mapping[str, Any] = field(default_factory=dict)  # lower-case key -> value, overriding the above


@dataclass(frozen=True)
class Judgement:
    holds: bool | None  # True: always satisfied; False: never; None: cannot tell
    reasons: tuple[str, ...] = ()


def judge(condition: Mapping[str, Any] | None, request: Request) -> Judgement:
    """A statement's whole Condition block: AND of operators, AND of keys, OR of values."""
    if not condition:
        return Judgement(True)
    if not isinstance(condition, Mapping):
        return Judgement(None, (f"its Condition {condition!r} is not an object",))
    results: list[tuple[bool | None, str]] = []
    for operator, tests in condition.items():
        if not isinstance(tests, Mapping):
            results.append((None, f"condition operator {operator} has no keys"))
            continue
        for key, values in tests.items():
            results.append(_test(str(operator), str(key), _values(values), request))
    failing = [why for held, why in results if held is False]
    if failing:
        return Judgement(False, tuple(failing))
    unknown = [why for held, why in results if held is None]
    return Judgement(None, tuple(unknown)) if unknown else Judgement(True)


def _values(values: Any) -> list[str]:
    items = values if isinstance(values, (list, tuple)) else [values]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items if v is not None]


# --- the request's context ------------------------------------------------------------------

def context_value(key: str, request: Request) -> tuple[str, ...] | Unknown:
    """The values the request carries for ``key`` (ABSENT when it carries none)."""
    key = key.lower()
    if key in request.context:
        found = request.context[key]
        return found if isinstance(found, (tuple, Unknown)) else (str(found),)
    if key.startswith("kms:encryptioncontext:"):
        return _encryption_context(key[len("kms:encryptioncontext:"):], request)
    for prefix, why in _UNKNOWABLE_PREFIXES:
        if key.startswith(prefix):
            return Unknown(f"{key} {why}")
    facts = _KEYS.get(key)
    if facts is None:
        return Unknown(f"kmsguard does not evaluate condition key {key}")
    return facts(request)


def _role_only(value: Callable[[Request], tuple[str, ...] | Unknown]) -> Callable[[Request], tuple[str, ...] | Unknown]:
    """A key known for S3's calls for a role; for a service principal's own call AWS does not document it."""
    def facts(request: Request) -> tuple[str, ...] | Unknown:
        if request.caller == "role":
            return value(request)
        via = request.service_principal or "a service principal"
        return Unknown(f"is not documented for the calls {via} makes itself")
    return facts


def _source(request: Request, value: str | None, key: str) -> tuple[str, ...] | Unknown:
    if request.caller == "role":
        return ABSENT  # a forward access session carries no source: only a service principal's call does
    return (value,) if value else Unknown(f"{key} of the call by {request.service_principal or 'the service'} "
                                          "is not known to the scan")


_GRANT_ACTIONS = {"kms:creategrant", "kms:listgrants", "kms:revokegrant"}
_KEYS: dict[str, Callable[[Request], tuple[str, ...] | Unknown]] = {
    "kms:viaservice": _role_only(lambda r: (f"s3.{r.region or REGION}.amazonaws.com",)),
    "kms:calleraccount": _role_only(lambda r: (r.account or ACCOUNT,)),
    "aws:principalaccount": _role_only(lambda r: (r.account or ACCOUNT,)),
    "aws:principalarn": _role_only(lambda r: (r.principal_arn,) if r.principal_arn
                                   else Unknown("the role's ARN is not known")),
    "aws:viaawsservice": _role_only(lambda r: ("true",)),
    "aws:calledvia": _role_only(lambda r: ("s3.amazonaws.com",)),
    "aws:calledviafirst": _role_only(lambda r: ("s3.amazonaws.com",)),
    "aws:calledvialast": _role_only(lambda r: ("s3.amazonaws.com",)),
    "kms:encryptioncontextkeys": lambda r: tuple(dict.fromkeys(["aws:s3:arn", *r.encryption_context])),
    "aws:sourcearn": lambda r: _source(r, r.source_arn, "aws:SourceArn"),
    "aws:sourceaccount": lambda r: _source(r, r.account, "aws:SourceAccount"),
    "aws:securetransport": lambda r: ("true",),  # S3 and KMS talk over TLS
    "kms:grantisforawsresource": lambda r: ("true",) if r.action.lower() in _GRANT_ACTIONS else ABSENT,
    "kms:resourcealiases": lambda r: r.key_aliases if r.key_aliases is not None
    else Unknown("the key's aliases are not known"),
    "kms:requestalias": lambda r: (r.request_alias if isinstance(r.request_alias, Unknown)
                                   else (r.request_alias,) if r.request_alias else ABSENT),
}
_UNKNOWABLE_PREFIXES = (
    ("aws:principalorgid", "depends on the account's AWS Organizations membership, which the scan does not know"),
    ("aws:principalorgpaths", "depends on the account's AWS Organizations membership, which the scan does not know"),
    ("aws:principaltag", "is a tag of the role or its session, which the scan cannot know"),
    ("aws:sourceip", "of S3's call is the original caller's network, which the scan cannot know"),
    ("aws:sourcevpc", "of S3's call is the original caller's network, which the scan cannot know"),
    ("aws:vpcsourceip", "of S3's call is the original caller's network, which the scan cannot know"),
)
def _encryption_context(name: str, request: Request) -> tuple[str, ...] | Unknown:
    extra = {k.lower(): v for k, v in request.encryption_context.items()}
    if name in extra:
        return (extra[name],)
    if name != "aws:s3:arn":
        return ABSENT
    if request.bucket_arn is None:
        return Unknown("the bucket's ARN (aws:s3:arn) is not known")
    # _test judges an unknown Bucket Key setting both ways.
    return (request.bucket_arn,) if request.bucket_key else (f"{request.bucket_arn}/{OBJECT_KEY}",)


# --- operators ------------------------------------------------------------------------------

def _test(operator: str, key: str, values: list[str], request: Request) -> tuple[bool | None, str]:
    op = operator.strip()
    prefix = ""
    if ":" in op:
        prefix, op = op.split(":", 1)
        prefix = prefix.lower()
    lower = op.lower()
    if_exists = lower.endswith("ifexists")
    base = lower[:-len("ifexists")] if if_exists else lower
    shown = readable(f"{operator} {key} {values!r}" if len(values) != 1 else f"{operator} {key} {values[0]!r}")
    if key.lower() == "kms:encryptioncontext:aws:s3:arn" and request.bucket_key is None:
        # aws:s3:arn is the bucket's ARN with an S3 Bucket Key, the object's without: judge both.
        both = [_test(operator, key, values, replace(request, bucket_key=on)) for on in (True, False)]
        if both[0][0] == both[1][0]:
            return both[0]
        return None, (f"{shown} cannot be judged: it depends on whether the bucket uses an S3 Bucket Key "
                      "(aws:s3:arn is the bucket's ARN with one, each object's ARN without), which is not known")
    context = context_value(key, request)
    if isinstance(context, Unknown):
        return None, _explain(None, shown, key, ABSENT, context.why)
    held = _single(base, if_exists, prefix, context, values)
    return held, _explain(held, shown, key, context, "")


def _single(base: str, if_exists: bool, prefix: str, context: tuple[str, ...], values: list[str]) -> bool | None:
    if base == "null":
        wanted = [v.lower() == "true" for v in values]  # true: the key must be absent
        return _any(w == (not context) for w in wanted)
    negated = "not" in base
    if not context:  # absent from the request: IfExists and ForAllValues hold, negations hold, the rest fail
        return True if if_exists or prefix == "forallvalues" else False if prefix == "foranyvalue" else negated
    match = _matcher(base)
    if match is None:
        return None
    def one(value: str) -> bool | None:  # noqa: E306
        hit = _any(match(value, pattern) for pattern in values)
        return _not(hit) if negated else hit
    if prefix == "forallvalues":
        return _all(one(v) for v in context)
    if prefix == "foranyvalue" or len(context) > 1:
        if negated and not prefix and len(context) > 1:
            return None  # a negated operator on a multivalued key without a set operator: IAM's answer is unclear
        return _any(one(v) for v in context)
    return one(context[0])


def _matcher(base: str) -> Callable[[str, str], bool | None] | None:
    positive = base.replace("not", "")
    kinds: dict[str, Callable[[str, str], bool]] = {
        "stringequals": lambda v, p: v == p,
        "stringequalsignorecase": lambda v, p: v.lower() == p.lower(),
        "stringlike": _glob,
        "arnequals": _arn_like, "arnlike": _arn_like,
        "bool": lambda v, p: v.lower() == p.lower(),
        "binaryequals": lambda v, p: v == p,
    }
    compare = kinds.get(positive)
    if compare is None:
        return None
    return lambda value, pattern: _with_holes(value, pattern, compare)


def _glob(value: str, pattern: str) -> bool:
    return fnmatchcase(value, pattern.replace("[", "[[]"))


def _arn_like(value: str, pattern: str) -> bool:
    # ArnEquals/ArnLike match each of the six colon-separated parts on its own (IAM condition operators).
    values, patterns = value.split(":", 5), pattern.split(":", 5)
    return len(values) == len(patterns) == 6 and all(_glob(v, p) for v, p in zip(values, patterns))


def _with_holes(value: str, pattern: str, compare: Callable[[str, str], bool]) -> bool | None:
    if "${" in pattern:
        return None  # the policy's own value is not known before apply
    kinds = sorted(set(_HOLE.findall(value)) | set(_HOLE.findall(pattern)))
    if not kinds:
        return compare(value, pattern)
    tries = [compare(_fill(value, i), _fill(pattern, i)) for i in range(2)]
    if all(tries):
        return True
    if any(tries) or _may_equal(value, pattern, compare):
        return None
    return False


def _fill(text: str, i: int) -> str:
    return _HOLE.sub(lambda m: (lambda f: f[i % len(f)])(_FILLERS.get(_kind(m.group(1)), _DEFAULT_FILLERS)), text)


def _kind(name: str) -> str:
    return name.split(" ", 1)[0]  # "bucket aws_s3_bucket.data": one bucket's unknown name


def _may_equal(value: str, pattern: str, compare: Callable[[str, str], bool]) -> bool:
    """Whether some value of the holes in ``value`` makes it match ``pattern`` (a hole-free literal or glob)."""
    if _HOLE.search(pattern):
        shared = set(_HOLE.findall(pattern))
        if not shared <= set(_HOLE.findall(value)):
            return True  # an unknown of the policy's own: it may be anything
        # The same unknown on both sides is one value: compare the rest around it.
        for i, name in enumerate(sorted(shared)):
            token = f"\u0001{i}\u0001"
            value, pattern = value.replace(hole(name), token), pattern.replace(hole(name), token)
        if not _HOLE.search(value):
            return compare(value, pattern)
    parts = _HOLE.split(value)
    regex = "".join(re.escape(p) if i % 2 == 0 else "(.+?)" for i, p in enumerate(parts))
    found = re.fullmatch(regex, pattern, re.DOTALL)
    if found:
        filled = value
        for text in found.groups():
            filled = _HOLE.sub(text.replace("\\", "\\\\"), filled, count=1)
        if compare(filled, pattern):
            return True
    # Some string the pattern matches may fit the value: try the pattern's wildcards as short strings.
    shape = re.compile("".join(re.escape(p) if i % 2 == 0 else ".+" for i, p in enumerate(parts)), re.DOTALL)
    return any(shape.fullmatch(pattern.replace("*", stand).replace("?", "x")) for stand in ("", "x"))


def _any(results: Iterable[bool | None]) -> bool | None:
    seen = list(results)
    return True if True in seen else None if None in seen else False


def _all(results: Iterable[bool | None]) -> bool | None:
    seen = list(results)
    return False if False in seen else None if None in seen else True


def _not(result: bool | None) -> bool | None:
    return None if result is None else not result


def readable(text: str) -> str:
    """Text with each hole written as ``<region>``..."""
    return _HOLE.sub(lambda m: f"<{m.group(1)}>", text)


def _explain(held: bool | None, shown: str, key: str, context: tuple[str, ...], why: str) -> str:
    if held is True:
        return ""
    has = (f"the request carries {key} = " + " or ".join(readable(v) for v in context) if context
           else f"the request carries no {key}")
    if held is False:
        return f"{shown} never holds: {has}"
    if why:
        return f"{shown} cannot be judged: {why}"
    kinds = sorted({k for v in context for k in _HOLE.findall(v)})
    depends = "; ".join(dict.fromkeys(_WHY.get(_kind(k), k) for k in kinds)) or "a value the scan does not know"
    return f"{shown} cannot be judged: {has}, which depends on {depends}"
