"""Selectors of the compliance app."""
