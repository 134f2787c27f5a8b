"""Services of the compliance app."""
