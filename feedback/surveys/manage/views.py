"""Pages of the survey designer under /manage/surveys: parse the request, call the designer, render."""

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from feedback.accounts.authz import roles_required, visible_agencies
from feedback.accounts.models import Role
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.extensions import db
from feedback.surveys.answers import HEADINGS, evaluate, question_context, question_numbers, show_if_hint
from feedback.surveys.drafts import split_pages
from feedback.surveys.manage import operations, queries
from feedback.surveys.manage.forms import (
    DIMENSION_LABELS,
    TYPE_LABELS,
    ImportForm,
    NewSurveyForm,
    QuestionForm,
    SettingsForm,
    ShortLabelsForm,
    answer_words,
    missing_english,
)
from feedback.surveys.manage.validation import DesignError
from feedback.surveys.models import QuestionType, Survey, SurveyVersion, VersionStatus

bp = Blueprint("survey_manage", __name__, url_prefix="/manage/surveys")
TYPE_VALUES = frozenset(t.value for t in QuestionType)
MAX_IMPORT_BYTES = 512 * 1024


def _owner_choices(form) -> list:
    """Fill a form's owner list with the agencies the organizer may use; returns the agencies."""
    agencies = list(db.session.scalars(visible_agencies(current_user, Role.ORGANIZER)))
    locale = current_locale()
    form.owner.choices = [SelectChoice(a.id, f"{'— ' * a.depth}{a.name(locale)} ({a.code})")
                          for a in agencies]
    return agencies


def _chosen_owner(form, agencies):
    """The agency picked in the form if the organizer may use it; else None with a field error."""
    owner = next((a for a in agencies if a.id == form.owner.data), None)
    if owner is None:
        form.owner.errors = list(form.owner.errors) + [_("Please choose one of the agencies listed.")]
    return owner


def _survey_or_404(survey_id: int) -> Survey:
    """The survey if the organizer may open it; 404 otherwise (its existence is not leaked)."""
    survey = queries.find_survey(current_user, survey_id)
    if survey is None:
        abort(404)
    return survey


def _version_or_404(survey_id: int, number: int) -> SurveyVersion:
    """Version `number` of a survey the organizer may open; 404 otherwise."""
    survey = _survey_or_404(survey_id)
    version = next((v for v in survey.versions if v.number == number), None)
    if version is None:
        abort(404)
    return version


def _question_or_404(version: SurveyVersion, key: str):
    """The question with `key` in `version`; 404 otherwise."""
    question = next((q for q in version.questions if q.key == key), None)
    if question is None:
        abort(404)
    return question


def _refused(error: DesignError, version: SurveyVersion | None = None):
    """A change the designer refused outright (published version, built-in template): say why."""
    db.session.rollback()
    return render_template("surveys/manage/refused.html", messages=[str(p) for p in error.problems],
                           version=version), error.status


def _version_url(version: SurveyVersion, **kwargs) -> str:
    """The edit (or read-only) page of a version."""
    return url_for("survey_manage.version", survey_id=version.survey_id, number=version.number, **kwargs)


@bp.route("/")
@roles_required(Role.ORGANIZER)
def index():
    """The surveys of the organizer's agencies, and the built-in template."""
    surveys = list(db.session.scalars(queries.visible_surveys(current_user)))
    return render_template("surveys/manage/index.html", surveys=surveys, is_template=queries.is_template)


