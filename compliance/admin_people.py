"""Back-office (Django admin) of the compliance app: people."""
