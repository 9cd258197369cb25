"""Parcours: self-hosted marketing automation."""

__version__ = "0.1.0"
