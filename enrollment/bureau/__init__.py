"""bureau room of enrollment."""
