"""Deployment parameter values for CloudFormation templates: parameter files, samconfig.toml, the command's option.

Formats as the AWS CLI and SAM CLI take them:
https://docs.aws.amazon.com/cli/latest/reference/cloudformation/create-stack.html (--parameters file://),
https://docs.aws.amazon.com/cli/latest/reference/cloudformation/deploy/index.html (--parameter-overrides file://),
https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kmsguard.model.values import is_unresolved
from kmsguard.readers import cloudformation, cloudformation_parameters
from kmsguard.readers.cloudformation_parameters import ParameterFileError, for_template, read_parameter_file
from kmsguard.settings import CFN_PARAMETERS, SAM_CONFIG_ENV, SettingsError, validate_all

KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  KeyArn: {Type: String}
  Env: {Type: String, Default: dev}
  Zones: {Type: CommaDelimitedList}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Select [1, !Ref Zones]
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Ref KeyArn
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
                Resource: !If [IsProd, !Ref KeyArn, "*"]
"""


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path):
    for variable in (CFN_PARAMETERS.variable, SAM_CONFIG_ENV.variable):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)  # the project root outside a git repository is the working directory


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    path = tmp_path / "stack" / "template.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE)
    return path


def write(path: Path, content) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def blocks(path: Path):
    loaded = cloudformation.load(str(path), for_template(str(path)))
    assert loaded is not None
    return loaded


@pytest.mark.parametrize("document", [
    [{"ParameterKey": "KeyArn", "ParameterValue": KEY}, {"ParameterKey": "Env", "ParameterValue": "prod"},
     {"ParameterKey": "Zones", "ParameterValue": "a,b"}],  # create-stack --parameters
    {"Parameters": {"KeyArn": KEY, "Env": "prod", "Zones": "a,b"}},  # deploy / CodePipeline
    [f"KeyArn={KEY}", "Env=prod", "Zones=a,b"],  # deploy --parameter-overrides
])
def test_every_cli_format_gives_the_values(document, template, tmp_path, monkeypatch):
    monkeypatch.setenv(CFN_PARAMETERS.variable, f"{template}={write(tmp_path / 'p.json', document)}")
    loaded = blocks(template)
    bucket = loaded.by_logical_id["Bucket"][0]
    rule = bucket.config["server_side_encryption_configuration"][0]["rule"][0]
    assert rule["apply_server_side_encryption_by_default"][0]["kms_master_key_id"] == [KEY]
    assert bucket.get("bucket") == "b"  # a CommaDelimitedList value is split like a default
    # The parameter makes IsProd true: the resource is created and the policy's Fn::If takes the same branch.
    assert "ProdOnly" in loaded.by_logical_id and not loaded.pruned
    policy = json.loads(loaded.by_logical_id["Role"][0].config["inline_policy"][0]["policy"][0])
    assert policy["Statement"][0]["Resource"] == KEY


def test_defaults_prune_and_unknown_values_stay_unknown(template):
    loaded = blocks(template)
    assert loaded.pruned == {"ProdOnly"} and "ProdOnly" not in loaded.by_logical_id
    bucket = loaded.by_logical_id["Bucket"][0]
    key = bucket.config["server_side_encryption_configuration"][0]["rule"][0][
        "apply_server_side_encryption_by_default"][0]["kms_master_key_id"][0]
    assert key == "${KeyArn}" and is_unresolved(key)
    assert any("parameter KeyArn has no default and no deployment value" in r for r in bucket.unknown)


def test_condition_unknown_is_judged_as_created_with_the_reason(tmp_path):
    path = write(tmp_path / "t.yaml", TEMPLATE.replace("Env: {Type: String, Default: dev}", "Env: {Type: String}"))
    loaded = blocks(path)
    assert "ProdOnly" in loaded.by_logical_id
    assert "Condition IsProd" in loaded.assumed["ProdOnly"] and "parameter Env" in loaded.assumed["ProdOnly"]


def test_use_previous_value_is_unknown(template, tmp_path, monkeypatch):
    document = [{"ParameterKey": "KeyArn", "UsePreviousValue": True}]
    monkeypatch.setenv(CFN_PARAMETERS.variable, str(write(tmp_path / "p.json", document)))
    bucket = blocks(template).by_logical_id["Bucket"][0]
    assert any("UsePreviousValue" in r for r in bucket.unknown)


def test_template_file_wins_over_file_for_all_and_samconfig(template, tmp_path, monkeypatch):
    write(template.parent / "samconfig.toml", '[default.deploy.parameters]\nparameter_overrides = "Env=sam"\n')
    everyone = write(tmp_path / "all.json", {"Parameters": {"Env": "all", "KeyArn": KEY}})
    own = write(tmp_path / "own.json", {"Parameters": {"Env": "own"}})
    monkeypatch.setenv(CFN_PARAMETERS.variable, os.pathsep.join([f"{template}={own}", str(everyone)]))
    values = for_template(str(template))
    assert values is not None and values.values == {"Env": "own", "KeyArn": KEY}
    monkeypatch.delenv(CFN_PARAMETERS.variable)
    values = for_template(str(template))
    assert values is not None and values.values == {"Env": "sam"}  # no named file: samconfig.toml


