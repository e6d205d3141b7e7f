"""Citizen-facing survey pages: the paged survey at an agency (/s/) or through a one-time code
(/r/), what a code's state is when it cannot open the survey, and the thank-you page."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from feedback.agencies.services import find_agency
from feedback.core.codes import CODE_LENGTH, clean_code, normalize
from feedback.core.i18n import current_locale
from feedback.core.i18n import gettext as _
from feedback.core.rate_limits import code_missed, configured
from feedback.extensions import client_address, csrf, db, limiter
from feedback.models import utcnow
from feedback.surveys import codes
from feedback.surveys.answers import (
    HEADINGS,
    HONEYPOT_FIELD,
    SERVICE_FIELD,
    TOKEN_FIELD,
    Evaluation,
    error_target,
    evaluate,
    field_name,
    is_shown,
    parse_service,
    question_context,
)
from feedback.surveys.drafts import (
    Draft,
    Page,
    as_multidict,
    claim_nonce,
    consume_draft,
    counted_pages,
    create_draft,
    drop_hidden,
    latest_draft_for_code,
    load_draft,
    merge_page,
    nonce_used,
    save_draft,
    shown_pages,
    usable_draft,
)
from feedback.surveys.frozen import FrozenQuestion, FrozenVersion, Kept, LiveDeployment
from feedback.surveys.integrity import hold_burst, integrity_flags
from feedback.surveys.models import AccessMode, ResponseFlag, SurveyCode
from feedback.surveys.services import (
    address_hash,
    client_hash,
    code_deployment,
    live_survey_for,
    store_response,
)
from feedback.surveys.succession import successor_page
from feedback.surveys.timing import promised_minutes
from feedback.surveys.tokens import FormToken, make_form_token, read_form_token

bp = Blueprint("surveys", __name__)

PAGE_FIELD = "page"
NAV_FIELD = "nav"
# Agency id → draft id: lets the bare /s/<code> (the browser's Back from page 2) find the answers.
SESSION_DRAFTS = "survey_drafts"
# The last draft this browser sent (a one-page survey's: its form nonce): a second click on "Send"
# or Back after sending gets the thanks.
SESSION_SENT = "survey_sent"
CODE_STATUS = {codes.CodeState.UNKNOWN: 404, codes.CodeState.USED: 410,
               codes.CodeState.EXPIRED: 410, codes.CodeState.CLOSED: 404}


# Misses on the one-time code pages per client address, so codes cannot be guessed cheaply.
code_rate_limit = configured("SURVEY_CODE_RATE_LIMIT")


@dataclass
class Flow:
    """Where a citizen is answering: a deployment, reached by its open link or by a one-time code."""

    deployment: LiveDeployment
    version: FrozenVersion
    code: SurveyCode | None = None
    # The draft named in the address, read with the deployment: (its id, the row if it exists).
    read: tuple[str | None, Draft | None] = (None, None)

    @property
    def channel(self) -> AccessMode:
        """How the response arrives: a one-time code is the verified channel."""
        return AccessMode.CODE if self.code is not None else AccessMode.OPEN

    @property
    def code_id(self) -> int | None:
        """The code's id, which ties a draft to it."""
        return self.code.id if self.code is not None else None

    def url(self, **query) -> str:
        """This survey's address, with `query` (d=draft, p=page) added."""
        if self.code is not None:
            return url_for("surveys.code_survey", code=self.code.code, **query)
        return url_for("surveys.take", agency_code=self.deployment.agency.code, **query)

    def thanks_url(self) -> str:
        """Where a stored response leads."""
        return url_for("surveys.thanks", agency_code=self.deployment.agency.code)

    @cached_property
    def questions(self) -> list[FrozenQuestion]:
        """Every item of the version, in order."""
        return list(self.version.questions)

    @property
    def pages(self) -> tuple[Page, ...]:
        """The version cut into pages (at least one, even for an empty version)."""
        return self.version.pages


def _page_number(raw, pages: int) -> int:
    """A 0-based page index from a 1-based number sent by the citizen, clamped to the survey."""
    try:
        number = int(str(raw)[:6])
    except ValueError:
        number = 1
    return min(max(number, 1), pages) - 1


