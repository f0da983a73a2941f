"""Nothing the evaluator drops may vanish: every name the source writes is in the model, or the block says why not.

For every block of every Terraform tree in the repository's fixtures, cases and
examples, the argument and nested-block names python-hcl2 reads from the
source (Checkov's own HCL parser, independent of the evaluator and of the
reader's own lexer) are compared with the names in the model. A ``dynamic``
block may expand to nothing, so it is compared only by its content when it
expanded. A name missing from the model must be explained in ``block.unknown``.
"""
from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from kmsguard.readers import terraform
from kmsguard.readers.terraform_roots import RootFinder

REPO = Path(__file__).resolve().parents[2]
TREES = [REPO / "tests" / "registry_shapes", REPO / "tests" / "cases", REPO / "examples", REPO / "tests" / "fixtures"]
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}


def _roots() -> list[Path]:
    finder = RootFinder()
    dirs = {p.parent for tree in TREES for p in tree.rglob("*.tf") if ".terraform" not in p.parts}
    return sorted({Path(root) for d in dirs for root in finder.roots_of(str(d))})


def _source(block) -> dict:
    """The block's body as python-hcl2 reads it from its own file."""
    parsed = hcl2.loads(Path(block.file_path).read_text())
    kind = "data" if block.block_type == "data" else "resource"
    name = block.base_name
    for entry in parsed.get(kind) or []:
        body = (entry.get(block.type) or {}).get(name)
        if body is not None:
            return body
    raise AssertionError(f"{block.address} not found in {block.file_path}")


def _missing(source: dict, model: dict, path: str = "") -> list[str]:
    found = []
    for name, value in source.items():
        if name.startswith("__") or name in META:
            continue
        label = f"{path}.{name}" if path else name
        if name == "dynamic":
            found += _missing_in_dynamic(value, model, path)
            continue
        if name not in model:
            found.append(label)
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            nested = [m for m in model[name] if isinstance(m, dict)]
            if len(nested) < len(value):
                found.append(label)
                continue
            merged = {k: v for m in nested for k, v in m.items()}
            for body in value:
                found += _missing(body, merged, label)
    return found


def _missing_in_dynamic(dynamics: list, model: dict, path: str) -> list[str]:
    """A dynamic block's content, compared with the blocks it expanded to (it may expand to none)."""
    found = []
    for dynamic in dynamics:
        for block_name, body in dynamic.items():
            expanded = [m for m in model.get(block_name) or [] if isinstance(m, dict)]
            content = (body.get("content") or [{}])[0]
            if expanded:
                merged = {k: v for m in expanded for k, v in m.items()}
                found += _missing(content, merged, f"{path}.{block_name}" if path else block_name)
    return found


ROOTS = _roots()
# The quick loop compares the module-shaped fixtures; the full run the examples and every case too.
QUICK = [REPO / "tests" / "registry_shapes"]
PARAMS = [pytest.param(root, marks=() if any(q in root.parents for q in QUICK) else pytest.mark.exhaustive)
          for root in ROOTS]


def test_there_are_trees_to_compare():
    assert len(ROOTS) > 100, len(ROOTS)


