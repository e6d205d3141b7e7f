"""Organizers' survey designer: create, edit, preview, publish, import and export surveys."""
