"""sitegen: turn a ministry's policy notices into a fast, searchable static archive."""

__version__ = "0.1.0"
