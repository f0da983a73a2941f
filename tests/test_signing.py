"""`kmsguard sign` writes a copy that real Checkov verifies and loads with the public key."""
from __future__ import annotations

import ast
import shutil

import pytest
from ecdsa import NIST256p, SECP256k1, SigningKey

from tool_support import BAD_FAILURES, BAD_TF, REPO, results, run, tool, write_tree

PACK_ONLY = ["--check", "CKV_KMSG_*,CKV2_KMSG_*", "--framework", "terraform", "-o", "json"]


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """A throwaway P-256 key pair, written the way `openssl ec` writes them."""
    directory = tmp_path_factory.mktemp("keys")
    private = SigningKey.generate(curve=NIST256p)
    (directory / "release.pem").write_bytes(private.to_pem())
    (directory / "release.pub.pem").write_bytes(private.get_verifying_key().to_pem())
    return directory / "release.pem", directory / "release.pub.pem"


@pytest.fixture(scope="module")
def signed(keys, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "kmsguard-signed"
    result = run([tool("kmsguard"), "sign", "--key", str(keys[0]), "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("bad"), {"main.tf": BAD_TF})


@pytest.fixture(scope="module")
def poisoned_install(tmp_path_factory):
    """A `kmsguard` earlier on PYTHONPATH that must never be imported by a signed run."""
    directory = tmp_path_factory.mktemp("poison")
    write_tree(directory, {"kmsguard/__init__.py": 'raise ImportError("unverified kmsguard library imported")\n'})
    return directory


def checkov_signed(tree, checks_dir, public_key, **env):
    return run([tool("checkov"), "-d", str(tree), "--external-checks-dir", str(checks_dir),
                "--external-checks-public-key", str(public_key), *PACK_ONLY], **env)


def test_signed_copy_covers_every_python_file(signed):
    python_files = sorted(signed.rglob("*.py"))
    names = {path.relative_to(signed).as_posix() for path in python_files}
    assert {"__init__.py", "kmsguard.py", "kmsguard_lib/adapters/base_check.py", "kmsguard_lib/rules/s3_encryption.py",
            "kmsguard_lib/rules/__package__.py"} <= names
    # No folder of the library has an __init__.py: Checkov would import its files as checks, by bare name.
    assert not [name for name in names if name.startswith("kmsguard_lib") and name.endswith("/__init__.py")]
    # Signed from the installed wheel, whose checks live inside the package: shipped once, as checks.
    assert not [name for name in names if name.startswith(("kmsguard_lib/custom_checks/", "kmsguard_lib/policies/"))]
    for path in python_files:
        assert path.read_bytes().splitlines()[-1].startswith(b"# checkov-digest: "), path


def test_checkov_loads_the_signed_copy_and_its_library(signed, keys, bad_tree, poisoned_install):
    # The poisoned package shadows the installed library: results prove the checks ran on the signed one.
    result = checkov_signed(bad_tree, signed, keys[1], PYTHONPATH=str(poisoned_install))
    assert result.returncode == 1, result.stderr[-3000:]
    assert results(result.stdout, "failed") == BAD_FAILURES
    assert "unverified kmsguard library imported" not in result.stderr


@pytest.mark.parametrize("victim", ["S3EncryptionUsesCustomerManagedKey.py", "kmsguard.py",
                                    "kmsguard_lib/rules/s3_encryption.py", "kmsguard_lib/rules/__package__.py"])
def test_one_changed_byte_makes_checkov_refuse(signed, keys, bad_tree, tmp_path, victim):
    tampered = tmp_path / "tampered"
    shutil.copytree(signed, tampered)
    path = tampered / victim
    data = bytearray(path.read_bytes())
    letter = next(i for i, byte in enumerate(data) if chr(byte).isalpha())
    data[letter] ^= 0x20  # one letter's case: one byte, still text
    path.write_bytes(bytes(data))
    result = checkov_signed(bad_tree, tampered, keys[1])
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "signature verification failed" in result.stderr and victim in result.stderr
    assert "CKV_KMSG_1" not in result.stdout  # refused before scanning


def test_another_key_is_refused(signed, bad_tree, tmp_path):
    other = tmp_path / "other.pub.pem"
    other.write_bytes(SigningKey.generate(curve=NIST256p).get_verifying_key().to_pem())
    assert checkov_signed(bad_tree, signed, other).returncode == 2


def test_signed_copy_still_runs_without_a_key(signed, bad_tree):
    result = run([tool("checkov"), "-d", str(bad_tree), "--external-checks-dir", str(signed), *PACK_ONLY])
    assert result.returncode == 1, result.stderr[-3000:]
    assert results(result.stdout, "failed") == BAD_FAILURES


def test_sign_refuses_wrong_curve_and_nonempty_output(keys, tmp_path):
    wrong = tmp_path / "k1.pem"
    wrong.write_bytes(SigningKey.generate(curve=SECP256k1).to_pem())
    result = run([tool("kmsguard"), "sign", "--key", str(wrong), "--out", str(tmp_path / "o1")])
    assert result.returncode == 2 and "P-256" in result.stderr and "Traceback" not in result.stderr
    busy = write_tree(tmp_path / "busy", {"x.txt": "x"})
    result = run([tool("kmsguard"), "sign", "--key", str(keys[0]), "--out", str(busy)])
    assert result.returncode == 2 and "not empty" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def module_imports(path) -> set[str]:
    """Every module a source file imports, at any depth (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_signing_does_not_import_the_cli():
    # One direction only: the command uses signing, signing is given the directories.
    assert not {"kmsguard.cli.command", "kmsguard"} & module_imports(REPO / "kmsguard" / "cli" / "signing.py")
    assert "kmsguard.cli.signing" in module_imports(REPO / "kmsguard" / "cli" / "command.py")
