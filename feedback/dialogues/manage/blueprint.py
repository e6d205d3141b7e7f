"""The blueprint of the organizer's dialogue pages, shared by the modules that add its routes."""

from flask import Blueprint, Response

bp = Blueprint("dialogue_manage", __name__, url_prefix="/manage/dialogues")


@bp.after_request
def never_cached(response: Response) -> Response:
    """Every organizer dialogue page shows citizens' names, phones or questions: neither the browser's
    back/forward cache of a shared office PC nor a proxy may keep a copy."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
