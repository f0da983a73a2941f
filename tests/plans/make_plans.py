"""Regenerate the plan fixtures of tests/plans/ with terraform itself, offline.

For each target (an example root or tests/plans/dynamic/root):

1. copy its tree to a temporary folder; add the provider settings there only
   (an override of the root's ``provider "aws"`` block, or a provider.tf):
   placeholder credentials and every skip_* flag;
2. data sources that call AWS (``aws_kms_alias``, ``aws_kms_key``,
   ``aws_caller_identity``) cannot be read offline: in the copy they get
   ``depends_on`` a ``terraform_data`` resource with a pending change, so
   Terraform defers them to apply, as it defers any lookup that depends on a
   pending change;
3. ``terraform init``; ``terraform plan -out p``; ``terraform show -json p`` ->
   ``tfplan.create.json``;
4. ``update.tfstate.json``: a Terraform state (format 4) of the same
   resources as they would exist after apply, written from the create plan's
   values, with the values only apply knows filled in (ARNs in account
   111122223333, IDs, S3's default SSE-S3 that AWS reports on every bucket);
5. ``terraform plan -refresh=false -state=update.tfstate.json`` ->
   ``tfplan.update.json``: a real plan of existing resources, every ARN known.

Output is pretty JSON with sorted keys, without the temporary path, the
timestamp or the terraform version, so a rerun gives the same bytes.

Usage: python tests/plans/make_plans.py [--mirror /opt/tf-plugins] [--check] [TARGET ...]
``--check`` writes nothing and exits 1 when a committed file differs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
from registry_shapes.make_plans import CLI_CONFIG, PROVIDER, PROVIDER_TF, PROVIDER_VERSION, REGION  # noqa: E402

ACCOUNT = "111122223333"
VERSION_FREE = "1.11"  # terraform_version is written as this, so a patch release changes no byte
# name -> (tree to copy, root inside it, output folder, -var values)
TARGETS = {
    "good": ("examples/good/infra", "envs/dev", "tests/plans/examples/good", {}),
    # The workspace's tfvars: the platform key is the AWS-managed aws/s3 (bad on purpose).
    "bad": ("examples/bad/infra", "envs/dev", "tests/plans/examples/bad",
            {"shared_kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/s3"}),
    "dynamic": ("tests/plans/dynamic/root", ".", "tests/plans/dynamic", {}),
}
API_LOOKUPS = ("aws_kms_alias", "aws_kms_key", "aws_caller_identity")
DEFER = "terraform_data.kmsguard_offline"
DEFER_TF = """\
# Written by tests/plans/make_plans.py into the temporary copy only: a pending change that
# data sources calling AWS depend on, so terraform defers them to apply (no API offline).
resource "terraform_data" "kmsguard_offline" {
  input = "plan"
}
"""
PROVIDER_OVERRIDE = """\
# Written by tests/plans/make_plans.py into the temporary copy only.
provider "aws" {
  access_key                  = "placeholder-access-key"
  secret_key                  = "placeholder-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""
_LOOKUP_BLOCK = re.compile(r'^(data\s+"(?:' + "|".join(API_LOOKUPS) + r')"\s+"[\w-]+"\s*\{)(\})?[ \t]*$', re.M)


def _run(args: list[str], cwd: Path, env: dict) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} in {cwd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _prepare(copy: Path, root: Path) -> None:
    """Provider settings and deferred lookups, in the copy only."""
    texts = {p: p.read_text() for p in copy.rglob("*.tf")}
    own = [t for p, t in texts.items() if p.parent == root]
    if any(re.search(r'^provider\s+"aws"', t, re.M) for t in own):
        (root / "kmsguard_offline_override.tf").write_text(PROVIDER_OVERRIDE)
    else:
        (root / "provider.tf").write_text(PROVIDER_TF.format(version=PROVIDER_VERSION, region=REGION))
    for path, text in texts.items():
        changed = _LOOKUP_BLOCK.sub(lambda m: m.group(1) + f"\n  depends_on = [{DEFER}]" + ("\n}" if m.group(2) else ""), text)
        if changed != text:
            path.write_text(changed)
            (path.parent / "kmsguard_offline.tf").write_text(DEFER_TF)


def _env(tmp: Path, workdir: Path) -> dict:
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tmp / "terraform.rc"), TF_IN_AUTOMATION="1",
               CHECKPOINT_DISABLE="1", TF_DATA_DIR=str(workdir / ".terraform"))
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env


