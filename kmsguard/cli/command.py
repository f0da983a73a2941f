"""The ``kmsguard`` command: Checkov with the pack's checks added.

``kmsguard [--all-checks] [CHECKOV OPTIONS...]``  scan (only the pack's checks unless ``--all-checks``)
``kmsguard pre-commit [CHECKOV OPTIONS...] FILE...``  scan the directories holding the changed files
``kmsguard --pack-dirs``  print the installed check directories, one a line
``kmsguard --checkov-config``  write ``.checkov.yaml`` and a loader for plain Checkov and editors
``kmsguard --version``  print the pack's and Checkov's versions
``kmsguard sign --key PRIVATE.pem --out DIR``  write a signed copy of the checks (see docs/usage.md)
``kmsguard sarif-fix FILE [-o OUT]``  make a SARIF file plain Checkov wrote valid, reasons included
``kmsguard fix [-d DIR | -f FILE]... [--write]``  print (or write) the edits that fix the findings (fix_command.py)

Checkov runs in this process: the command already loads Checkov's option parser
to reject bad options and missing paths up front (plain Checkov skips a missing
directory and exits 0), so a second interpreter would only import Checkov twice.
Checkov's own exit codes pass through unchanged.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import pkgutil
import sys
from importlib import metadata
from typing import Sequence

import kmsguard
from kmsguard import settings
from kmsguard.cli import sarif, signing, workspace
from kmsguard.model.values import TERRAFORM_FILES
from kmsguard.readers import cloudformation_parameters
from kmsguard.readers.terraform_roots import RootFinder, enclosing_repository

PACK_CHECKS = "CKV_KMSG_*,CKV2_KMSG_*"
# The pack's checks are Terraform resource checks; they also run on plan JSON.
PACK_FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation")


class UsageError(Exception):
    """A problem with the command line, reported as one line and exit code 2."""


def pack_dirs() -> list[str]:
    """The installed directories Checkov loads the pack from."""
    # Imported by name: the install maps them from the checkout's custom_checks/ and policies/.
    packages = [importlib.import_module(f"kmsguard.{name}") for name in ("custom_checks", "policies")]
    return [os.path.dirname(os.path.abspath(str(package.__file__))) for package in packages]


def library_dir() -> str:
    return os.path.dirname(os.path.abspath(kmsguard.__file__))


def versions() -> str:
    return f"kmsguard {metadata.version('kmsguard')} (checkov {metadata.version('checkov')})"


def changed_dirs(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split pre-commit's trailing file names off the options; return (options, root dirs to scan)."""
    end = len(args)
    while end > 0 and args[end - 1].endswith(TERRAFORM_FILES):
        end -= 1
    changed = {os.path.normpath(os.path.dirname(path) or ".") for path in args[end:]}
    return list(args[:end]), terraform_roots(changed)


def terraform_roots(changed: set[str]) -> list[str]:
    """The root modules to scan for changed module directories (relative to the working directory).

    A directory that another directory calls as a local module (``source =
    "../x"``) is scanned through its callers (``roots.py``): on its own its
    inputs are unresolved, and the pack reports unresolved values as failures.
    Scanning whole directories, not single files, keeps cross-file rules
    (CKV2_KMSG_1) right.
    """
    finder = RootFinder(top=enclosing_repository(".") or ".")
    return sorted({os.path.relpath(root) for directory in changed for root in finder.roots_of(directory)})


class _OneLineErrors:
    def error(self, message: str):  # argparse would print the whole usage text first
        raise UsageError(message)


class _OneLineParser(_OneLineErrors, argparse.ArgumentParser):
    pass


def _checkov_parser(default_config_files: list[str]):
    import configargparse
    from checkov.common.util.ext_argument_parser import ExtArgumentParser

    class QuietParser(_OneLineErrors, ExtArgumentParser):
        pass

    parser = QuietParser(
        default_config_files=default_config_files,
        config_file_parser_class=configargparse.YAMLConfigFileParser,
    )
    parser.add_parser_args()
    return parser


