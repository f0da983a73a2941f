import os

# Offline runs: without this Checkov tries to download guideline mappings.
os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
