"""proofs room of enrollment."""
