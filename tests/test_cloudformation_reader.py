"""kmsguard.readers.cloudformation: template values evaluated as CloudFormation would, into the model's vocabulary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kmsguard.model.values import is_unresolved
from kmsguard.readers import cloudformation, cloudformation_intrinsics, sam_policy_templates

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "a, b"}
  Secret: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknown: !Equals [!Ref Secret, x]
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      Description: !Select [1, !Split [",", "x,y,z"]]
      PendingWindowInDays: !If [Unknown, 7, 30]
  DevOnly:
    Type: AWS::S3::Bucket
    Condition: IsDev
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Join ["-", [data, !Select [0, !Ref Zones], !Ref "AWS::AccountId"]]
      Tags:
        - Key: literal
          Value: !Sub "${!NotAVariable}-${Env}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Sub "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${Key}"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: !Sub "${Bucket.Arn}/*"}
              - {Effect: Allow, Action: kms:Decrypt, Resource: !ImportValue shared-key}
"""


@pytest.fixture()
def template(tmp_path: Path) -> cloudformation.Template:
    path = tmp_path / "stack.yaml"
    path.write_text(TEMPLATE)
    loaded = cloudformation.load(str(path))
    assert loaded is not None
    return loaded


def test_resources_become_provider_blocks(template):
    assert {logical: [b.type for b in blocks] for logical, blocks in template.by_logical_id.items()} == {
        "Key": ["aws_kms_key"], "Bucket": ["aws_s3_bucket"], "Role": ["aws_iam_role"]}  # DevOnly: Condition false
    assert all(b.address == b.name and b.root == b.file_path for b in template.blocks)


def test_intrinsics_are_evaluated(template):
    key, bucket, role = (template.by_logical_id[n][0] for n in ("Key", "Bucket", "Role"))
    assert key.get("description") == "y"
    assert bucket.get("bucket") == f"data-a-{cloudformation_intrinsics.ACCOUNT_ID}"
    rule = bucket.config["server_side_encryption_configuration"][0]["rule"][0]
    # A key ARN built from the key's ID in this stack's region and account is the key's ARN.
    assert rule["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] == ["${aws_kms_key.Key.arn}"]
    assert (("server_side_encryption_configuration.rule.apply_server_side_encryption_by_default.kms_master_key_id", key)
            in bucket.out)
    policy = json.loads(role.config["inline_policy"][0]["policy"][0])
    assert policy["Version"] == "2012-10-17"  # an unquoted YAML date stays text
    assert policy["Statement"][0]["Resource"] == "${aws_s3_bucket.Bucket.arn}/*"
    assert ("inline_policy.policy", bucket) in role.out


def test_what_deployment_decides_stays_unresolved(template):
    key, role = template.by_logical_id["Key"][0], template.by_logical_id["Role"][0]
    assert is_unresolved(key.get("deletion_window_in_days"))  # Fn::If on a condition that needs a parameter without default
    assert any("Unknown" in reason for reason in key.unknown)
    resource = json.loads(role.config["inline_policy"][0]["policy"][0])["Statement"][1]["Resource"]
    assert is_unresolved(resource) and "shared-key" in resource
    assert any("ImportValue" in reason for reason in role.unknown)


def test_non_templates_are_not_read(tmp_path: Path):
    (tmp_path / "values.yaml").write_text("Resources: 3\n")
    (tmp_path / "other.json").write_text('{"Resources": {"a": {"Type": "not::a::type"}}}')
    assert cloudformation.load(str(tmp_path / "values.yaml")) is None


def test_broken_template_is_an_error(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: [unclosed\n")
    with pytest.raises(cloudformation.TemplateError):
        cloudformation.load(str(path))


def test_sam_policy_templates_match_aws_sam_translator():
    try:
        import samtranslator as translator  # type: ignore[import-untyped]
    except ImportError:  # a test extra: a missing one must not look like a pass
        pytest.fail("aws-sam-translator is not installed (pip install aws-sam-translator)")
    data = json.loads((Path(translator.__file__).parent / "policy_templates_data" / "policy_templates.json").read_text())
    templates = data["Templates"]
    assert set(templates) <= sam_policy_templates.NAMES, "new SAM policy templates: regenerate sam_policy_templates.py"
    for name, definition in sam_policy_templates.DEFINITIONS.items():
        assert templates[name] == definition, name
    # Every template that grants an S3 object action or a KMS action is modelled, not assumed harmless.
    for name, template in templates.items():
        statements = template["Definition"]["Statement"]
        actions = [a.lower() for s in statements for a in ([s.get("Action")] if isinstance(s.get("Action"), str)
                                                          else s.get("Action") or [])]
        if any(a in ("*", "s3:*") or a.startswith(("s3:getobject", "s3:putobject", "kms:")) for a in actions) or any(
                "NotAction" in s for s in statements):
            assert name in sam_policy_templates.DEFINITIONS, name


CONDITIONS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  Replicas: {Type: Number, Default: 0}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  ProdHome: !And [!Condition IsProd, !Equals [!Ref "AWS::Region", us-east-1], !Equals [a, a]]
  Replicated: !Equals [!Ref Replicas, 1]
Resources:
  Key:
    Type: AWS::KMS::Key
    Condition: ProdHome
  Replica:
    Type: AWS::S3::Bucket
    Condition: Replicated
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: kms:Decrypt
                Resource: !If [ProdHome, !GetAtt Key.Arn, !Ref AWS::NoValue]
"""


def test_false_conditions_prune_resources_and_branches_alike(tmp_path: Path):
    """A false Condition (CloudFormation user guide, "Conditions") removes the resource and picks the Fn::If branch."""
    path = tmp_path / "stack.yaml"
    path.write_text(CONDITIONS)
    loaded = cloudformation.load(str(path))
    assert loaded is not None
    assert loaded.pruned == {"Key", "Replica"} and set(loaded.by_logical_id) == {"Role"}
    assert not loaded.assumed
    policy = json.loads(loaded.by_logical_id["Role"][0].config["inline_policy"][0]["policy"][0])
    assert "Resource" not in policy["Statement"][0]  # the same condition, the AWS::NoValue branch


def test_condition_reasons_reach_every_resource_that_uses_it(tmp_path: Path):
    path = tmp_path / "stack.yaml"
    path.write_text(CONDITIONS.replace("Env: {Type: String, Default: dev}", "Env: {Type: String}"))
    loaded = cloudformation.load(str(path))
    assert loaded is not None
    assert set(loaded.assumed) == {"Key"}  # judged as created; Replica is still pruned
    role = loaded.by_logical_id["Role"][0]
    # the condition was evaluated for Key first: its reasons still reach Role's Fn::If
    assert any("parameter Env has no default" in reason for reason in role.unknown)
    assert "parameter Env has no default" in loaded.assumed["Key"]
