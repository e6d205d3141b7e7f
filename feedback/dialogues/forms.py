"""Reading the citizens' dialogue forms: the sign-up with its questions, the ticket's cancel box, and
the signed token that stands in for a session on both."""

import re
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from feedback.core.i18n import gettext as _
from feedback.core.text import clean_text
from feedback.core.tokens import read_token, sign_token
from feedback.dialogues.models import Representing, Topic
from feedback.dialogues.registrations import normalize_phone
from feedback.dialogues.signup import Applicant, Question
from feedback.dialogues.tickets import CANCEL_DIGITS

TOKEN_FIELD = "token"
# Named like a field people fill in, hidden from them by CSS; only bots type into it.
HONEYPOT_FIELD = "website"
CONSENT_FIELD = "consent"
SMS_FIELD = "notify_sms"
ZALO_FIELD = "notify_zalo"
CANCEL_FIELD = "phone_last4"
# Question blocks: three on the page without JavaScript, up to five with "Add another question".
QUESTIONS_WITHOUT_JS = 3
MAX_QUESTIONS = 5
NAME_MAX = 200
LOCALITY_MAX = 200
EMAIL_MAX = 254
QUESTION_MAX = 2000
# A sign-up form may stay open a whole day (filled in slowly, or put aside and finished later).
TOKEN_MAX_AGE = 24 * 3600
EMAIL_PATTERN = re.compile(r"^[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]{2,}$")

# How each choice reads: to the citizen signing up (first person), and to staff reading the list.
REPRESENTING_WORDS = {
    Representing.SELF: (_l("Myself"), _l("Themselves")),
    Representing.HOUSEHOLD: (_l("My household"), _l("Their household")),
    Representing.BUSINESS: (_l("A business"), _l("A business")),
    Representing.ORGANIZATION: (_l("An organization or association"), _l("An organization")),
}
REPRESENTING_LABELS = {choice: words[0] for choice, words in REPRESENTING_WORDS.items()}
TEXT_FIELDS = ("full_name", "phone", "email", "locality")


def question_field(number: int, part: str) -> str:
    """Name (and id) of a part of question block `number` (1-based): text, topic or publish."""
    return f"q{number}-{part}"


def clean(value: str | None) -> str:
    """Typed text cleaned by the one rule (core.text.clean_text); nothing sent reads as ""."""
    return clean_text(value or "")


@dataclass
class SignupForm:
    """A submitted sign-up form: what was typed, the mistakes found, and the applicant if none."""

    values: MultiDict
    errors: list[tuple[str, str]] = field(default_factory=list)
    applicant: Applicant | None = None

    @property
    def honeypot_filled(self) -> bool:
        """Whether the hidden field only bots see was filled in."""
        return bool(self.values.get(HONEYPOT_FIELD, "").strip())

    @property
    def errors_by_field(self) -> dict[str, str]:
        """{field id: message}, for the message under each field."""
        return dict(self.errors)


def question_blocks_shown(values: MultiDict) -> int:
    """How many question blocks to show: three, or more when more were filled in."""
    filled = [n for n in range(1, MAX_QUESTIONS + 1) if clean(values.get(question_field(n, "text")))]
    return max([QUESTIONS_WITHOUT_JS, *filled])


def _read_questions(values: MultiDict, topics: dict[str, Topic],
                    errors: list[tuple[str, str]]) -> list[Question]:
    """The filled-in question blocks; a question needs a topic and a sane length."""
    questions = []
    for n in range(1, MAX_QUESTIONS + 1):
        text = clean(values.get(question_field(n, "text")))
        topic_code = values.get(question_field(n, "topic"), "")
        if not text:
            continue
        if len(text) > QUESTION_MAX:
            errors.append((question_field(n, "text"),
                           _("Question %(n)s is too long: please keep it under %(max)s characters.",
                             n=n, max=QUESTION_MAX)))
        topic = topics.get(topic_code)
        if topic is None:
            errors.append((question_field(n, "topic"), _("Choose the topic of question %(n)s.", n=n)))
        questions.append(Question(text=text, topic=topic,
                                  publish=values.get(question_field(n, "publish")) == "yes"))
    return questions


