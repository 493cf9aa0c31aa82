"""annostore.compat."""
