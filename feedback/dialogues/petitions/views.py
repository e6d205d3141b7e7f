"""Organizer pages for petitions (/manage/petitions/…) and conferences' closing reports."""

from flask import Blueprint

bp = Blueprint("petitions", __name__, url_prefix="/manage")
