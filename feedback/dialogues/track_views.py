"""Citizens follow a petition: /track/ and /track/<code> (timeline, answer, rating)."""

from flask import Blueprint

bp = Blueprint("track", __name__, url_prefix="/track")
