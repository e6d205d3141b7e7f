"""Organizer pages for dialogue conferences: scheduling, registrants, check-in, topics."""