def _visible(page: Page, answers: dict) -> list[FrozenQuestion]:
    """The items of a page to put on screen: a condition on an earlier page is decided here; one on
    this page is left for the citizen (and survey.js) to see, and the server ignores it if unmet."""
    keys = {q.key for q in page}
    return [q for q in page
            if not (isinstance(q.show_if, dict) and q.show_if.get("question") not in keys)
            or is_shown(q, answers)]


def _targets(flow: Flow, index: int) -> set[str]:
    """The ids an error on page `index` may point at."""
    targets = {error_target(q) for q in flow.pages[index] if q.type not in HEADINGS}
    if index == 0:
        targets.add(f"{SERVICE_FIELD}-1")
    return targets


# Pages nobody has typed into yet, as HTML: (version id, published at, page, questions, locale) → Markup.
_blank_pages = Kept(256)


def page_questions(flow: Flow, index: int, context: dict, locale: str) -> Markup:
    """The questions of page `index` as HTML. A page with nothing typed into it and no error looks
    the same to every citizen, so for a published version it is drawn once per page, questions
    shown and language, and kept; one with answers or errors is drawn for its citizen."""
    items = context["questions"]
    values = context["values"]
    keep = (flow.version.published_at is not None and not context["errors"]
            and not any(values.getlist(field_name(q)) for q in items))
    key = (flow.version.id, flow.version.published_at, index, tuple(q.key for q in items), locale)
    html = _blank_pages.get(key) if keep else None
    if html is None:
        html = Markup(render_template("surveys/_page_questions.html", **context))
        if keep:
            _blank_pages.put(key, html)
    return html


FRAGMENT_HEADER = "X-Survey-Fragment"