def _parse_like_checkov(argv: list[str]) -> argparse.Namespace:
    """Parse as Checkov will (same options, same default config files), failing on one line."""
    from checkov.common.util.config_utils import get_default_config_paths

    parser = _checkov_parser(get_default_config_paths(argv))
    config_file = _option_value(argv, "--config-file")
    if config_file is not None and not os.path.isfile(config_file):
        # Checkov would quietly run without it.
        raise UsageError(f"config file not found: {config_file}")
    return parser.parse_args(argv)


def _option_value(argv: Sequence[str], option: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == option and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _flat(values) -> list[str]:
    """-f takes several names per flag and may repeat: a list of lists."""
    return [item for value in values or [] for item in (value if isinstance(value, list) else [value])]


def _same_dir(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def checkov_argv(argv: list[str], all_checks: bool) -> list[str]:
    """Validate the user's Checkov options and add the pack's directories and filter."""
    config = _parse_like_checkov(argv)
    for directory in _flat(config.directory):
        if not os.path.isdir(directory):
            raise UsageError(f"directory not found: {directory}")
    for path in _flat(config.file):
        if not os.path.isfile(path):
            raise UsageError(f"file not found: {path}")
    extra: list[str] = []
    given_dirs = _flat(config.external_checks_dir)
    for directory in pack_dirs():
        if not any(_same_dir(directory, given) for given in given_dirs):
            extra += ["--external-checks-dir", directory]
    if not all_checks and not config.check:  # the user's own --check wins
        extra += ["--check", PACK_CHECKS]
        if not config.framework:  # set only by the user (option, CKV_FRAMEWORK or config file)
            extra += ["--framework", *PACK_FRAMEWORKS]
    return argv + extra


def verify_pack() -> None:
    """Fail loudly if the pack cannot load: Checkov only logs a check that fails to import, then scans without it.

    Done in this process, as Checkov would do it: every library module is
    imported and every check file run under its bare file name. Checkov's
    registries keep one check per ID, so its own load later adds nothing. The
    evaluator is only looked up, not imported: tfparse starts Go's runtime,
    which deadlocks in the worker processes Checkov forks from a parent that
    loaded it (the evaluation imports it where it runs).
    """
    for name in _library_modules():
        try:
            importlib.import_module(name)
        except Exception as error:
            raise UsageError(f"the kmsguard pack cannot load ({name}: {type(error).__name__}: {error})") from None
    if importlib.util.find_spec("tfparse") is None:
        raise UsageError("the kmsguard pack cannot load (tfparse, its Terraform evaluator, is not installed)")
    checks = pack_dirs()[0]
    for file_name in sorted(os.listdir(checks)):
        if file_name.endswith(".py") and file_name != "__init__.py":
            _run_check_file(file_name[:-3], os.path.join(checks, file_name))


def _library_modules() -> list[str]:
    skipped = ("kmsguard.__main__", "kmsguard.custom_checks", "kmsguard.policies")
    return [module.name for module in pkgutil.walk_packages(kmsguard.__path__, "kmsguard.")
            if not module.name.startswith(skipped)]


def _run_check_file(name: str, path: str) -> None:
    if name in sys.modules:  # already run in this process
        return
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[name]
        raise UsageError(f"the kmsguard pack cannot load ({name}.py: {type(error).__name__}: {error})") from None


class _RepairedSarif:
    """Mixed into Checkov's SARIF writer: valid SARIF 2.1.0, each result's reason in its message."""

    def create_json(self):
        return sarif.repair(super().create_json())  # type: ignore[misc]


class _GitLabSastWithReasons:
    """Mixed into Checkov's GitLab SAST writer, whose description is only a link: the reason first."""

    def _create_iac_vulnerability(self, record):
        vulnerability = super()._create_iac_vulnerability(record)  # type: ignore[misc]
        reasons = "; ".join(str(detail) for detail in record.details or [])
        if reasons:
            vulnerability["description"] = f"{reasons}. {vulnerability.get('description', '')}".strip()
        return vulnerability


def _patch_checkov_writers() -> None:
    """kmsguard's own outputs carry each result's reason; Checkov's writers drop it (or break SARIF)."""
    from checkov.common.runners import runner_registry

    for name, mixin in (("Sarif", _RepairedSarif), ("GitLabSast", _GitLabSastWithReasons)):
        writer = getattr(runner_registry, name)
        if not issubclass(writer, mixin):
            setattr(runner_registry, name, type(name, (mixin, writer), {}))


def run_checkov(argv: list[str]) -> int:
    import warnings

    from checkov.main import Checkov

    _patch_checkov_writers()
    sys.argv = ["checkov", *argv]  # Checkov looks for default config files next to sys.argv's -d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        code = Checkov(argv).run()
    return code or 0


def sign(args: list[str]) -> int:
    parser = _OneLineParser(prog="kmsguard sign", description="Write a signed copy of the pack's checks.")
    parser.add_argument("--key", required=True, help="PEM ECDSA P-256 private key (never commit it)")
    parser.add_argument("--out", required=True, help="new or empty directory for the signed copy")
    options = parser.parse_args(args)
    checks, policies = pack_dirs()
    try:
        signed = signing.sign_pack(options.key, options.out, checks, policies, library_dir())
    except signing.SigningError as error:
        raise UsageError(str(error)) from error
    print(f"kmsguard: signed {len(signed.files)} files into {signed.out_dir} "
          f"(public key sha256 {signed.key_fingerprint})")
    return 0


def sarif_fix(args: list[str]) -> int:
    parser = _OneLineParser(prog="kmsguard sarif-fix", description="Make a Checkov SARIF file valid SARIF 2.1.0.")
    parser.add_argument("file", help="SARIF file written by checkov -o sarif")
    parser.add_argument("-o", "--output", help="write here instead of rewriting FILE")
    options = parser.parse_args(args)
    try:
        count = sarif.repair_file(options.file, options.output)
    except sarif.SarifError as error:
        raise UsageError(str(error)) from error
    print(f"kmsguard: wrote valid SARIF with {count} results to {options.output or options.file}")
    return 0


def write_checkov_config() -> int:
    try:
        written = workspace.write(".")
    except workspace.WorkspaceError as error:
        raise UsageError(str(error)) from error
    print(f"kmsguard: wrote {', '.join(written)}; commit them, and run checkov from this directory")
    return 0


def print_versions() -> int:
    print(versions())
    return 0


def print_pack_dirs() -> int:
    print("\n".join(pack_dirs()))
    return 0


def take_cfn_parameters(args: list[str]) -> list[str]:
    """Remove ``--cfn-parameters [TEMPLATE=]FILE`` (repeatable) and set KMSGUARD_CFN_PARAMETERS for the scan."""
    rest, entries = [], []
    iterator = iter(args)
    for arg in iterator:
        if arg == "--cfn-parameters":
            value = next(iterator, None)
            if value is None or value.startswith("-"):
                raise UsageError("--cfn-parameters needs TEMPLATE=FILE or FILE")
            entries.append(value)
        elif arg.startswith("--cfn-parameters="):
            entries.append(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    if entries:  # the command line replaces the variable's value
        os.environ[settings.CFN_PARAMETERS.variable] = os.pathsep.join(entries)
    return rest


def scan(args: list[str]) -> int:
    all_checks = "--all-checks" in args
    args = [arg for arg in args if arg != "--all-checks"]
    args = take_cfn_parameters(args)
    if args[:1] == ["pre-commit"]:
        options, directories = changed_dirs(args[1:])
        if not directories:
            return 0
        args = options + [arg for directory in directories for arg in ("-d", directory)]
    settings.validate_all()
    cloudformation_parameters.validate()  # a missing or malformed parameter file: one line, exit 2
    verify_pack()
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")  # no guideline download: works offline
    return run_checkov(checkov_argv(args, all_checks))


def fix(args: list[str]) -> int:
    from kmsguard.cli import fix_command  # loads Checkov's runners: only for this subcommand

    return fix_command.run(args)


SUBCOMMANDS = {"sign": sign, "sarif-fix": sarif_fix, "fix": fix}
FLAGS = {"--version": print_versions, "-v": print_versions, "--pack-dirs": print_pack_dirs,
         "--checkov-config": write_checkov_config}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args[:1] and args[0] in SUBCOMMANDS:
            return SUBCOMMANDS[args[0]](args[1:])
        flag = next((flag for flag in FLAGS if flag in args), None)
        if flag is not None:
            return FLAGS[flag]()
        return scan(args)
    except settings.SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    except UsageError as error:
        print(f"kmsguard: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def console() -> None:
    sys.exit(main())
