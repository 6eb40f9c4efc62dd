"""Confiance: an open-source, self-hosted trust platform for brands."""

__version__ = "0.1.0"
