"""Services of the archive app."""
