"""Leader dashboards: satisfaction indices per agency, computed in SQL."""
