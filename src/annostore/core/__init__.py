"""annostore.core."""
