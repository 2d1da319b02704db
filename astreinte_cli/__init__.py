"""astreinte: on-call duty rosters in YAML, compiled into an exact timeline."""

__version__ = "0.1.0"
