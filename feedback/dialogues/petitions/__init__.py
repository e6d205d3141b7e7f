"""Petitions (kiến nghị): moderation, routing to an agency with a due date, answers, tracking."""
