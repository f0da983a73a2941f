"""The pack's limits, set through environment variables.

A value that is not a whole number in AWS's own range is an error naming the
variable; a typo must never quietly fall back to a default. The ``kmsguard``
command checks them before it starts Checkov and stops with that message.
Under plain ``checkov`` a check cannot stop the scan (Checkov runs checks in
worker processes and drops what they raise), so each check that reads a bad
setting reports FAILED with the message instead.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    variable: str
    default: int
    low: int  # AWS's lower bound
    high: int  # AWS's upper bound
    meaning: str

    def read(self) -> int:
        raw = os.environ.get(self.variable)
        if raw is None or raw.strip() == "":
            return self.default
        try:
            value = int(raw.strip())
        except ValueError:
            value = None
        if value is None or not self.low <= value <= self.high:
            raise SettingsError(
                f"kmsguard: environment variable {self.variable}={raw!r} is invalid: "
                f"{self.meaning} must be a whole number of days from {self.low} to {self.high} "
                f"(unset, it is {self.default})."
            )
        return value


class SettingsError(ValueError):
    """A setting's value is not valid; the message names the variable."""


MIN_DELETION_WINDOW = Setting(
    "KMSGUARD_MIN_DELETION_WINDOW_DAYS", default=7, low=7, high=30,
    meaning="the minimum KMS key deletion window",
)
MAX_ROTATION_PERIOD = Setting(
    "KMSGUARD_MAX_ROTATION_PERIOD_DAYS", default=365, low=90, high=2560,
    meaning="the maximum KMS key rotation period",
)


@dataclass(frozen=True)
class ParameterFiles:
    """``KMSGUARD_CFN_PARAMETERS``: CloudFormation parameter files, ``TEMPLATE=FILE`` or ``FILE`` entries.

    Entries are separated by the OS path separator (``:``, ``;`` on Windows),
    as in ``PATH``; relative paths are read from the working directory. A
    ``FILE`` without a template applies to every template of the scan. Only
    the form and the files' existence are checked here: their content is read
    by ``kmsguard.readers.cloudformation_parameters``, which raises
    ``SettingsError`` too.
    """

    variable: str
    meaning: str

    def read(self) -> tuple[tuple[str | None, str], ...]:
        raw = os.environ.get(self.variable) or ""
        entries: list[tuple[str | None, str]] = []
        for entry in (e.strip() for e in raw.split(os.pathsep)):
            if not entry:
                continue
            template, _, file = entry.rpartition("=")
            if "=" in entry and not (template.strip() and file.strip()):
                raise SettingsError(f"kmsguard: environment variable {self.variable}={raw!r} is invalid: "
                                    f"entry {entry!r} is not TEMPLATE=FILE or FILE ({self.meaning}).")
            if template.strip() and not os.path.isfile(template.strip()):
                raise SettingsError(f"kmsguard: environment variable {self.variable} names a template "
                                    f"that does not exist: {template.strip()}")
            if not os.path.isfile(file.strip()):
                raise SettingsError(f"kmsguard: environment variable {self.variable} names a parameter file "
                                    f"that does not exist: {file.strip()}")
            entries.append((template.strip() or None, file.strip()))
        return tuple(entries)


@dataclass(frozen=True)
class Name:
    """A plain name setting (``KMSGUARD_SAM_CONFIG_ENV``): empty or unset means the default."""

    variable: str
    default: str
    meaning: str

    def read(self) -> str:
        raw = (os.environ.get(self.variable) or "").strip()
        if raw and not all(c.isalnum() or c in "-_." for c in raw):
            raise SettingsError(f"kmsguard: environment variable {self.variable}={raw!r} is invalid: "
                                f"{self.meaning} is a name of letters, digits, '-', '_' and '.'.")
        return raw or self.default


CFN_PARAMETERS = ParameterFiles(
    "KMSGUARD_CFN_PARAMETERS",
    meaning="CloudFormation parameter files for templates, entries separated by the OS path separator",
)
SAM_CONFIG_ENV = Name(
    "KMSGUARD_SAM_CONFIG_ENV", default="default",
    meaning="the samconfig.toml environment whose parameter_overrides give template parameter values",
)
ALL: tuple[Setting | ParameterFiles | Name, ...] = (MIN_DELETION_WINDOW, MAX_ROTATION_PERIOD, CFN_PARAMETERS,
                                                    SAM_CONFIG_ENV)


def validate_all() -> None:
    """Read every setting once, so a bad one stops the scan before any result."""
    for setting in ALL:
        setting.read()
