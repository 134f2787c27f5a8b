"""Services of the billing app."""
