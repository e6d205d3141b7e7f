"""Citizen-facing survey pages."""

from flask import Blueprint, abort

bp = Blueprint("surveys", __name__)



@bp.route("/s/<agency_code>", methods=["GET", "POST"])
def take(agency_code: str):
    """The survey deployed at this agency (implemented by the surveys work)."""
    abort(404)
