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
ALL = (MIN_DELETION_WINDOW, MAX_ROTATION_PERIOD)


def validate_all() -> None:
    """Read every setting once, so a bad one stops the scan before any result."""
    for setting in ALL:
        setting.read()
