"""Questions asked of a store, answered in SQL (``sql/*.sql``): counts, co-occurrence, spacing."""
