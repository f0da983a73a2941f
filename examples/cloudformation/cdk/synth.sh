#!/usr/bin/env bash
# Regenerate cdk.out/KmsguardCdkExample.template.json from app.py, offline: app.synth() needs
# Python aws-cdk-lib (requirements.txt) and Node (20 works), not the aws-cdk CLI or an AWS account.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CDK_VENV:-$here/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 "$venv/bin/python" "$here/app.py" "$work"
mkdir -p "$here/cdk.out"
cp "$work/KmsguardCdkExample.template.json" "$here/cdk.out/"
echo "wrote $here/cdk.out/KmsguardCdkExample.template.json"