def _clean(plan: dict, prefixes: list[str]) -> dict:
    plan.pop("timestamp", None)
    plan["terraform_version"] = VERSION_FREE
    if "prior_state" in plan:
        plan["prior_state"]["terraform_version"] = VERSION_FREE
    plan["relevant_attributes"] = sorted(plan.get("relevant_attributes") or [], key=lambda i: json.dumps(i, sort_keys=True))
    text = json.dumps(plan, sort_keys=True)
    for prefix in prefixes:
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return json.loads(text)


def build(name: str, mirror: str) -> dict[str, dict]:
    """The files of one target: {file name: JSON}."""
    tree, root, _, variables = TARGETS[name]
    with tempfile.TemporaryDirectory(prefix="kmsguard-plans-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "terraform.rc").write_text(CLI_CONFIG.format(mirror=mirror, provider=PROVIDER))
        copy = tmp / "tree"
        shutil.copytree(REPO / tree, copy, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"))
        workdir = copy / root
        _prepare(copy, workdir)
        env = _env(tmp, workdir)
        var_args = [a for k, v in sorted(variables.items()) for a in ("-var", f"{k}={v}")]
        plan_args = ["terraform", "plan", "-input=false", "-no-color", "-lock=false", *var_args]
        _run(["terraform", "init", "-input=false", "-no-color"], workdir, env)
        _run([*plan_args, "-out", "create.plan"], workdir, env)
        create = json.loads(_run(["terraform", "show", "-json", "create.plan"], workdir, env))
        schema = json.loads(_run(["terraform", "providers", "schema", "-json"], workdir, env))
        state = state_after(create, schema)
        for _ in range(4):  # until apply's values agree with the configuration: each pass resolves one more hop
            (workdir / "existing.tfstate").write_text(json.dumps(state))
            _run([*plan_args, "-refresh=false", "-state=existing.tfstate", "-out", "update.plan"], workdir, env)
            update = json.loads(_run(["terraform", "show", "-json", "update.plan"], workdir, env))
            settled = state_after(update, schema, base=state)
            if settled == state:
                break
            state = settled
        prefixes = [str(workdir.resolve()), str(workdir), str(tmp.resolve()), str(tmp)]
        return {"tfplan.create.json": _clean(create, prefixes), "update.tfstate.json": state,
                "tfplan.update.json": _clean(update, prefixes)}


# -- the state of the created resources ------------------------------------------------------
def _uuid(address: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kmsguard:" + address))


# What AWS reports for a bucket without its own configuration (SSE-S3 on every bucket since January 2023).
S3_DEFAULT_ENCRYPTION = [{"rule": [{"bucket_key_enabled": False, "apply_server_side_encryption_by_default": [
    {"sse_algorithm": "AES256", "kms_master_key_id": ""}]}]}]


def _filled(resource: dict, unknown: dict) -> dict:
    """The attributes apply would record, for the values the plan leaves unknown that rules or references read."""
    values = dict(resource.get("values") or {})
    kind, address = resource["type"], resource["address"]
    key_id = _uuid(address)
    by_type: dict[str, dict[str, Any]] = {
        "aws_kms_key": {"key_id": key_id, "id": key_id, "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
                        "rotation_period_in_days": 365, "multi_region": False, "policy": None},
        "aws_kms_alias": {"id": values.get("name"), "arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:{values.get('name')}"},
        "aws_s3_bucket": {"id": values.get("bucket"), "arn": f"arn:aws:s3:::{values.get('bucket')}",
                          "bucket_prefix": "", "object_lock_enabled": False, "region": REGION,
                          "server_side_encryption_configuration": S3_DEFAULT_ENCRYPTION},
        "aws_iam_role": {"id": values.get("name"), "unique_id": "AROA" + key_id.replace("-", "")[:17].upper(),
                         "arn": f"arn:aws:iam::{ACCOUNT}:role/{values.get('name')}"},
        "aws_iam_policy": {"arn": f"arn:aws:iam::{ACCOUNT}:policy/{values.get('name')}",
                           "id": f"arn:aws:iam::{ACCOUNT}:policy/{values.get('name')}"},
        "terraform_data": {"id": key_id, "output": values.get("input")},
    }
    filled = set()
    for attribute, value in by_type.get(kind, {"id": key_id}).items():
        if unknown.get(attribute) is True or attribute not in values:
            values[attribute] = value
            filled.add(attribute)
    if kind == "terraform_data":
        values["input"] = values["output"] = {"value": "before", "type": "string"}  # a pending change: lookups stay deferred
    return {k: v for k, v in values.items() if k in filled or not _has_unknown(unknown.get(k))}


def _has_unknown(unknown) -> bool:
    if unknown is True:
        return True
    if isinstance(unknown, dict):
        return any(_has_unknown(v) for v in unknown.values())
    if isinstance(unknown, list):
        return any(_has_unknown(v) for v in unknown)
    return False


def state_after(create: dict, schema: dict, base: dict | None = None) -> dict:
    """A format-4 state holding the plan's managed resources as apply would leave them.

    With ``base`` (the state a plan was made from), values the plan still leaves unknown keep base's.
    """
    unknown = {c["address"]: c["change"].get("after_unknown") or {} for c in create["resource_changes"]}
    before = _instances(base) if base else {}
    schemas = {t: s for p in schema["provider_schemas"].values() for t, s in p.get("resource_schemas", {}).items()}
    grouped: dict[tuple, dict] = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            attributes = _filled(resource, unknown.get(resource["address"], {}))
            for key, value in before.get(resource["address"], {}).items():
                attributes.setdefault(key, value)
            block = schemas.get(resource["type"], {}).get("block")
            if block:  # only what the schema declares (the builtin terraform_data has no schema here)
                attributes = {k: v for k, v in attributes.items()
                              if k in block.get("attributes", {}) or k in block.get("block_types", {})}
            module_address = module.get("address", "")
            group = grouped.setdefault((module_address, resource["type"], resource["name"]), {
                **({"module": module_address} if module_address else {}), "mode": "managed",
                "type": resource["type"], "name": resource["name"], "provider": _provider(resource),
                "instances": []})
            instance = {"schema_version": schemas.get(resource["type"], {}).get("version", 0), "attributes": attributes,
                        "sensitive_attributes": [], "dependencies": []}
            if "index" in resource:
                instance["index_key"] = resource["index"]
            group["instances"].append(instance)
        for child in module.get("child_modules", []):
            walk(child)

    walk(create["planned_values"]["root_module"])
    return {"version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": _uuid("lineage"), "outputs": {},
            "resources": [grouped[k] for k in sorted(grouped)], "check_results": None}


def _instances(state: dict) -> dict[str, dict]:
    """address -> attributes of a format-4 state."""
    found = {}
    for group in state["resources"]:
        prefix = group.get("module", "")
        base = (prefix + "." if prefix else "") + f"{group['type']}.{group['name']}"
        for instance in group["instances"]:
            index = f"[{json.dumps(instance['index_key'])}]" if "index_key" in instance else ""
            found[base + index] = instance["attributes"]
    return found


def _provider(resource: dict) -> str:
    name = resource.get("provider_name", PROVIDER)
    return f'provider["{name}"]'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=os.environ.get("KMSGUARD_TF_MIRROR", "/opt/tf-plugins"))
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("target", nargs="*", help=f"any of {sorted(TARGETS)} (default: all)")
    args = parser.parse_args()
    if set(args.target) - set(TARGETS):
        sys.exit(f"no such target: {sorted(set(args.target) - set(TARGETS))}")
    stale = 0
    for name in args.target or sorted(TARGETS):
        out = REPO / TARGETS[name][2]
        for file_name, document in build(name, args.mirror).items():
            path = out / file_name
            text = json.dumps(document, indent=2, sort_keys=True) + "\n"
            if args.check:
                if not path.is_file() or path.read_text() != text:
                    stale += 1
                    print(f"{path.relative_to(REPO)} is stale: run python tests/plans/make_plans.py {name}", file=sys.stderr)
            else:
                path.write_text(text)
                print(f"wrote {path.relative_to(REPO)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
