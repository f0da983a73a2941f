"""The model every layer shares: resource instances (Block), the per-scan graph, and how values read."""
