"""annostore.store."""
