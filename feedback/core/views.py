"""The health check the load balancer asks."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from feedback.core.errors import RETRY_AFTER_SECONDS
from feedback.extensions import db, limiter

bp = Blueprint("core", __name__)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 when the database answers, 503 when it does not (for the load balancer)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503, {
            "Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ok", database="ok")
