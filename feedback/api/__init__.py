"""JSON API for other systems (one-stop-shop software): survey codes, published indices."""
