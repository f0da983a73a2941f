"""The roots evaluated by the background process are the roots the scan would evaluate itself.

A scan takes each root from the child interpreter when it delivers one, so
the child's result must be ``terraform.load``'s, edges and all; whatever it
cannot deliver, the scan evaluates in-process.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kmsguard.model.resources import Block
from kmsguard.readers import background_evaluation, terraform

pytestmark = pytest.mark.e2e  # starts a child interpreter
REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "examples" / "bad" / "infra"


def _shape(blocks: list[Block]) -> list[tuple]:
    return sorted(
        (b.key, b.block_type, b.type, b.name, b.address, b.file_path, repr(b.config), b.root, b.unknown,
         tuple((label, target.key) for label, target in b.out))
        for b in blocks
    )


def test_each_root_arrives_as_the_scan_would_evaluate_it():
    evaluation = background_evaluation.Evaluation([str(BAD)], [])
    root = str(BAD / "envs" / "dev")
    delivered = evaluation.get(root)
    expected = terraform.load(root)
    assert isinstance(delivered, terraform.Root)
    assert delivered.path == expected.path and delivered.dirs == expected.dirs
    assert _shape(delivered.blocks) == _shape(expected.blocks)
    assert any(b.out for b in delivered.blocks)  # the comparison covered edges


def test_a_root_outside_the_scanned_paths_is_left_to_the_scan():
    evaluation = background_evaluation.Evaluation([str(BAD / "envs" / "dev")], [])
    assert evaluation.get(str(REPO / "examples" / "good" / "infra" / "envs" / "dev")) is None


def test_an_unreadable_root_arrives_as_the_same_error(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {}\n')
    broken = tmp_path / "terraform.tfvars"
    broken.write_text("window = [\n")
    delivered = background_evaluation.Evaluation([str(tmp_path)], []).get(str(tmp_path))
    with pytest.raises(terraform.EvaluationError) as expected:
        terraform.load(str(tmp_path))
    assert isinstance(delivered, terraform.EvaluationError)
    assert str(delivered) == str(expected.value)
    assert "terraform.tfvars" in str(delivered)


def test_var_files_reach_the_child(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "window" {}\nresource "aws_kms_key" "k" {\n  deletion_window_in_days = var.window\n}\n')
    values = tmp_path / "prod.tfvars"
    values.write_text("window = 30\n")
    delivered = background_evaluation.Evaluation([str(tmp_path)], [str(values)]).get(str(tmp_path))
    assert isinstance(delivered, terraform.Root)
    assert [b.get("deletion_window_in_days") for b in delivered.blocks] == [30]


def test_a_checkov_scan_takes_its_roots_from_the_background(tmp_path):
    root = BAD / "envs" / "dev"
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL="DEBUG")
    checkov = str(Path(sys.executable).with_name("checkov"))
    done = subprocess.run([checkov, "-d", str(root), "--framework", "terraform", "-o", "json",
                           "--external-checks-dir", str(REPO / "custom_checks"), "--check", "CKV_KMSG_2"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert f"kmsguard: {root} evaluated in the background" in done.stderr, done.stderr[-3000:]
    assert '"check_id": "CKV_KMSG_2"' in done.stdout