def read_signup(values: MultiDict, topics: list[Topic], locale: str) -> SignupForm:
    """Validate a submitted sign-up form; errors are listed in the order of the fields."""
    form = SignupForm(values=values)
    errors = form.errors
    full_name, phone, email, locality = (clean(values.get(name)) for name in TEXT_FIELDS)
    if not full_name:
        errors.append(("full_name", _("Enter your full name.")))
    elif len(full_name) > NAME_MAX:
        errors.append(("full_name", _("Your name is too long (at most %(max)s characters).", max=NAME_MAX)))
    normalized = None
    if not phone:
        errors.append(("phone", _("Enter your phone number.")))
    else:
        normalized = normalize_phone(phone)
        if normalized is None:
            errors.append(("phone", _("This is not a Vietnamese phone number we can call. Write it as "
                                      "on your phone, for example 0912 345 678.")))
    if email and (len(email) > EMAIL_MAX or not EMAIL_PATTERN.match(email)):
        errors.append(("email", _("This email address does not look right, for example "
                                  "ten@gmail.com. You may also leave it empty.")))
    if not locality:
        errors.append(("locality", _("Enter where you live (commune or ward, district).")))
    elif len(locality) > LOCALITY_MAX:
        errors.append(("locality", _("Too long: at most %(max)s characters.", max=LOCALITY_MAX)))
    representing = values.get("representing", Representing.SELF.value)
    if representing not in {r.value for r in Representing}:
        errors.append(("representing-self", _("Choose on whose behalf you come.")))
    if values.get(CONSENT_FIELD) != "yes":
        errors.append((CONSENT_FIELD, _("Tick the box to agree to the use of your details, "
                                        "otherwise we cannot register you.")))
    questions = _read_questions(values, {t.code: t for t in topics}, errors)
    if not errors:
        form.applicant = Applicant(full_name=full_name, phone=normalized, email=email or None,
                                   locality=locality, representing=Representing(representing),
                                   locale=locale, questions=questions,
                                   notify_sms=values.get(SMS_FIELD) == "yes",
                                   notify_zalo=values.get(ZALO_FIELD) == "yes")
    return form


def read_cancel_digits(values: MultiDict) -> tuple[str, str | None]:
    """(digits typed, error message or None) from the ticket's cancel box."""
    digits = re.sub(r"[\s.\-]", "", values.get(CANCEL_FIELD, ""))[:20]
    if len(digits) != CANCEL_DIGITS or not digits.isascii() or not digits.isdigit():
        return digits, _("Type the last %(n)s digits of the phone number you signed up with.",
                         n=CANCEL_DIGITS)
    return digits, None


def make_dialogue_token(secret_key: str, purpose: str, subject_id: int) -> str:
    """A signed, timestamped token saying this form was shown by us for `subject_id`
    (a conference to sign up for, a registration to cancel). A random part makes each page load's
    token its own, so limits per token never lump together people who opened the form in the
    same second."""
    return sign_token(secret_key, f"dialogue-{purpose}", [subject_id, secrets.token_urlsafe(6)])


def dialogue_token_valid(secret_key: str, purpose: str, subject_id: int, token: str | None) -> bool:
    """Whether a submitted token is ours, for this subject, and younger than TOKEN_MAX_AGE (a token
    from before tokens had a random part, the bare subject id, is still accepted)."""
    signed = read_token(secret_key, f"dialogue-{purpose}", token, TOKEN_MAX_AGE)
    if signed is None or not signed.fresh:
        return False
    payload = signed.payload
    if isinstance(payload, list) and payload:
        payload = payload[0]
    return type(payload) is int and payload == subject_id