def wants_fragment() -> bool:
    """Whether survey.js asked for the page alone (its fetch), not a whole document."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def render_survey(flow: Flow, index: int, *, values: MultiDict, started_at: datetime,
                  draft_id: str | None, nonce: str | None = None,
                  errors: list[tuple[str, str]] | None = None,
                  notice: str | None = None, status: int = 200, check: Evaluation | None = None):
    """One page of the survey with a fresh token, the citizen's answers filled in, and any errors:
    the whole document, or the page alone when survey.js asked for it (wants_fragment); the same
    template draws both. `nonce` is the draft's form nonce (None: a form shown afresh gets a new
    one). `check` is evaluate(values) when the caller has it already."""
    locale = current_locale()
    answers = (check or evaluate(values, flow.questions, explain=False)).answers
    shown = counted_pages(flow.pages, answers, index)
    if index not in shown:
        shown = sorted({*shown, index})
    items = _visible(flow.pages[index], answers)
    context = question_context(items, locale, all_questions=flow.questions, values=values,
                               errors=errors)
    secret = current_app.config["SECRET_KEY"]
    position = shown.index(index) + 1
    fragment = wants_fragment()
    response = current_app.make_response((render_template(
        "surveys/_page.html" if fragment else "surveys/take.html",
        deployment=flow.deployment, agency=flow.deployment.agency,
        version=flow.version, flow=flow, action=flow.url(**({"d": draft_id} if draft_id else {})),
        page_url=flow.url(d=draft_id, p=index + 1) if draft_id else flow.url(),
        minutes=promised_minutes(flow.version) if position == 1 else None,
        position=position, total=len(shown), page_number=index + 1,
        page_field=PAGE_FIELD, nav_field=NAV_FIELD, notice=notice,
        honeypot_field=HONEYPOT_FIELD, token_field=TOKEN_FIELD, service_field=SERVICE_FIELD,
        token=make_form_token(secret, flow.deployment.id, started_at, draft_id, nonce),
        questions_html=page_questions(flow, index, context, locale), **context,
    ), status))
    # The page carries a timestamped token and the citizen's answers: never from a cache.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = FRAGMENT_HEADER
    if fragment:
        response.headers[FRAGMENT_HEADER] = "1"
    return response


def thanks_fragment(agency):
    """The thank-you page alone, for survey.js, in place of the redirect to it."""
    response = current_app.make_response(render_template(
        "surveys/_thanks.html", agency=agency,
        page_url=url_for("surveys.thanks", agency_code=agency.code)))
    response.headers["Cache-Control"] = "no-store"
    response.headers[FRAGMENT_HEADER] = "1"
    return response


def _load(flow: Flow, draft_id: str | None) -> Draft | None:
    """The live draft `draft_id` of this survey (load_draft), without a query when it was read with
    the deployment."""
    read_id, read = flow.read
    if read_id is not None and draft_id == read_id:
        return usable_draft(read, flow.deployment, flow.code_id) if read is not None else None
    return load_draft(draft_id, flow.deployment, code_id=flow.code_id)


def _remember(flow: Flow, draft_id: str) -> None:
    """Let the bare open link find this draft again (a code finds its drafts by itself)."""
    if flow.code is None:
        drafts = dict(session.get(SESSION_DRAFTS) or {})
        drafts[str(flow.deployment.agency_id)] = draft_id
        session[SESSION_DRAFTS] = dict(list(drafts.items())[-3:])


def _forget(agency_id: int, sent: str) -> None:
    """After sending: forget the draft, remember that it (`sent`: its id, or the form's nonce for
    a draft never stored) was sent."""
    drafts = dict(session.get(SESSION_DRAFTS) or {})
    drafts.pop(str(agency_id), None)
    session[SESSION_DRAFTS] = drafts
    session[SESSION_SENT] = sent


def _resume(flow: Flow) -> Draft | None:
    """The draft a citizen left unfinished at this survey, when they come back to its address."""
    if flow.code is not None:
        return latest_draft_for_code(flow.code.id, flow.deployment)
    draft_id = (session.get(SESSION_DRAFTS) or {}).get(str(flow.deployment.agency_id))
    return _load(flow, draft_id) if draft_id else None


def _sent_draft_id() -> str | None:
    """The draft this request refers to, if this browser already sent it (double click, Back)."""
    sent = session.get(SESSION_SENT)
    if not sent:
        return None
    if request.method == "GET":
        referred = request.args.get("d")
    else:
        token = read_form_token(current_app.config["SECRET_KEY"], request.form.get(TOKEN_FIELD, ""),
                                0, current_app.config["SURVEY_FORM_MAX_AGE"])
        referred = token.draft_id or token.nonce
    return sent if referred == sent else None


def gone_notice() -> str:
    """Said when a draft was purged or belongs elsewhere: the survey starts again."""
    return _("Your unfinished answers from earlier are no longer kept, so the survey starts again "
             "from the first page. Sorry for the trouble.")


def show_page(flow: Flow):
    """GET: the page asked for (?d=draft&p=number), with the draft's answers; a bare address
    resumes this browser's unfinished draft, or starts the survey."""
    draft_id = request.args.get("d")
    notice = None
    if draft_id:
        draft = _load(flow, draft_id)
        if draft is None:
            notice = gone_notice()
    else:
        draft = _resume(flow)
    if draft is None:
        return render_survey(flow, 0, values=MultiDict(), started_at=utcnow(), draft_id=None,
                             notice=notice)
    values = as_multidict(draft.answers)
    check = evaluate(values, flow.questions, explain=False)
    shown = shown_pages(flow.pages, check.answers)
    furthest = _page_number(draft.page, len(flow.pages))
    wanted = min(_page_number(request.args.get("p", 1), len(flow.pages)), furthest)
    index = max([i for i in shown if i <= wanted] or [0])
    if draft_id and request.args.get("p", "1") != str(index + 1):
        return redirect(flow.url(d=draft.id, p=index + 1), code=303)
    return render_survey(flow, index, values=values, started_at=draft.started_at, draft_id=draft.id,
                         nonce=draft.nonce, check=check)


@dataclass
class Posted:
    """A page as the citizen sent it: its token, which page it is, the draft it names (the id, and
    the row when it is still live), and the draft's answers with this page's merged in."""

    token: FormToken
    index: int
    reference: str | None
    draft: Draft | None
    answers: dict


