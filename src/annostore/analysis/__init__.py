"""annostore.analysis."""
