"""Organizer pages for dialogue conferences (/manage/dialogues/…)."""

from flask import Blueprint

bp = Blueprint("dialogue_manage", __name__, url_prefix="/manage/dialogues")
