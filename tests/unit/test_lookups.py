"""lookups.rewrite keeps data-source lookups as their own text, in expressions only."""
from pathlib import Path

from kmsguard.readers import terraform
from kmsguard.readers.terraform_lookups import rewrite


def test_a_bare_lookup_becomes_a_string_of_its_text():
    assert rewrite("a = data.aws_caller_identity.current.account_id\n") == \
        'a = "$${data.aws_caller_identity.current.account_id}"\n'


def test_a_lookup_inside_an_interpolation_is_rewritten_where_it_stands():
    source = 'a = "arn:${data.aws_partition.current.partition}:kms:x"\n'
    assert rewrite(source) == 'a = "arn:${"$${data.aws_partition.current.partition}"}:kms:x"\n'


def test_literal_text_comments_and_escaped_interpolations_stay():
    for source in (
        '# data.aws_region.current.name\n',
        '/* data.aws_region.current.name */\n',
        'a = "see data.aws_region.current.name \\" data.aws_region.current.name"\n',
        'a = "$${data.aws_region.current.name}"\n',
        'a = <<EOT\nplain data.aws_region.current.name\nEOT\n',
        'a = data.aws_iam_policy_document.p.json\n',  # the evaluator reads policy documents itself
    ):
        assert rewrite(source) == source, source


def test_heredoc_interpolations_and_quoted_indexes():
    assert rewrite('a = <<EOT\n${data.aws_region.r.name}\nEOT\n') == 'a = <<EOT\n${"$${data.aws_region.r.name}"}\nEOT\n'
    assert rewrite('a = data.aws_kms_key.k["x"].arn\n') == 'a = "$${data.aws_kms_key.k[\\"x\\"].arn}"\n'


def test_the_evaluated_model_holds_the_lookup_text_and_an_edge(tmp_path: Path):
    (tmp_path / "main.tf").write_text(
        'data "aws_partition" "current" {}\n'
        'data "aws_caller_identity" "current" {}\n'
        'resource "aws_s3_bucket_server_side_encryption_configuration" "c" {\n'
        '  bucket = "b"\n'
        '  rule {\n'
        '    apply_server_side_encryption_by_default {\n'
        '      sse_algorithm     = "aws:kms"\n'
        '      kms_master_key_id = "arn:${data.aws_partition.current.partition}:kms:eu-west-1:'
        '${data.aws_caller_identity.current.account_id}:alias/app"\n'
        '    }\n'
        '  }\n'
        '}\n'
    )
    (config,) = [b for b in terraform.load(str(tmp_path)).blocks if b.type.endswith("_configuration")]
    default = config.config["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert default["kms_master_key_id"] == [
        "arn:${data.aws_partition.current.partition}:kms:eu-west-1:${data.aws_caller_identity.current.account_id}:alias/app"
    ]
    assert sorted(t.address for _, t in config.out) == ["data.aws_caller_identity.current", "data.aws_partition.current"]
    assert config.file_path == str(tmp_path / "main.tf")  # the original file, not the rewritten copy
