"""Services of the enrollment app."""
