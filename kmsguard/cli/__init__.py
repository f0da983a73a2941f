"""The kmsguard command: scans, SARIF repair, signing, the workspace loader."""