@dataclass(frozen=True)
class Destination:
    """Where a received page leads: page `page` (with `errors` shown on it, or, without errors, by
    redirect, `furthest` being how far the draft then reaches), or the end (None: send)."""

    page: int | None
    errors: list[tuple[str, str]] = field(default_factory=list)
    furthest: int | None = None


def receive_page(flow: Flow):
    """POST: keep this page's answers in the draft, then go back, go on, or store the response."""
    posted = _read_page(flow)
    if not posted.token.valid:
        return _unvouched(flow, posted)
    check = evaluate(as_multidict(posted.answers), flow.questions)
    # The same evaluation decides what is hidden: hidden answers count nowhere.
    answers = drop_hidden(posted.answers, flow.questions, check)
    draft, detour = _draft_to_keep(flow, posted, answers)
    if detour is not None:
        return detour
    values = as_multidict(answers)
    service, service_error = parse_service(values, flow.deployment.services or [])
    where = _destination(flow, posted.index, check, service_error,
                         back=request.form.get(NAV_FIELD) == "back")
    if where.page is None:
        return finish(flow, draft, draft.started_at, check.answers, service, values, flow.thanks_url())
    furthest = draft.page if where.furthest is None else max(draft.page, where.furthest)
    elsewhere = _saved(flow, draft, answers, furthest)
    if elsewhere is not None:
        return elsewhere
    if where.errors:
        return render_survey(flow, where.page, values=values, started_at=draft.started_at,
                             draft_id=draft.id, nonce=draft.nonce, errors=where.errors, status=422,
                             check=check)
    if wants_fragment():
        # survey.js gets the next page at once, saving the redirect's round trip; it puts the
        # page's own address (data-url) in the history.
        return render_survey(flow, where.page, values=values, started_at=draft.started_at,
                             draft_id=draft.id, nonce=draft.nonce)
    return redirect(flow.url(d=draft.id, p=where.page + 1), code=303)


def _read_page(flow: Flow) -> Posted:
    """The sent page read: its token, the draft it names, and its answers merged into the draft's."""
    config = current_app.config
    form = request.form
    token = read_form_token(config["SECRET_KEY"], form.get(TOKEN_FIELD, ""), flow.deployment.id,
                            config["SURVEY_FORM_MAX_AGE"])
    index = _page_number(form.get(PAGE_FIELD, 1), len(flow.pages))
    # The token names the draft; the address does too, which helps when the token is forged or lost.
    reference = token.draft_id or request.args.get("d")
    draft = _load(flow, reference) if reference else None
    answers = merge_page(draft.answers if draft else {}, form, flow.pages[index], with_service=index == 0)
    return Posted(token, index, reference, draft, answers)


def _unvouched(flow: Flow, posted: Posted):
    """A page whose token is invalid (expired, forged): nothing is saved from a form we cannot vouch
    for, but nothing typed is lost either: the page comes back with every answer in it."""
    draft = posted.draft
    return render_survey(flow, posted.index, values=as_multidict(posted.answers),
                         started_at=draft.started_at if draft else (posted.token.started_at or utcnow()),
                         draft_id=draft.id if draft else None, nonce=draft.nonce if draft else None,
                         status=400, notice=_(
        "This page was open for a long time, so your answers on it were not saved yet. They "
        "are all kept below: please check them and press the button again."))


def _draft_to_keep(flow: Flow, posted: Posted, answers: dict):
    """The draft that keeps the answers: the one named, or a new one. Returns (draft, None), or
    (None, where to go) when the page cannot go on: its form was sent already, or the draft named
    is gone (this page's answers are then kept in a new draft, from the first page)."""
    if posted.draft is not None:
        return posted.draft, None
    token = posted.token
    gone = posted.reference is not None
    if gone and nonce_used(token.nonce):
        # This form was sent already and its draft stored as a response (the thanks never
        # reached the citizen, who sends the last page again): one form, one response.
        return None, redirect(flow.thanks_url(), code=303)
    draft = create_draft(flow.deployment, nonce=token.nonce,
                         started_at=utcnow() if gone else (token.started_at or utcnow()),
                         code_id=flow.code_id, answers=answers)
    _remember(flow, draft.id)
    if not gone:
        return draft, None
    # Purged or not this survey's: this page's answers are kept, the rest is lost.
    save_draft(draft, flow.deployment, answers, draft.page)
    db.session.commit()
    flash(gone_notice(), "error")
    return None, redirect(flow.url(d=draft.id, p=1), code=303)


