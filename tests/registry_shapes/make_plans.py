"""Regenerate each fixture's real Terraform plan (tfplan.json) with terraform and the offline AWS provider.

For every fixture folder under tests/registry_shapes/ (one with an expected.yaml
that does not say ``plan: false``), and for each of its roots (``roots:`` in
expected.yaml, default the fixture folder itself):

1. copy the fixture to a temporary folder (so ``../modules`` paths still work),
2. add a ``provider.tf`` there only (required_providers aws 5.100.0 and an aws
   provider with placeholder credentials and every skip_* flag), so the fixture
   itself stays what a user would scan,
3. ``terraform init`` with a CLI config whose provider_installation uses the
   filesystem mirror, ``terraform plan -out p``, ``terraform show -json p``,
4. write ``<root>/tfplan.json``: pretty, sorted keys, without the temporary
   path and the plan's timestamp, relevant_attributes sorted, so a rerun gives the same bytes.

A fixture marked ``plan: false`` (its point is a value the provider rejects) is
planned too, and must fail: that confirms its ``plan_note``.

Usage: python tests/registry_shapes/make_plans.py [--mirror /opt/tf-plugins] [FIXTURE ...]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
REGION = "eu-west-1"

CLI_CONFIG = """\
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["{provider}"]
  }}
  direct {{
    exclude = ["{provider}"]
  }}
}}
"""

PROVIDER_TF = """\
# Written by make_plans.py into the temporary copy only: never part of the fixture.
terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{version}"
    }}
  }}
}}

provider "aws" {{
  region                      = "{region}"
  access_key                  = "placeholder-access-key"
  secret_key                  = "placeholder-secret-key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
"""


def fixtures(names: list[str]) -> list[Path]:
    found = sorted(p.parent for p in HERE.glob("*/expected.yaml"))
    if names:
        found = [p for p in found if p.name in names]
        missing = set(names) - {p.name for p in found}
        if missing:
            sys.exit(f"no such fixture: {sorted(missing)}")
    return found


def spec_of(fixture: Path) -> dict:
    return yaml.safe_load((fixture / "expected.yaml").read_text())


def _run(args: list[str], cwd: Path, env: dict) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} in {cwd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _strip(value, prefixes: list[str]):
    if isinstance(value, dict):
        return {k: _strip(v, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v, prefixes) for v in value]
    if isinstance(value, str):
        for prefix in prefixes:
            value = value.replace(prefix + "/", "").replace(prefix, ".")
    return value


def plan_root(fixture: Path, root: str, mirror: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="kmsguard-shapes-") as tmp:
        tmp_path = Path(tmp)
        cli_config = tmp_path / "terraform.rc"
        cli_config.write_text(CLI_CONFIG.format(mirror=mirror, provider=PROVIDER))
        copy = tmp_path / fixture.name
        shutil.copytree(fixture, copy, ignore=shutil.ignore_patterns(
            "tfplan.json", ".terraform", ".terraform.lock.hcl", "expected.yaml", "*.tfstate*"))
        workdir = copy / root
        (workdir / "provider.tf").write_text(PROVIDER_TF.format(version=PROVIDER_VERSION, region=REGION))
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1", TF_DATA_DIR=str(workdir / ".terraform"))
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        _run(["terraform", "init", "-input=false", "-no-color"], workdir, env)
        _run(["terraform", "plan", "-input=false", "-no-color", "-lock=false", "-out", "p"], workdir, env)
        plan = json.loads(_run(["terraform", "show", "-json", "p"], workdir, env))
        plan.pop("timestamp", None)
        # Terraform lists relevant_attributes in no fixed order.
        plan["relevant_attributes"] = sorted(plan.get("relevant_attributes") or [],
                                             key=lambda item: json.dumps(item, sort_keys=True))
        return _strip(plan, [str(workdir.resolve()), str(workdir), str(tmp_path.resolve()), str(tmp_path)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=os.environ.get("KMSGUARD_TF_MIRROR", "/opt/tf-plugins"))
    parser.add_argument("fixture", nargs="*")
    args = parser.parse_args()
    if not (Path(args.mirror) / "registry.terraform.io").is_dir():
        sys.exit(f"{args.mirror} is not a Terraform filesystem mirror (no registry.terraform.io inside)")
    failures = 0
    for fixture in fixtures(args.fixture):
        spec = spec_of(fixture)
        if spec.get("plan", True) is False:
            # HCL only: confirm that terraform really rejects it, as plan_note says.
            for root in spec.get("roots") or ["."]:
                try:
                    plan_root(fixture, root, args.mirror)
                except RuntimeError as error:
                    reason = next((line.strip() for line in str(error).splitlines() if "Error:" in line), "error")
                    print(f"{fixture.name}/{root}: HCL only, terraform rejects it as expected ({reason})")
                else:
                    failures += 1
                    print(f"{fixture.name}/{root}: marked plan: false, but terraform planned it", file=sys.stderr)
            continue
        for root in spec.get("roots") or ["."]:
            try:
                plan = plan_root(fixture, root, args.mirror)
            except RuntimeError as error:
                failures += 1
                print(f"{fixture.name}/{root}: FAILED\n{error}", file=sys.stderr)
                continue
            out = fixture / root / "tfplan.json"
            out.write_text(json.dumps(plan, indent=2, sort_keys=True) + "\n")
            print(f"{fixture.name}/{root}: wrote {out.relative_to(HERE)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
