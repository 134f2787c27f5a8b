"""Selectors of the archive app."""
