"""What every staff action ends with when it succeeds (post/redirect/get)."""

from flask import flash, redirect

from feedback.extensions import db


def commit_and_redirect(done: str, url: str):
    """Commit the action, say `done` and send the browser to `url` with a 303, so that reloading the
    page it lands on does not post the action again."""
    db.session.commit()
    flash(done, "success")
    return redirect(url, code=303)
