"""The quick loop scans each collection folder's trees together; that must change no verdict.

``checkov_run.scan_once`` takes the results of a case tree without resources
that a scan-wide check judges from one scan of its ``tests/cases/<ID>``
folder. Here each such tree is scanned alone, under every settings
environment its folder's cases use, and compared with the shared scan.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checkov_run import CASES, Result, run, scan_once, shares_scan
from kmsguard.settings import ALL as SETTINGS

pytestmark = pytest.mark.exhaustive  # one scan per tree: the full run only


FOLDERS = sorted(p for p in CASES.iterdir() if p.is_dir())


def _trees(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith("cfn_") and any(p.rglob("*.tf")))


def _envs(folder: Path) -> list[dict]:
    envs: list[dict] = [{}]
    for tree in _trees(folder):
        env = (yaml.safe_load((tree / "expected.yaml").read_text()) or {}).get("env") or {}
        if env and env not in envs:
            envs.append(env)
    return envs


def _records(results: list[Result]) -> list[tuple]:
    return sorted((r.check_id, r.resource, r.result, r.details) for r in results)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_a_tree_scanned_with_its_folder_has_its_own_verdicts(folder: Path, monkeypatch: pytest.MonkeyPatch):
    trees = [t for t in _trees(folder) if shares_scan(t)]
    if not trees:
        pytest.skip(f"every tree of {folder.name} is scanned alone")
    compared = 0
    for env in _envs(folder):
        for setting in SETTINGS:
            monkeypatch.delenv(setting.variable, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        for tree in trees:
            alone = run(tree, checks=["CKV_KMSG_*", "CKV2_KMSG_*"])
            shared = scan_once(tree, ["CKV_KMSG_*", "CKV2_KMSG_*"])
            assert _records(shared) == _records(alone), f"{tree} under {env or 'the defaults'}"
            compared += len(alone)
    assert compared, f"no result in {folder}: nothing was compared"
