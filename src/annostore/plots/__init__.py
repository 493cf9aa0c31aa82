"""matplotlib pictures: attribution logos with annotations, co-occurrence, spacing."""
