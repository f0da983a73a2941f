"""The CloudFormation template editor splices text: everything outside the edit stays byte-identical."""
from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kmsguard.fix.template_edits import EditRefused, append_item, set_value
from kmsguard.fix.template_nodes import load_data as _load

REPO = Path(__file__).resolve().parents[2]
GETATT = {"Fn::GetAtt": ["Key", "Arn"]}

YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
# a comment at the top
Parameters:
  Stage: {Type: String, Default: 'dev'}   # flow mapping, quoted default

Resources:
  # the key
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: "keeps its quotes"
      EnableKeyRotation: false   # turned off on purpose
      PendingWindowInDays: 10

  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'data-${Stage}'
      BucketEncryption:
        ServerSideEncryptionConfiguration:
        - ServerSideEncryptionByDefault:
            SSEAlgorithm: aws:kms
            KMSMasterKeyID: !GetAtt Key.Arn

  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
        - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
      - PolicyName: read
        PolicyDocument:
          Statement:
          - Effect: Allow
            Action: [s3:GetObject]
            Resource: !Sub '${Bucket.Arn}/*'

Outputs:
  Arn:
    Value: !GetAtt Key.Arn
"""


def changed_lines(before: str, after: str) -> list[str]:
    """The diff's removed and added lines, without the file headers."""
    return [line for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_replacing_a_scalar_changes_only_that_value_and_keeps_the_comment():
    after = set_value(YAML, ("Resources", "Key", "Properties", "EnableKeyRotation"), True, "yaml")
    assert after == YAML.replace("EnableKeyRotation: false   #", "EnableKeyRotation: true   #")


def test_adding_a_key_goes_at_the_end_of_its_mapping_with_its_indentation():
    after = set_value(YAML, ("Resources", "Key", "Properties", "RotationPeriodInDays"), 365, "yaml")
    assert changed_lines(YAML, after) == ["+      RotationPeriodInDays: 365\n"]
    assert after.index("RotationPeriodInDays") > after.index("PendingWindowInDays: 10")
    assert after.index("RotationPeriodInDays") < after.index("  Bucket:")


def test_a_key_inside_a_sequence_item_keeps_the_items_indentation():
    path = ("Resources", "Bucket", "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration", 0,
            "BucketKeyEnabled")
    after = set_value(YAML, path, True, "yaml")
    assert changed_lines(YAML, after) == ["+          BucketKeyEnabled: true\n"]
    assert _load(after, "yaml")["Resources"]["Bucket"]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"][0]["BucketKeyEnabled"] is True


def test_short_form_tags_are_written_when_the_file_uses_them():
    after = set_value(YAML, ("Resources", "Role", "Properties", "RoleName"), {"Fn::Sub": "app-${Stage}"}, "yaml")
    assert changed_lines(YAML, after) == ["+      RoleName: !Sub app-${Stage}\n"]
    after = set_value(YAML, ("Outputs", "Arn", "Value"), {"Ref": "Key"}, "yaml")
    assert changed_lines(YAML, after) == ["-    Value: !GetAtt Key.Arn\n", "+    Value: !Ref Key\n"]


def test_long_form_when_the_file_has_no_tags():
    text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
    after = set_value(text, ("Resources", "Bucket", "Properties", "KMS"), GETATT, "yaml")
    assert after == text + "    Properties:\n      KMS:\n        Fn::GetAtt:\n          - Key\n          - Arn\n"
    assert _load(after, "yaml")["Resources"]["Bucket"]["Properties"]["KMS"] == GETATT


def test_missing_parents_are_created_in_the_files_sequence_style():
    """The file writes its sequences with the dash under the key (offset 0): new sequences do too."""
    value = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": GETATT}, "BucketKeyEnabled": True}]}
    after = set_value(YAML, ("Resources", "Role", "Properties", "X", "BucketEncryption"), value, "yaml")
    assert changed_lines(YAML, after) == [
        "+      X:\n",
        "+        BucketEncryption:\n",
        "+          ServerSideEncryptionConfiguration:\n",
        "+          - ServerSideEncryptionByDefault:\n",
        "+              SSEAlgorithm: aws:kms\n",
        "+              KMSMasterKeyID: !GetAtt Key.Arn\n",
        "+            BucketKeyEnabled: true\n",
    ]


def test_appending_to_a_block_sequence_keeps_its_dash_offset():
    statement = {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": GETATT}
    path = ("Resources", "Role", "Properties", "Policies", 0, "PolicyDocument", "Statement")
    after = append_item(YAML, path, statement, "yaml")
    assert changed_lines(YAML, after) == [
        "+          - Effect: Allow\n",
        "+            Action:\n",
        "+            - kms:Decrypt\n",
        "+            Resource: !GetAtt Key.Arn\n",
    ]


def test_appending_to_flow_sequences_and_mappings_stays_on_the_line():
    path = ("Resources", "Role", "Properties", "Policies", 0, "PolicyDocument", "Statement", 0, "Action")
    after = append_item(YAML, path, "kms:Decrypt", "yaml")
    assert changed_lines(YAML, after)[1] == "+            Action: [s3:GetObject, kms:Decrypt]\n"
    after = set_value(YAML, ("Parameters", "Stage", "Description"), "a, b", "yaml")
    assert changed_lines(YAML, after)[1] == (
        "+  Stage: {Type: String, Default: 'dev', Description: 'a, b'}   # flow mapping, quoted default\n")


def test_a_new_resource_is_set_apart_by_a_blank_line_like_its_neighbours():
    key = {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "PendingWindowInDays": 30}}
    after = set_value(YAML, ("Resources", "BucketKey"), key, "yaml", after="Bucket")
    assert after == YAML.replace("Key.Arn\n\n  Role:", "Key.Arn\n\n  BucketKey:\n    Type: AWS::KMS::Key\n"
                                 "    Properties:\n      EnableKeyRotation: true\n      PendingWindowInDays: 30\n\n  Role:")
    assert list(_load(after, "yaml")["Resources"]) == ["Key", "Bucket", "BucketKey", "Role"]


def test_strings_are_quoted_only_when_yaml_would_read_them_otherwise():
    values = ["aws:kms", "*", "2012-10-17", "true", "10", "a: b", "x #y", "it's", "", "line\nbreak", "@x"]
    for value in values:
        after = set_value(YAML, ("Outputs", "Arn", "Value"), value, "yaml")
        assert _load(after, "yaml")["Outputs"]["Arn"]["Value"] == value
    assert "Value: aws:kms\n" in set_value(YAML, ("Outputs", "Arn", "Value"), "aws:kms", "yaml")


def test_crlf_line_endings_are_kept():
    text = YAML.replace("\n", "\r\n")
    after = set_value(text, ("Resources", "Key", "Properties", "RotationPeriodInDays"), 365, "yaml")
    after = append_item(after, ("Resources", "Role", "Properties", "Policies", 0, "PolicyDocument", "Statement"),
                        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": GETATT}, "yaml")
    assert "\n" not in after.replace("\r\n", "")
    assert after.replace("\r\n", "\n") == append_item(
        set_value(YAML, ("Resources", "Key", "Properties", "RotationPeriodInDays"), 365, "yaml"),
        ("Resources", "Role", "Properties", "Policies", 0, "PolicyDocument", "Statement"),
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": GETATT}, "yaml")


def test_a_literal_block_scalar_at_the_end_of_a_mapping_is_not_swallowed():
    text = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: |\n        x = 1\n\n" \
           "        y = 2\n\n  G:\n    Type: AWS::SNS::Topic\n"
    after = set_value(text, ("Resources", "F", "Properties", "Timeout"), 30, "yaml")
    data = _load(after, "yaml")["Resources"]["F"]["Properties"]
    assert data == {"Code": "x = 1\n\ny = 2\n", "Timeout": 30}


def test_an_empty_value_is_filled_in_place():
    text = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n  Other:\n    Type: AWS::SNS::Topic\n"
    after = set_value(text, ("Resources", "Key", "Properties", "EnableKeyRotation"), True, "yaml")
    assert after == text.replace("Properties:\n", "Properties:\n      EnableKeyRotation: true\n", 1)


@pytest.mark.parametrize("text, path, why", [
    ("Defaults: &d\n  A: 1\nResources:\n  K:\n    Properties: *d\n", ("Resources", "K", "Properties", "A"), "alias"),
    ("Resources:\n  K:\n    Properties: &d\n      A: 1\n  L:\n    Properties: *d\n",
     ("Resources", "K", "Properties", "B"), "anchored"),
    ("Base: &b {A: 1}\nResources:\n  K:\n    Properties:\n      <<: *b\n      C: 2\n",
     ("Resources", "K", "Properties", "C"), "merges"),
    ("Resources:\n  K:\n    Properties:\n      Tags: &t [a]\n  L:\n    Properties: {Tags: *t}\n",
     ("Resources", "K", "Properties"), "anchor"),
    ("Resources:\n  K: {A: 1}\n  K: {A: 2}\n", ("Resources", "K", "A"), "more than once"),
    ("Resources:\n  K:\n    Type: X\n", ("Resources", "K", "Type", "Sub"), "not a mapping"),
])
def test_edits_at_or_inside_anchors_aliases_and_merges_are_refused(text, path, why):
    with pytest.raises(EditRefused, match=why):
        set_value(text, path, {"Z": 1}, "yaml")


def test_a_refused_edit_does_not_stop_edits_elsewhere_in_the_file():
    text = "Defaults: &d\n  A: 1\nResources:\n  K:\n    Properties: *d\n  L:\n    Properties:\n      A: 2\n"
    after = set_value(text, ("Resources", "L", "Properties", "A"), 3, "yaml")
    assert after == text.replace("A: 2", "A: 3")


def test_appending_to_something_that_is_not_a_list_is_refused():
    with pytest.raises(EditRefused, match="not a list"):
        append_item(YAML, ("Resources", "Key", "Properties"), "x", "yaml")


def test_a_template_that_does_not_parse_is_refused():
    with pytest.raises(EditRefused, match="does not parse"):
        set_value("Resources: [\n", ("Resources", "A"), 1, "yaml")
    with pytest.raises(EditRefused, match="does not parse"):
        set_value('{"Resources": {', ("Resources", "A"), 1, "json")


JSON = """{
    "Resources": {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"Description": "one line", "EnableKeyRotation": false}
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": "data",
                "Tags": []
            }
        }
    }
}
"""


def test_json_keeps_the_files_indentation():
    encryption = {"ServerSideEncryptionConfiguration": [{"BucketKeyEnabled": True}]}
    after = set_value(JSON, ("Resources", "Bucket", "Properties", "BucketEncryption"), encryption, "json")
    assert changed_lines(JSON, after) == [
        '-                "Tags": []\n',
        '+                "Tags": [],\n',
        '+                "BucketEncryption": {\n',
        '+                    "ServerSideEncryptionConfiguration": [\n',
        '+                        {\n',
        '+                            "BucketKeyEnabled": true\n',
        '+                        }\n',
        '+                    ]\n',
        '+                }\n',
    ]


def test_json_one_line_objects_stay_on_one_line_and_empty_lists_open_up():
    after = set_value(JSON, ("Resources", "Key", "Properties", "EnableKeyRotation"), True, "json")
    assert changed_lines(JSON, after)[1] == \
        '+            "Properties": {"Description": "one line", "EnableKeyRotation": true}\n'
    after = set_value(JSON, ("Resources", "Key", "Properties", "PendingWindowInDays"), 30, "json")
    assert '"EnableKeyRotation": false, "PendingWindowInDays": 30}' in after
    after = append_item(JSON, ("Resources", "Bucket", "Properties", "Tags"), {"Key": "a", "Value": "b"}, "json")
    assert json.loads(after)["Resources"]["Bucket"]["Properties"]["Tags"] == [{"Key": "a", "Value": "b"}]
    assert '                "Tags": [\n                    {\n                        "Key": "a",' in after


def test_json_tabs_crlf_and_a_new_key_after_another():
    text = JSON.replace("    ", "\t").replace("\n", "\r\n")
    after = set_value(text, ("Resources", "NewKey"), {"Type": "AWS::KMS::Key"}, "json", after="Key")
    assert list(json.loads(after)["Resources"]) == ["Key", "NewKey", "Bucket"]
    assert '\t\t"NewKey": {\r\n\t\t\t"Type": "AWS::KMS::Key"\r\n\t\t},\r\n\t\t"Bucket"' in after
    assert "\n" not in after.replace("\r\n", "")


@pytest.mark.exhaustive  # every example template, edited many ways: the full run (the cases above stay quick)
def test_the_example_templates_change_only_where_edited():
    """Every example template, a key added to every resource: only added lines (and JSON's new commas) differ."""
    templates = sorted((REPO / "examples" / "cloudformation").rglob("*.yaml")) + \
        sorted((REPO / "examples" / "cloudformation").rglob("*.template.json"))
    assert len(templates) >= 5
    for path in templates:
        text = path.read_text(encoding="utf-8")
        fmt = "json" if path.suffix == ".json" else "yaml"
        for logical_id in _load(text, fmt)["Resources"]:
            after = set_value(text, ("Resources", logical_id, "Metadata", "kmsguard"), "checked", fmt)
            lines = changed_lines(text, after)
            removed = [line[1:] for line in lines if line.startswith("-")]
            added = [line[1:] for line in lines if line.startswith("+")]
            assert all(line.rstrip("\n") + ",\n" in added for line in removed), (path, logical_id, lines)
            assert _load(after, fmt)["Resources"][logical_id]["Metadata"]["kmsguard"] == "checked"


@pytest.mark.tools_only
def test_edited_templates_pass_cfn_lint(tmp_path):
    """Whole templates, edited the way the fixer edits them, are still valid CloudFormation."""
    storage = (REPO / "examples" / "cloudformation" / "bad" / "storage.yaml").read_text(encoding="utf-8")
    edited = set_value(storage, ("Resources", "ArtifactsKey", "Properties", "PendingWindowInDays"), 30, "yaml")
    edited = set_value(edited, ("Resources", "Scratch0BucketKey"), {
        "Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
        "Properties": {"EnableKeyRotation": True, "PendingWindowInDays": 30}}, "yaml", after="Scratch0Bucket")
    edited = set_value(edited, ("Resources", "Scratch0Bucket", "Properties", "BucketEncryption"), {
        "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Scratch0BucketKey", "Arn"]}},
            "BucketKeyEnabled": True}]}, "yaml")
    cdk = next((REPO / "examples" / "cloudformation" / "cdk" / "cdk.out").glob("*.template.json"))
    cdk_text = cdk.read_text(encoding="utf-8")
    role = next(k for k, v in json.loads(cdk_text)["Resources"].items() if v["Type"] == "AWS::IAM::Policy")
    cdk_edited = append_item(cdk_text, ("Resources", role, "Properties", "PolicyDocument", "Statement"),
                             {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}, "json")
    (tmp_path / "storage.yaml").write_text(edited, encoding="utf-8")
    (tmp_path / "cdk.template.json").write_text(cdk_edited, encoding="utf-8")
    lint = Path(sys.executable).with_name("cfn-lint")
    for template in ("storage.yaml", "cdk.template.json"):
        run = subprocess.run([str(lint), str(tmp_path / template)], capture_output=True, text=True, timeout=300)
        # CDK output carries DependsOn that cfn-lint only warns about (W3005), as before the edit.
        assert run.returncode == 0 or (template.startswith("cdk") and not run.returncode & 2), run.stdout + run.stderr
