"""annostore.example."""
