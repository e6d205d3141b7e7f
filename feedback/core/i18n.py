"""Choosing the language of a request and formatting numbers and dates in it."""

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol, parse_pattern
from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, request
from flask_babel import format_date, format_datetime, format_percent, get_locale, get_translations

LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600
# Where catalog() keeps the request's translations, with the locale they are for (on flask.g,
# beside Flask-Babel's own locale).
_CATALOG = "_translations"


def select_locale() -> str:
    """?lang= first, then the cookie, then Accept-Language, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        g.lang_to_remember = asked
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(response):
    """Store a language picked with ?lang= in a cookie, so it sticks."""
    lang = g.get("lang_to_remember")
    if lang and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_COOKIE_AGE, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def current_locale() -> str:
    """The language code of this request ('vi' or 'en')."""
    return _code(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def in_language(vi, en, locale: str):
    """The English text when `locale` is English and there is one, else the Vietnamese: the one
    rule for every bilingual name, title, label and text (models, records, charts, templates)."""
    return en if locale == "en" and en else vi


def bilingual(field: str) -> Callable[[object, str], str]:
    """A method `(self, locale)` giving `self.<field>_en` or `self.<field>_vi` by in_language's rule,
    for records that hold a title, label or name in both languages besides their other fields."""

    def in_locale(self, locale: str) -> str:
        """The text in the given language, falling back to Vietnamese."""
        return in_language(getattr(self, f"{field}_vi"), getattr(self, f"{field}_en"), locale)

    in_locale.__name__ = field
    return in_locale


def short_text(short_vi: str | None, short_en: str | None, text_vi: str, text_en: str | None,
               locale: str) -> str:
    """A question's short label in `locale` for charts and tables: its short label in that
    language, else its full text there, else the Vietnamese short label or text (in_language)."""
    if locale == "en" and (short_en or text_en):
        return short_en or text_en or ""
    return short_vi or in_language(text_vi, text_en or "", locale)


class BilingualName:
    """A name in Vietnamese and English (an agency's, a topic's, a chart series'), for models and
    plain records alike."""

    name_vi: str
    name_en: str

    name = bilingual("name")


@lru_cache(maxsize=16)
def _code(locale: Locale | str) -> str:
    """A locale's code, written once per locale (Babel writes it out again on every str())."""
    return str(locale)


def catalog() -> Translations:
    """The request's translations, found once per request and language. Flask-Babel finds the
    domain and its cache again on every gettext call, and a page makes tens of them (every label,
    every error); a forced language (force_locale) is a new locale, so it gets its own."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    found = g.get(_CATALOG)
    if found is None or found[0] is not locale:
        found = (locale, get_translations())
        setattr(g, _CATALOG, found)
    return found[1]


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, through the request's catalog: the text in the request's language,
    with `variables` filled into it."""
    text = catalog().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ngettext, through the request's catalog (`num` is also %(num)s)."""
    variables.setdefault("num", num)
    return catalog().ungettext(singular, plural, num) % variables


# Vietnamese officials write dates as 22/11/2026; English readers get an unambiguous "22 Nov 2026".
DATE_FORMATS = {"vi": "dd/MM/y", "en": "d MMM y"}
DATETIME_FORMATS = {"vi": "HH:mm dd/MM/y", "en": "d MMM y, HH:mm"}


def format_local_date(value, fmt: str | None = None) -> str:
    """A date in the request's locale (22/11/2026 in Vietnamese)."""
    return format_date(value, fmt or DATE_FORMATS.get(current_locale(), "medium"))


def format_local_datetime(value, fmt: str | None = None) -> str:
    """A date and time in the request's locale and the app's time zone."""
    return format_datetime(value, fmt or DATETIME_FORMATS.get(current_locale(), "medium"))


# Patterns simple enough to write without Babel's general machinery (see number_formatter).
_FAST_PATTERNS = {"0.0": 1, "#,##0": 0}


@lru_cache(maxsize=64)
def number_formatter(locale: str, fmt: str | None = None) -> Callable[[float | int], str]:
    """A function writing numbers in `locale` with the pattern `fmt` (None: the locale's decimal
    format), exactly as Babel's format_decimal writes them, made once per locale and format.

    Dashboards write thousands of numbers a page. The two patterns they use for nearly all of them
    ("0.0" and "#,##0") are written directly: the value rounded half to even from its decimal
    text, as Babel rounds it, then the locale's symbols; tests/core/test_numbers.py checks them
    against Babel. Any other pattern is Babel's, parsed once.
    """
    data = Locale.parse(locale)
    pattern = parse_pattern(data.decimal_formats[None] if fmt is None else fmt)
    digits = _FAST_PATTERNS.get(fmt or "")
    if digits is None:
        return lambda value: pattern.apply(value, data)
    step = Decimal(1).scaleb(-digits)
    point, group, minus = get_decimal_symbol(data), get_group_symbol(data), get_minus_sign_symbol(data)

    def write(value) -> str:
        """`value` written with the pattern (Babel's own writing for what is not a finite number)."""
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if not number.is_finite():
            return pattern.apply(value, data)
        rounded = abs(number).quantize(step, rounding=ROUND_HALF_EVEN)
        text = f"{rounded:,f}" if digits == 0 else f"{rounded:f}"
        text = text.translate({ord(","): group, ord("."): point})
        return minus + text if number.is_signed() else text

    return write


def format_number(value, fmt: str | None = None) -> str:
    """A number in the request's locale (1.234,5 in Vietnamese), as Babel's format_decimal writes it."""
    return number_formatter(current_locale(), fmt)(value)


def language_url(lang: str) -> str:
    """This page's address with ?lang= set to `lang` (other query parameters kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def init_app(app: Flask) -> None:
    """Register the cookie hook and the template helpers for locale-aware formatting."""
    app.after_request(remember_language)
    # Templates translate through the request's catalog as well (replacing Flask-Babel's callables).
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalog().ugettext(string),
        ngettext=lambda singular, plural, n: catalog().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalog().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalog().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(current_locale=current_locale, language_url=language_url,
                                  in_language=in_language)
    app.jinja_env.filters.update(
        number=format_number,
        percent=lambda v, fmt="#,##0.0%": format_percent(v, format=fmt),
        date=format_local_date,
        datetime=format_local_datetime,
    )
