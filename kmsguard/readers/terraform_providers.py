"""Which AWS provider configuration a Terraform block is read or created with, and that configuration's region.

A block uses its ``provider = aws.<alias>`` configuration, or the default
one; inside a module, the configuration its caller passes (``providers``) or
the one it inherits. The region matters to conditions: S3 calls KMS through
``s3.<region>.amazonaws.com``, so ``kms:ViaService = "s3.eu-west-1..."`` is
judged only where the bucket's region is written. A region comes from the
provider block's evaluated ``region`` (or, from AWS provider 6, the block's
own ``region`` argument); a provider without one takes ``AWS_REGION`` at plan
time, which the scan does not know. The evaluator drops the mapping of a
module call's ``providers``, so a module given its providers has unknown
regions (never a guessed one).
"""
from __future__ import annotations

import re
from typing import Any

_MODULE_STEP = re.compile(r'module\.[\w-]+(?:\[(?:"[^"]*"|\d+)\])?\.')
_PROVIDER_PATH = re.compile(r"^(?P<module>(?:module\.[^.]+\.)*)provider\.aws$")


def parent_module(prefix: str) -> str:
    """``module.a.module.b.`` -> ``module.a.``"""
    return "".join(_MODULE_STEP.findall(prefix)[:-1])


def _literal(value: Any) -> str | None:
    return value if isinstance(value, str) and value and "${" not in value and "." not in value else None


class Providers:
    def __init__(self, provider_items: list[dict], calls: dict[str, dict]) -> None:
        self.calls = calls  # "module.a" -> the module call
        self.regions: dict[tuple[str, str], str | None] = {}  # (module prefix, alias) -> region
        for item in provider_items:
            match = _PROVIDER_PATH.match((item.get("__tfmeta") or {}).get("path", ""))
            if match:
                named = item.get("alias")
                self.regions[(match.group("module"), named if isinstance(named, str) else "")] = _literal(item.get("region"))

    def _passed_in(self, module: str) -> bool:
        return "providers" in self.calls.get(re.sub(r"\[[^\]]*\]$", "", module.rstrip(".")), {})

    def configuration(self, item: dict, module: str) -> str:
        """A name for the provider configuration ``item`` uses (lookups through one configuration agree)."""
        chosen = item.get("provider")
        if isinstance(chosen, dict) and isinstance(chosen.get("__attribute__"), str):
            return module + chosen["__attribute__"]
        while module:
            if self._passed_in(module):
                return module + "aws"  # the caller passes its own configuration: one per call, to be safe
            module = parent_module(module)
        return "aws"

    def region(self, item: dict, module: str) -> str | None:
        """The region ``item`` is created (or read) in, when the configuration writes it as a known value."""
        own = _literal(item.get("region"))
        if own:
            return own
        chosen = item.get("provider")
        attribute = chosen.get("__attribute__") if isinstance(chosen, dict) else None
        alias = attribute.split(".", 1)[1] if isinstance(attribute, str) and "." in attribute else ""
        while True:
            if (module, alias) in self.regions:
                return self.regions[(module, alias)]
            if not module or alias or self._passed_in(module):
                # Aliases are not inherited, and a passed configuration's mapping is lost in evaluation.
                return None
            module = parent_module(module)
