"""CLI command groups, each registering itself on the main app."""
