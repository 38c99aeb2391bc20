"""The core: helpers every app shares. It imports no app of ours (import-linter contract in pyproject.toml)."""
