"""A tag type of another app, with its own browser code (docs/extending.md's example)."""
