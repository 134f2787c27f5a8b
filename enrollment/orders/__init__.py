"""orders room of enrollment."""
