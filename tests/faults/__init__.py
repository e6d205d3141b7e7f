"""Fault tests: the database going away under load, and coming back."""
