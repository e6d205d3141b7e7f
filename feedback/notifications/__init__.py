"""Notifications: an outbox written with the event that causes it, delivered by a worker."""
