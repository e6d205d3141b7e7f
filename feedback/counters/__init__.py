"""Counter ratings: officers at counters, rating sets, one-tap ratings from a desk plate, kiosk or API."""
