"""persons room of enrollment."""