def _destination(flow: Flow, index: int, check: Evaluation, service_error: str | None, *,
                 back: bool) -> Destination:
    """Where page `index` leads once its answers are kept: back, to its own errors, on to the next
    page shown, to the first earlier page with a mistake, or to the end."""
    shown = shown_pages(flow.pages, check.answers)
    if index not in shown:
        index = max([i for i in shown if i <= index] or [0])
    position = shown.index(index)
    if back:  # going back never validates: half-answered pages are fine
        return Destination(shown[max(position - 1, 0)])
    all_errors = ([(f"{SERVICE_FIELD}-1", service_error)] if service_error else []) + check.errors
    page_errors = [e for e in all_errors if e[0] in _targets(flow, index)]
    if page_errors:
        return Destination(index, page_errors)
    if position + 1 < len(shown):
        following = shown[position + 1]
        return Destination(following, furthest=following + 1)
    if all_errors:
        # The last page is fine but an earlier one is not (an address typed by hand, a draft
        # carried over to a new version): back to the first page with a mistake, errors shown.
        first = next(i for i in shown if any(e[0] in _targets(flow, i) for e in all_errors))
        return Destination(first, [e for e in all_errors if e[0] in _targets(flow, first)])
    return Destination(None)


def _saved(flow: Flow, draft: Draft, answers: dict, page: int):
    """Store the draft and commit; None when done, else where to go (it was sent meanwhile)."""
    draft_id = draft.id
    if save_draft(draft, flow.deployment, answers, page):
        db.session.commit()
        return None
    db.session.rollback()
    return redirect(flow.thanks_url() if session.get(SESSION_SENT) == draft_id else flow.url(),
                    code=303)


def finish(flow: Flow, draft: Draft, started_at: datetime, answers: dict, service: str | None,
           values: MultiDict, thanks_url: str):
    """Store the response, its answers and scores, redeem the code, delete the draft and use up
    its form's nonce, all in one transaction; a code someone else redeemed meanwhile rolls
    everything back. A one-page survey sends a draft that was never stored: there is nothing to
    delete, and it is timed from its token (`started_at`); a stored draft from its row.

    A form whose nonce was used already (its token replayed, or another draft it began) is stored
    all the same, flagged as a replay: nothing typed is lost, and it does not count twice.
    """
    draft_id = draft.id
    if draft.stored and not consume_draft(draft_id):
        # Another request of the same draft (a double click on "Send") stored it already.
        db.session.rollback()
        return redirect(thanks_url, code=303)
    fresh = claim_nonce(draft.nonce or draft_id)
    ip = client_address()
    client, address = client_hash(ip, request.user_agent.string), address_hash(ip)
    flags = integrity_flags(flow.deployment, honeypot=values.get(HONEYPOT_FIELD, ""),
                            started_at=started_at, client=client, address=address, ip=ip,
                            channel=flow.channel, replayed=not fresh)
    store_response(flow.deployment, answers, locale=current_locale(), started_at=started_at,
                   flags=flags, client_hash=client, address_hash=address, service=service,
                   channel=flow.channel, version=flow.version)
    if flow.code is not None and not codes.redeem(flow.code):
        db.session.rollback()
        return render_code_state(codes.CodeState.USED)
    agency_id = flow.deployment.agency_id
    if flags & ResponseFlag.UNDER_REVIEW:
        hold_burst(agency_id)
    db.session.commit()
    _forget(agency_id, draft_id if draft.stored else (draft.nonce or draft_id))
    # A flagged response gets the same thanks: telling a bot why it was caught only teaches it.
    return redirect(thanks_url, code=303)


