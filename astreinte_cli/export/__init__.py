"""Machine-readable outputs: JSON documents (and, later, calendar feeds)."""