def _start_choices(form: NewSurveyForm) -> dict[str, SurveyVersion | None]:
    """Fill the "start from" list: blank, the SIPAS template, or a copy of a visible survey."""
    sources: dict[str, SurveyVersion | None] = {"blank": None, "template": None}
    choices = [SelectChoice("blank", _("A blank survey")),
               SelectChoice("template", _("The SIPAS satisfaction template (5 dimensions)"))]
    locale = current_locale()
    for survey in db.session.scalars(queries.visible_surveys(current_user)):
        if queries.is_template(survey):
            continue
        source = queries.latest_published(survey) or queries.draft_of(survey)
        if source is not None:
            sources[f"copy-{survey.id}"] = source
            choices.append(SelectChoice(f"copy-{survey.id}", _(
                "A copy of “%(title)s” (version %(n)s)", title=source.title(locale), n=source.number)))
    form.start_from.choices = choices
    return sources


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def new():
    """Create a survey from scratch, from the SIPAS template, or as a copy of another survey."""
    form = NewSurveyForm()
    agencies = _owner_choices(form)
    sources = _start_choices(form)
    if request.method == "GET":
        form.start_from.data = request.args.get("start_from", "template")
    if form.validate_on_submit():
        owner = _chosen_owner(form, agencies)
        start = form.start_from.data
        title_vi, title_en = (form.title_vi.data or "").strip(), (form.title_en.data or "").strip()
        if start not in sources:
            form.start_from.errors = list(form.start_from.errors) + [
                _("Please choose one of the starting points listed.")]
        elif start == "blank" and not title_vi:
            form.title_vi.errors = list(form.title_vi.errors) + [
                _("Please give the survey a title in Vietnamese.")]
        elif owner is not None:
            if start == "blank":
                survey = operations.create_survey(owner, {"title_vi": title_vi, "title_en": title_en})
            else:
                source = operations.template_version() if start == "template" else sources[start]
                survey = operations.copy_survey(source, owner, title_vi=title_vi, title_en=title_en)
            return _created(survey, _("Survey created. It is a draft: edit it, preview it, then publish it."))
    return render_template("surveys/manage/new.html", form=form), _form_status()


def _created(survey: Survey, done: str):
    """Commit a new survey, say `done` and open its first version's editor."""
    db.session.commit()
    flash(done, "success")
    return redirect(_version_url(survey.versions[0]))


def _form_status() -> int:
    """The status of a form page: 422 when a POST comes back to it (something to correct), else 200."""
    return 422 if request.method == "POST" else 200


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def import_survey():
    """Create a survey from a JSON definition; every problem is listed and nothing is half-made."""
    form = ImportForm()
    agencies = _owner_choices(form)
    problems: list[str] = []
    if form.validate_on_submit():
        owner = _chosen_owner(form, agencies)
        upload = request.files.get(form.file.name)
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload and upload.filename else (
            (form.text.data or "").encode("utf-8"))
        data = None
        if not raw.strip():
            problems.append(_("Please choose a JSON file or paste the definition."))
        elif len(raw) > MAX_IMPORT_BYTES:
            problems.append(_("The file is too large for a survey definition."))
        else:
            try:
                data = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                problems.append(_("The file is not UTF-8 text."))
            except json.JSONDecodeError as error:
                problems.append(_("The file is not valid JSON (line %(line)s, column %(column)s: "
                                  "%(message)s).", line=error.lineno, column=error.colno,
                                  message=error.msg))
        if data is not None and owner is not None:
            try:
                survey = operations.import_survey(data, owner)
            except DesignError as error:
                db.session.rollback()
                problems.extend(str(p) for p in error.problems)
            else:
                return _created(survey, _("Survey imported as a draft."))
    return render_template("surveys/manage/import.html", form=form, problems=problems), _form_status()


@bp.route("/<int:survey_id>")
@roles_required(Role.ORGANIZER)
def survey(survey_id: int):
    """A survey's versions, newest first, with what can be done to each."""
    found = _survey_or_404(survey_id)
    return render_template("surveys/manage/survey.html", survey=found, is_template=queries.is_template,
                           draft=queries.draft_of(found))


@bp.route("/<int:survey_id>/draft", methods=["POST"])
@roles_required(Role.ORGANIZER)
def new_draft(survey_id: int):
    """Open the survey's draft, starting the next version from the newest published one if needed."""
    found = _survey_or_404(survey_id)
    try:
        draft = operations.next_draft(found)
        db.session.commit()
    except DesignError as error:
        return _refused(error)
    except IntegrityError:
        # Another editor started the same draft at the same moment: open theirs.
        db.session.rollback()
        draft = queries.draft_of(_survey_or_404(survey_id))
        if draft is None:
            raise
    return redirect(_version_url(draft))