def run_survey(flow: Flow):
    """The paged survey flow, the same for open links and one-time codes. survey.js, which asks
    for pages alone, gets the thanks itself instead of a redirect to it."""
    keep_rows_after_commit()
    if _sent_draft_id():
        response = redirect(flow.thanks_url(), code=303)
    elif request.method == "GET":
        response = show_page(flow)
    else:
        response = receive_page(flow)
    if wants_fragment() and response.status_code == 303 and response.location == flow.thanks_url():
        return thanks_fragment(flow.deployment.agency)
    return response


def keep_rows_after_commit() -> None:
    """Let this request's rows outlive its commits (the session's expire_on_commit off, for this
    request only: the session is removed at its end). The flow only reads its code row and writes
    other rows, so a commit need not expire it; reading it again would cost a query, e.g. for the
    next page's address (the hot path: surveys/frozen.py)."""
    db.session().expire_on_commit = False


def read_only_unless_posted() -> None:
    """A GET of a survey page (or of the thanks) only reads: run its queries without a transaction,
    which saves the BEGIN and ROLLBACK round trips on the busiest pages of the site. Call before
    any query."""
    if request.method == "GET" and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@bp.route("/s/<agency_code>", methods=["GET", "POST"])
@csrf.exempt  # anonymous form without an account: its own signed token stands in for the CSRF token
def take(agency_code: str):
    """The survey live at this agency, page by page; the last page stores the response."""
    if "\x00" in agency_code:  # PostgreSQL refuses NUL in a query; no agency code has one
        abort(404)
    read_only_unless_posted()
    live = live_survey_for(agency_code, request.args.get("d"))
    if live is None:
        return successor_page(find_agency(agency_code)) or abort(404)
    return run_survey(Flow(live.deployment, live.version, read=(live.draft_id, live.draft)))


@bp.route("/s/<agency_code>/thanks")
def thanks(agency_code: str):
    """Thank the citizen after a response was stored."""
    read_only_unless_posted()
    agency = find_agency(agency_code)
    if agency is None:
        abort(404)
    return render_template("surveys/thanks.html", agency=agency)


def render_code_state(state: codes.CodeState):
    """The page for a code that cannot open the survey: which case it is and what to do next.

    Used and expired codes are gone for good (410); an unknown code, or one whose survey is not
    taking answers (paused or ended: it may be resumed), is simply not found here (404).
    """
    response = current_app.make_response((render_template(
        "surveys/code_state.html", state=state.value), CODE_STATUS[state]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/")
@limiter.shared_limit(code_rate_limit, scope="survey-code", deduct_when=code_missed)
def code_entry():
    """A box to type the code printed on a receipt; a well-formed code leads to /r/<code>."""
    typed = request.args.get("code")
    error = None
    if typed is not None:
        code = clean_code(typed)
        if code is not None:
            return redirect(url_for("surveys.code_survey", code=code), code=303)
        error = _("A code has %(n)s letters and digits, as printed on your receipt.",
                  n=CODE_LENGTH)
    return render_template("surveys/code.html", typed=typed or "", error=error), 422 if error else 200


@bp.route("/r/<code>", methods=["GET", "POST"])
@csrf.exempt  # as /s/: the signed form token stands in for the CSRF token
@limiter.shared_limit(code_rate_limit, scope="survey-code", deduct_when=code_missed)
def code_survey(code: str):
    """The survey opened by a one-time code, page by page; the code is redeemed with the response."""
    canonical = normalize(code)
    if request.method == "GET" and canonical and canonical != code and "/" not in canonical:
        return redirect(url_for("surveys.code_survey", code=canonical, **request.args), code=303)
    row = codes.find_code(code)
    if row is not None and row.deployment_id is None:  # a code naming an officer (API): counters.public
        return redirect(url_for("counters.code_rate", code=row.code), code=303)
    deployment, version, live = code_deployment(row) if row is not None else (None, None, False)
    state = codes.code_state(row, live=live)
    if state != codes.CodeState.USABLE:
        if row is not None and _sent_draft_id():  # Back or a second click after sending it
            return redirect(url_for("surveys.thanks", agency_code=row.agency.code), code=303)
        ended = row is not None and state != codes.CodeState.USED and successor_page(row.agency)
        return ended or render_code_state(state)
    return run_survey(Flow(deployment, version, row))
