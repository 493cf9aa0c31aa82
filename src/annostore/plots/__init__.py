"""annostore.plots."""
