"""``kmsguard --checkov-config``: plain Checkov and editor plugins load the pack from a workspace.

A ``.checkov.yaml`` that names the installed check directories holds paths of
one machine's virtualenv (``.venv/lib/python3.X/site-packages/...``). Instead
it names ``.checkov/kmsguard``, relative to the workspace root, which holds one
loader file: it imports the pack's checks from whatever Python runs Checkov.
When that Python has no (working) kmsguard, the loader registers CKV_KMSG_0,
which fails every bucket, key and role with the reason, so a scan without the
pack never looks clean. The loader also carries the pack's settings, for
plugins that pass Checkov no environment.
"""
from __future__ import annotations

import os

from kmsguard import settings

LOADER_DIR = os.path.join(".checkov", "kmsguard")
LOADER_NAME = "kmsguard_loader.py"  # Checkov imports it under this bare name: never "kmsguard"
CONFIG_NAME = ".checkov.yaml"
NOT_LOADED_ID = "CKV_KMSG_0"
PACK_CHECKS = ("CKV_KMSG_*", "CKV2_KMSG_*")

LOADER = '''"""Loads the kmsguard checks into Checkov (written by `kmsguard --checkov-config`; regenerate, do not edit)."""
import importlib
import os
import pkgutil

# The pack's settings for every scan that loads this file (editor plugins may pass no
# environment); a variable set in the environment wins.
SETTINGS = {settings!r}
for _name, _value in SETTINGS.items():
    os.environ.setdefault(_name, _value)

_problem = None
try:
    from kmsguard import custom_checks as _checks

    for _module in pkgutil.iter_modules(_checks.__path__):
        importlib.import_module(_checks.__name__ + "." + _module.name)
except Exception as _error:  # any of it: the scan would otherwise look clean without the pack
    _problem = "{{}}: {{}}".format(type(_error).__name__, _error)

if _problem is not None:
    from checkov.common.models.enums import CheckCategories, CheckResult
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

    class KmsguardNotLoaded(BaseResourceCheck):
        def __init__(self):
            super().__init__(
                # Editor plugins show only the name, never the details.
                name="kmsguard checks did not load: install kmsguard in the Python that runs Checkov",
                id="{check_id}",
                categories=[CheckCategories.ENCRYPTION],
                supported_resources=["aws_s3_bucket", "aws_kms_key", "aws_iam_role"],
            )

        def scan_resource_conf(self, conf):
            self.details.append("kmsguard is not importable here (" + _problem + "); the pack's checks did not run")
            return CheckResult.FAILED

    check = KmsguardNotLoaded()
'''


class WorkspaceError(Exception):
    """The workspace files cannot be written; one line says why."""


def loader_reference(root: str) -> str:
    """How the config names the loader: relative to the workspace root, or ``~/`` in the home directory.

    Plugins that read only ``~/.checkov.yaml`` (JetBrains) run Checkov from elsewhere;
    Checkov expands ``~`` in external check directories.
    """
    if os.path.realpath(root) == os.path.realpath(os.path.expanduser("~")):
        return "~/" + LOADER_DIR.replace(os.sep, "/")
    return LOADER_DIR.replace(os.sep, "/")


def config_text(root: str = ".") -> str:
    lines = [
        "# Loads the kmsguard pack (written by `kmsguard --checkov-config`). Relative to the workspace",
        "# root: plain `checkov` run there, and editor plugins that pass this file, run the pack.",
        "external-checks-dir:",
        f"  - {loader_reference(root)}",
        "# Uncomment to run only the pack's checks:",
        "# check:",
        *(f"#   - {pattern}" for pattern in PACK_CHECKS),
    ]
    return "\n".join(lines) + "\n"


# Paths of one checkout or machine: they stay in each scan's environment, never in the committed loader.
NOT_CARRIED = {settings.CFN_PARAMETERS.variable}


def loader_text() -> str:
    values = {s.variable: os.environ[s.variable] for s in settings.ALL
              if os.environ.get(s.variable, "").strip() and s.variable not in NOT_CARRIED}
    values.setdefault("BC_SKIP_MAPPING", os.environ.get("BC_SKIP_MAPPING") or "TRUE")
    return LOADER.format(settings=dict(sorted(values.items())), check_id=NOT_LOADED_ID)


def write(root: str) -> list[str]:
    """Write the loader and (if absent) the config under root; return the paths written."""
    settings.validate_all()  # never freeze a bad setting into the workspace
    config = os.path.join(root, CONFIG_NAME)
    loader_dir = os.path.join(root, LOADER_DIR)
    written = []
    try:
        os.makedirs(loader_dir, exist_ok=True)
        for name, text in (("__init__.py", ""), (LOADER_NAME, loader_text())):
            with open(os.path.join(loader_dir, name), "w", encoding="utf-8") as handle:
                handle.write(text)
            written.append(os.path.join(LOADER_DIR, name))
        if os.path.exists(config):
            with open(config, encoding="utf-8") as handle:
                if LOADER_DIR.replace(os.sep, "/") not in handle.read():
                    raise WorkspaceError(
                        f"{config} exists: add '{loader_reference(root)}' to its external-checks-dir list (loader written)"
                    )
        else:
            with open(config, "w", encoding="utf-8") as handle:
                handle.write(config_text(root))
            written.append(CONFIG_NAME)
    except OSError as error:
        raise WorkspaceError(f"cannot write {error.filename or root}: {error.strerror or error}") from None
    return written
