"""The request's language and translations, looked up once per request: what force_locale and
?lang= must still change."""

from flask_babel import force_locale

from feedback.core.i18n import current_locale, gettext, ngettext


def test_a_forced_language_applies_inside_and_the_request_language_after(app):
    with app.test_request_context("/", headers={"Accept-Language": "vi"}):
        assert (current_locale(), gettext("Next")) == ("vi", "Tiếp theo")
        with force_locale("en"):
            assert (current_locale(), gettext("Next")) == ("en", "Next")
        assert (current_locale(), gettext("Next")) == ("vi", "Tiếp theo")


def test_a_language_forced_first_does_not_stick_to_the_request(app):
    with app.test_request_context("/", headers={"Accept-Language": "vi"}):
        with force_locale("en"):
            assert gettext("Back") == "Back"
        assert gettext("Back") != "Back" and current_locale() == "vi"


def test_variables_and_plurals_are_filled_in(app):
    with app.test_request_context("/?lang=en"):
        assert gettext("Page %(n)s of %(total)s", n=2, total=6) == "Page 2 of 6"
        assert ngettext("%(num)s apple", "%(num)s apples", 3) == "3 apples"


def test_each_request_gets_its_own_language(client):
    english = client.get("/?lang=en", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    client.delete_cookie("lang")
    vietnamese = client.get("/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert 'lang="en"' in english and "Skip to content" in english
    assert 'lang="vi"' in vietnamese and "Skip to content" not in vietnamese
