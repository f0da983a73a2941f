"""``kmsguard fix``: turn the fix intents of FAILED verdicts into source edits.

The layer sits between the adapters and the command (it may import model,
settings, readers, rules and adapters; only the command imports it).

- ``scan.py``: runs the pack in-process through Checkov's Runners and
  collects each result with its verdict (``base_check.recording``).
- ``plan.py``: intents -> per-file edits, and refusals with reasons. A file is
  either fully fixed or untouched.
- ``terraform_edits.py``: HCL text edits inside a block's line range, spliced
  into the original text (never reformatted; CRLF kept).
- ``template_edits.py``: the CloudFormation YAML/JSON editor
  (``set_value(text, path, value, fmt)``, ``append_item(text, path, item, fmt)``,
  raising ``EditRefused(reason)``); ``plan.py`` uses it when it is present.
- ``diff.py``: the unified diff (paths relative to the git root or the
  working directory) and writing it.
"""
