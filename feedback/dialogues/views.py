"""Citizens' dialogue pages: upcoming conferences, sign-up, tickets and their calendar files."""

from flask import Blueprint

bp = Blueprint("dialogues", __name__)