@pytest.mark.parametrize("root", PARAMS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_source_name_is_in_the_model_or_explained(root: Path):
    try:
        evaluated = terraform.load(str(root))
    except terraform.EvaluationError:
        pytest.skip("a root the evaluator rejects is FAILED as a whole, elsewhere")
    problems = []
    for block in evaluated.blocks:
        for name in _missing(_source(block), block.config):
            top = name.split(".")[0]
            explained = any(top in reason or name in reason for reason in block.unknown)
            unset = name in block.unset
            if not explained and not unset:
                problems.append(f"{block.address}: {name} is in the source but not in the model")
    assert not problems, "\n".join(problems)


def test_a_lost_statement_is_read_again_or_unknown(tmp_path: Path):
    """Reproductions: an unknown function and a dynamic statement whose for_each is read only at plan time."""
    (tmp_path / "main.tf").write_text('''
data "aws_region" "current" {}
data "aws_iam_policy_document" "p" {
  #checkov:skip=CKV_AWS_111:a skip comment inside the block
  statement {
    actions   = ["s3:*"]
    resources = [not_a_function("x")]
  }
  dynamic "statement" {
    for_each = data.aws_region.current.name == "eu-west-1" ? [1] : []
    content {
      actions   = ["kms:Decrypt"]
      resources = ["*"]
    }
  }
}
''')
    blocks = {b.address: b for b in terraform.load(str(tmp_path)).blocks}
    document = blocks["data.aws_iam_policy_document.p"]
    statements = document.config["statement"]
    assert statements[0]["resources"][0][0].startswith("${"), statements  # unknown, never an empty list
    assert any(str(s.get("effect", [""])[0]).startswith("${dynamic block 'statement'") for s in statements)
    assert any("data.aws_region.current.name" in reason for reason in document.unknown)


def test_legacy_index_keeps_the_reference(tmp_path: Path):
    (tmp_path / "main.tf").write_text('''
data "aws_partition" "current" {
  count = 1
}
resource "aws_s3_bucket" "x" {
  count  = 1
  bucket = "acme-x"
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.x.0.arn}/*", "arn:${data.aws_partition.current.0.partition}:s3:::y/*"]
  }
}
''')
    blocks = {b.address: b for b in terraform.load(str(tmp_path)).blocks}
    resources = blocks["data.aws_iam_policy_document.p"].config["statement"][0]["resources"][0]
    assert resources == ["${aws_s3_bucket.x[0].arn}/*", "arn:${data.aws_partition.current.0.partition}:s3:::y/*"]
    assert {t.address for _, t in blocks["data.aws_iam_policy_document.p"].out} >= {
        "aws_s3_bucket.x[0]", "data.aws_partition.current[0]"}


def _block(address: str, bucket: str, out=(), root: str = "/r", file_path: str = "/r/main.tf"):
    from kmsguard.model.resources import Block
    block = Block(key=(root, address), block_type="resource", type="aws_s3_bucket", name=address.rsplit(".", 1)[-1],
                  address=address, file_path=file_path, config={"bucket": [bucket]}, root=root)
    block.out.extend(out)
    return block


def test_the_same_unknown_parts_name_the_same_value():
    """Issue 18 section 2: lookups per provider configuration, variables per module instance, parameters per template."""
    from kmsguard.model.resources import Block, ResourceGraph, symbolic

    def lookup(provider: str) -> Block:
        return Block(key=provider, block_type="data", type="aws_caller_identity", name="current",
                     address="data.aws_caller_identity.current", file_path="/r/main.tf", config={}, root="/r",
                     provider=provider)

    default, aliased = lookup("aws"), lookup("aws.us")
    name = "logs-${data.aws_caller_identity.current.account_id}"
    a = _block("aws_s3_bucket.a", name, [("bucket", default)])
    b = _block("module.m.aws_s3_bucket.b", name, [("bucket", default)])
    c = _block("aws_s3_bucket.c", name, [("bucket", aliased)])
    assert symbolic(name, a) == symbolic(name, b) != symbolic(name, c)
    graph = ResourceGraph([a, b, c, default, aliased])
    assert graph.named("aws_s3_bucket", "bucket", name, a) == [a, b]
    assert graph.named("aws_s3_bucket", "bucket", "logs-${var.other}", a) == []
    # A variable matches only within the same module instance.
    x, y = _block("module.x.aws_s3_bucket.this", "${var.name}"), _block("module.y.aws_s3_bucket.this", "${var.name}")
    assert symbolic("${var.name}", x) != symbolic("${var.name}", y)
    assert symbolic("${var.name}", x) == symbolic("${var.name}", _block("module.x.aws_s3_bucket.other", ""))
    # A template parameter matches within its template; an attribute known only after apply names nothing.
    template = _block("Bucket", "${BucketName}", root="/t.yaml", file_path="/t.yaml")
    assert symbolic("${BucketName}", template) == "${parameter.BucketName}"
    assert symbolic("${aws_kms_key.k.key_id}", a) is None
