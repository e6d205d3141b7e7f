"""The blueprint of the organizer's dialogue pages, shared by the modules that add its routes."""

from flask import Blueprint

bp = Blueprint("dialogue_manage", __name__, url_prefix="/manage/dialogues")
