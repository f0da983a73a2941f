"""Rules: what the checks judge, read only from the model."""
