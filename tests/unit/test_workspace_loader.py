"""What the committed workspace loader carries: settings, never one machine's paths."""
from __future__ import annotations

from kmsguard.cli import workspace


def test_the_loader_carries_settings_but_not_parameter_file_paths(monkeypatch, tmp_path):
    parameters = tmp_path / "prod.json"
    parameters.write_text("[]")
    monkeypatch.setenv("KMSGUARD_MIN_DELETION_WINDOW_DAYS", "14")
    monkeypatch.setenv("KMSGUARD_CFN_PARAMETERS", str(parameters))
    text = workspace.loader_text()
    assert "'KMSGUARD_MIN_DELETION_WINDOW_DAYS': '14'" in text
    assert "KMSGUARD_CFN_PARAMETERS" not in text and str(tmp_path) not in text