def test_samconfig_deploy_before_global_and_named_environment(template, monkeypatch):
    write(template.parent / "samconfig.toml", "\n".join([
        'version = 0.1',
        '[default.global.parameters]', 'parameter_overrides = "Env=global"',
        '[default.deploy.parameters]', 'parameter_overrides = \'Env=deploy KeyArn="a b"\'',
        '[prod.global.parameters]', 'parameter_overrides = ["Env=prod", "ParameterKey=KeyArn,ParameterValue=k"]',
    ]))
    values = for_template(str(template))
    assert values is not None and values.values == {"Env": "deploy", "KeyArn": "a b"}
    monkeypatch.setenv(SAM_CONFIG_ENV.variable, "prod")
    values = for_template(str(template))
    assert values is not None and values.values == {"Env": "prod", "KeyArn": "k"}
    monkeypatch.setenv(SAM_CONFIG_ENV.variable, "staging")
    with pytest.raises(cloudformation.TemplateError, match=r"no environment \[staging\]"):
        for_template(str(template))


def test_samconfig_in_the_project_root(tmp_path, template):
    write(tmp_path / "samconfig.toml", '[default.deploy.parameters]\nparameter_overrides = "Env=root"\n')
    values = for_template(str(template))  # the working directory: tmp_path, outside a git repository
    assert values is not None and values.values == {"Env": "root"}


@pytest.mark.parametrize("content, words", [
    ("{", "is not valid JSON"),
    ('{"Env": "prod"}', "none of the formats"),
    ('[{"ParameterValue": "x"}]', "without a ParameterKey"),
    ('[{"ParameterKey": "Env"}]', "neither a ParameterValue"),
    ('["Env"]', "not Key=Value"),
    ('{"Parameters": {"Env": {"a": 1}}}', "not a string"),
])
def test_malformed_parameter_files_name_the_file(tmp_path, content, words):
    path = write(tmp_path / "bad.json", content)
    with pytest.raises(ParameterFileError, match=words) as raised:
        read_parameter_file(str(path))
    assert str(path) in str(raised.value) and CFN_PARAMETERS.variable in str(raised.value)


def test_malformed_samconfig_fails_its_templates(template):
    write(template.parent / "samconfig.toml", "[default.deploy.parameters\n")
    with pytest.raises(cloudformation.TemplateError, match="samconfig.toml is not valid TOML"):
        for_template(str(template))


@pytest.mark.parametrize("value, words", [
    ("missing.json", "does not exist: missing.json"),
    ("nowhere.yaml=p.json", "names a template that does not exist"),
    ("=p.json", "not TEMPLATE=FILE or FILE"),
])
def test_setting_errors_name_the_variable(tmp_path, monkeypatch, value, words):
    write(tmp_path / "p.json", "[]")
    monkeypatch.setenv(CFN_PARAMETERS.variable, value)
    with pytest.raises(SettingsError, match=words):
        validate_all()


def test_validate_reads_every_named_file(tmp_path, monkeypatch):
    monkeypatch.setenv(CFN_PARAMETERS.variable, str(write(tmp_path / "p.json", "[1]")))
    validate_all()  # the form and the file's existence are fine
    with pytest.raises(ParameterFileError, match="none of the formats"):
        cloudformation_parameters.validate()


def test_bad_sam_environment_name(monkeypatch):
    monkeypatch.setenv(SAM_CONFIG_ENV.variable, "prod;rm")
    with pytest.raises(SettingsError, match=SAM_CONFIG_ENV.variable):
        validate_all()


CASE = Path(__file__).resolve().parent / "cases" / "CKV_KMSG_1" / "cfn_parameters_file_pass"


@pytest.mark.e2e
def test_kmsguard_cfn_parameters_option(tmp_path):
    """The option gives the values (PASSED); a missing or malformed file stops the command: one line, exit 2."""
    from tool_support import run, tool

    template = CASE / "template.yaml"
    passed = run([tool("kmsguard"), "-f", str(template), "--cfn-parameters", f"{template}={CASE / 'parameters.json'}",
                  "--check", "CKV_KMSG_1", "-o", "json"], cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    report = json.loads(passed.stdout)
    assert [c["resource"] for c in report["results"]["passed_checks"]] == ["AWS::S3::Bucket.Data"]
    without = run([tool("kmsguard"), "-f", str(template), "--check", "CKV_KMSG_1", "-o", "json"], cwd=tmp_path)
    assert without.returncode == 1, without.stdout + without.stderr  # the parameter has no default
    broken = write(tmp_path / "broken.json", '[{"ParameterKey": "DataKeyArn",}]')
    for value, words in ((f"{template}={broken}", [str(broken), "is not valid JSON"]),
                         (str(tmp_path / "missing.json"), ["missing.json", "does not exist"])):
        result = run([tool("kmsguard"), "-f", str(template), "--cfn-parameters", value], cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == "", result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kmsguard") and all(w in lines[0] for w in words), lines