def _question_rows(version: SurveyVersion) -> list[dict]:
    """What the version page lists for each item: the question, its number, its condition hint."""
    questions = version.questions
    numbers = question_numbers(questions)
    locale = current_locale()
    return [{"q": q, "number": numbers.get(q.key), "type_label": TYPE_LABELS.get(q.type, q.type),
             "dimension_label": DIMENSION_LABELS.get(q.dimension, q.dimension),
             "missing_en": missing_english(q),
             "hint": show_if_hint(q, questions, locale) if q.show_if else None}
            for q in questions]


def _render_version(version: SurveyVersion, form: SettingsForm, *, problems=(), status=200):
    """The version page: settings form and questions (editable for a draft, read-only otherwise)."""
    return render_template(
        "surveys/manage/version.html", version=version, survey=version.survey, form=form,
        rows=_question_rows(version), problems=list(problems),
        editable=version.status == VersionStatus.DRAFT and not queries.is_template(version.survey),
        draft=queries.draft_of(version.survey), is_template=queries.is_template(version.survey),
        dimension_labels=DIMENSION_LABELS,
    ), status


@bp.route("/<int:survey_id>/v/<int:number>", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def version(survey_id: int, number: int):
    """A version: its settings and questions; on POST, save a draft's titles and weights."""
    found = _version_or_404(survey_id, number)
    form = SettingsForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_weights(found.dimension_weights or {})
        return _render_version(found, form)
    refused = _draft_or_refuse(found)
    if refused is not None:
        return refused
    weights = form.weights()
    if form.validate_on_submit() and weights is not None:
        try:
            operations.update_settings(found, title_vi=form.title_vi.data, title_en=form.title_en.data or "",
                                     intro_vi=form.intro_vi.data or "", intro_en=form.intro_en.data or "",
                                     weights=weights)
        except DesignError as error:
            db.session.rollback()
            found = _version_or_404(survey_id, number)
            return _render_version(found, form, problems=[str(p) for p in error.problems], status=422)
        db.session.commit()
        flash(_("Survey settings saved."), "success")
        return redirect(_version_url(found))
    return _render_version(found, form, status=422)


def _condition_choices(form: QuestionForm, version: SurveyVersion, current=None) -> None:
    """Offer as condition targets the answerable questions before this one (all, for a new one),
    named by number and text; note which of them are yes/no questions."""
    locale = current_locale()
    numbers = question_numbers(version.questions)
    earlier = []
    for q in version.questions:
        if q is current:
            break
        if q.type not in HEADINGS:
            earlier.append(SelectChoice(q.key, f"{numbers.get(q.key, '')}. {q.text(locale)[:60]}"))
    form.cond_question.choices = [SelectChoice("", _("Always shown"))] + earlier
    form.condition_words = {q.key: answer_words(q) for q in version.questions}


def _save_question(version: SurveyVersion, form: QuestionForm, current=None):
    """Validate a posted question form and add or update it; returns a redirect, or the page again
    with every problem by its field and all that was typed kept."""
    problems: list[str] = []
    if form.type.data not in TYPE_VALUES:
        abort(400)
    if form.validate_on_submit():
        raw = form.to_raw((current.options or {}).get("choices") or [] if current else [])
        if raw is not None:
            try:
                if current is None:
                    operations.add_question(version, raw)
                else:
                    operations.update_question(version, current, raw)
            except DesignError as error:
                if error.status != 422:
                    return _refused(error, version)
                db.session.rollback()
                problems = form.add_problems(error.problems)
            else:
                db.session.commit()
                flash(_("Question saved."), "success")
                return redirect(_version_url(version, _anchor=f"item-{raw['key']}"))
    return _render_question(version, form, current, problems=problems, status=422)


def _render_question(version, form, current, *, problems=(), status=200):
    """The add or edit question page: the form of the chosen type, or (no type chosen yet, or
    "change the type" asked) the list of types to choose from first, which needs no script."""
    published = queries.published_keys(version.survey)
    choosing = request.method == "GET" and (form.type.data not in TYPE_VALUES
                                            or request.args.get("choose") == "type")
    return render_template(
        "surveys/manage/question.html", version=version, survey=version.survey, form=form,
        current=current, problems=list(problems), choosing=choosing, type_labels=TYPE_LABELS,
        key_locked=current is not None and current.key in published,
    ), status


def _draft_or_refuse(version: SurveyVersion):
    """None when the version can be edited, else the refusal page (409 published, 403 template)."""
    try:
        operations.check_editable(version)
    except DesignError as error:
        return _refused(error, version)
    return None


@bp.route("/<int:survey_id>/v/<int:number>/questions/new", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def add_question(survey_id: int, number: int):
    """Add a question at the end of a draft."""
    found = _version_or_404(survey_id, number)
    refused = _draft_or_refuse(found)
    if refused is not None:
        return refused
    form = QuestionForm()
    _condition_choices(form, found)
    if request.method == "GET":
        form.type.data = request.args.get("type", "")
        return _render_question(found, form, None)
    return _save_question(found, form)


@bp.route("/<int:survey_id>/v/<int:number>/questions/<key>", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def edit_question(survey_id: int, number: int, key: str):
    """Edit one question of a draft (a published version's questions are only shown)."""
    found = _version_or_404(survey_id, number)
    question = _question_or_404(found, key)
    refused = _draft_or_refuse(found)
    if refused is not None:
        return refused
    form = QuestionForm()
    _condition_choices(form, found, question)
    if request.method == "GET":
        form.fill(question)
        if request.args.get("type") in TYPE_VALUES:
            form.type.data = request.args["type"]
        return _render_question(found, form, question)
    return _save_question(found, form, question)


@bp.route("/<int:survey_id>/v/<int:number>/labels", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def short_labels(survey_id: int, number: int):
    """The short labels the dashboards show for each question of a version, published or not (they
    change nothing citizens answer); everything typed is kept when a label is too long."""
    found = _version_or_404(survey_id, number)
    questions = {q.key: q for q in found.questions if q.type not in HEADINGS}
    form = ShortLabelsForm()
    if request.method == "GET":
        for q in questions.values():
            form.rows.append_entry({"key": q.key, "short_vi": q.short_vi or "", "short_en": q.short_en or ""})
    elif form.validate_on_submit():
        labels = {row.key.data: (row.short_vi.data or None, row.short_en.data or None)
                  for row in form.rows if row.key.data in questions}
        try:
            operations.set_short_labels(found, labels)
        except DesignError as error:
            return _refused(error, found)
        db.session.commit()
        flash(_("Short labels saved."), "success")
        return redirect(_version_url(found))
    rows = [(row, questions[row.key.data]) for row in form.rows if row.key.data in questions]
    return render_template("surveys/manage/labels.html", version=found, survey=found.survey, form=form,
                           rows=rows, numbers=question_numbers(found.questions)), \
        (422 if request.method == "POST" else 200)


@bp.route("/<int:survey_id>/v/<int:number>/questions/<key>/delete", methods=["POST"])
@roles_required(Role.ORGANIZER)
def delete_question(survey_id: int, number: int, key: str):
    """Delete a question from a draft, unless a condition depends on it."""
    found = _version_or_404(survey_id, number)
    question = _question_or_404(found, key)
    try:
        operations.delete_question(found, question)
    except DesignError as error:
        return _refused_on_version(error, survey_id, number)
    db.session.commit()
    flash(_("Question “%(key)s” deleted.", key=key), "success")
    return redirect(_version_url(found))


def _refused_on_version(error: DesignError, survey_id: int, number: int):
    """The version page again, with the reasons a change to its items was refused (409)."""
    if error.status != 422:
        return _refused(error, _version_or_404(survey_id, number))
    db.session.rollback()
    found = _version_or_404(survey_id, number)
    return _render_version(found, _settings_form(found), problems=[str(p) for p in error.problems],
                           status=409)


def _settings_form(version: SurveyVersion) -> SettingsForm:
    """The settings form filled from the stored version (when the page is shown after a refusal)."""
    form = SettingsForm(formdata=None, obj=version)
    form.fill_weights(version.dimension_weights or {})
    return form


@bp.route("/<int:survey_id>/v/<int:number>/questions/<key>/move", methods=["POST"])
@roles_required(Role.ORGANIZER)
def move_question(survey_id: int, number: int, key: str):
    """Move a question one place up or down, unless that would break a show-if condition."""
    found = _version_or_404(survey_id, number)
    question = _question_or_404(found, key)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    try:
        operations.move_question(found, question, step)
    except DesignError as error:
        return _refused_on_version(error, survey_id, number)
    db.session.commit()
    return redirect(_version_url(found, _anchor=f"item-{key}"))


@bp.route("/<int:survey_id>/v/<int:number>/publish", methods=["POST"])
@roles_required(Role.ORGANIZER)
def publish(survey_id: int, number: int):
    """Publish a draft: from now on it never changes and can be deployed."""
    found = _version_or_404(survey_id, number)
    try:
        operations.publish(found)
    except DesignError as error:
        if error.status != 422:
            return _refused(error, found)
        db.session.rollback()
        found = _version_or_404(survey_id, number)
        return _render_version(found, _settings_form(found), problems=[str(p) for p in error.problems],
                               status=422)
    db.session.commit()
    flash(_("Version %(n)s is published. It can now be deployed at agencies.", n=found.number),
          "success")
    return redirect(url_for("survey_manage.survey", survey_id=survey_id))


@bp.route("/<int:survey_id>/v/<int:number>/export.json")
@roles_required(Role.ORGANIZER)
def export(survey_id: int, number: int):
    """Download a version's definition as JSON (written to the audit log)."""
    found = _version_or_404(survey_id, number)
    body = operations.export_survey(found)
    db.session.commit()
    filename = f"{found.survey.key}-v{found.number}.json"
    return body.encode("utf-8"), 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }


@bp.route("/<int:survey_id>/v/<int:number>/preview", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def preview(survey_id: int, number: int):
    """The citizen form of a version at phone size, cut into the pages citizens get, all on one
    screen; a POST checks the answers as the citizen form would, and stores nothing."""
    found = _version_or_404(survey_id, number)
    questions = list(found.questions)
    values, errors, checked, skipped = MultiDict(), [], False, []
    if request.method == "POST":
        values = request.form
        result = evaluate(values, questions)
        errors, checked = result.errors, True
        skipped = [q.key for q in questions if q.type not in HEADINGS and q.key not in result.shown]
    locale = current_locale()
    pages = split_pages(questions) or [[]]
    # The widgets read one context; the hints and live conditions of every page are merged into it
    # (keys are unique in a version), while each page keeps its own list of items.
    context = question_context(questions, locale, values=values, errors=errors)
    context["hints"], context["conditions"] = {}, {}
    earlier_page_conditions = {}
    for page in pages:
        page_context = question_context(page, locale, all_questions=questions, values=values,
                                        errors=errors)
        context["hints"].update(page_context["hints"])
        context["conditions"].update(page_context["conditions"])
        on_page = {q.key for q in page}
        earlier_page_conditions.update({
            q.key: show_if_hint(q, questions, locale) for q in page
            if isinstance(q.show_if, dict) and q.show_if.get("question") not in on_page})
    return render_template(
        "surveys/manage/preview.html", version=found, survey=found.survey,
        agency=found.survey.owner_agency, pages=pages, checked=checked, skipped=skipped,
        earlier_page_conditions=earlier_page_conditions, **context,
    ), 422 if errors else 200
