"""The managed list of topics (/manage/dialogues/topics): admins edit it, organizers read it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.accounts.authz import is_admin, roles_required
from feedback.accounts.models import Role
from feedback.audit.services import record
from feedback.core.actions import commit_and_redirect
from feedback.core.i18n import current_locale, ngettext
from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text
from feedback.dialogues import topics as topic_service
from feedback.dialogues.manage.blueprint import bp
from feedback.dialogues.manage.forms import TopicForm
from feedback.dialogues.models import Topic
from feedback.extensions import db


def _render(form: TopicForm | None = None, *, errors: list[tuple[str, str]] | None = None,
            rename: dict | None = None, status: int = 200):
    """The list; `errors` are (input id, message) of the form that failed, `rename` what was typed."""
    return render_template(
        "dialogues/manage/topics.html", topics=topic_service.all_topics(),
        form=form or TopicForm(formdata=None),
        errors=errors or [], rename=rename or {}, can_edit=is_admin(current_user),
        missing=topic_service.missing_default_topics(), locale=current_locale(),
    ), status


def _admin_only() -> None:
    """Only admins change the list (403 for organizers, who may read it)."""
    if not is_admin(current_user):
        abort(403)


def _topic_or_404(topic_id: int) -> Topic:
    """A topic by id."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    return topic


@bp.route("/topics", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def topics():
    """The topics conferences and questions are filed under; admins add new ones here."""
    if request.method == "GET":
        return _render()
    _admin_only()
    form = TopicForm()
    if not form.validate():
        return _render(form, status=400)
    try:
        topic = topic_service.add_topic(form.code.data, form.name_vi.data, form.name_en.data,
                                        actor=current_user)
    except topic_service.TopicRefused as refused:
        db.session.rollback()
        return _render(form, errors=[(f"new-{refused.field}", str(refused))], status=422)
    return commit_and_redirect(_("The topic %(name)s is added.", name=topic.name(current_locale())),
                               url_for("dialogue_manage.topics"))


@bp.post("/topics/defaults")
@roles_required(Role.ORGANIZER)
def add_default_topics():
    """Add the standard topics the list lacks (matched by code); existing ones are left alone."""
    _admin_only()
    added = topic_service.load_default_topics()
    if added:
        record("topic.defaults_loaded", None, actor=current_user, added=added)
    db.session.commit()
    flash(ngettext("%(num)s standard topic added.", "%(num)s standard topics added.", added) if added
          else _("Every standard topic is already in the list."), "success")
    return redirect(url_for("dialogue_manage.topics"), code=303)


@bp.post("/topics/<int:topic_id>")
@roles_required(Role.ORGANIZER)
def rename_topic(topic_id: int):
    """Change a topic's Vietnamese and English names."""
    _admin_only()
    topic = _topic_or_404(topic_id)
    name_vi, name_en = (clean_text(request.form.get(name, "")) for name in ("name_vi", "name_en"))
    try:
        topic_service.rename_topic(topic, name_vi, name_en, actor=current_user)
    except topic_service.TopicRefused as refused:
        db.session.rollback()
        return _render(errors=[(f"topic-{topic_id}-{refused.field}", str(refused))],
                       rename={"id": topic_id, "name_vi": name_vi, "name_en": name_en}, status=422)
    return commit_and_redirect(_("The topic is renamed."), url_for("dialogue_manage.topics"))


@bp.post("/topics/<int:topic_id>/active")
@roles_required(Role.ORGANIZER)
def set_topic_active(topic_id: int):
    """Stop offering a topic for new choices, or offer it again."""
    _admin_only()
    topic = _topic_or_404(topic_id)
    active = request.form.get("active") == "1"
    topic_service.set_topic_active(topic, active, actor=current_user)
    db.session.commit()
    flash(_("The topic is offered again.") if active else
          _("The topic is no longer offered; conferences and questions filed under it keep it."), "success")
    return redirect(url_for("dialogue_manage.topics"), code=303)
