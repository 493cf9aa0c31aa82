"""annostore.io."""
