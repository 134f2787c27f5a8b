"""Selectors of the enrollment app."""
