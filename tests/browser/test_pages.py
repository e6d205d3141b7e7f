"""Public pages on a phone, with JavaScript on and off, in Vietnamese and English."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.checks import (
    LANGUAGES,
    assert_clean,
    axe_check,
    horizontal_overflow,
    page_log,
    small_touch_targets,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PAGES = {"home": ("/", 200), "login": ("/login", 200), "not-found": ("/no-such-page", 404)}


def with_lang(path: str, lang: str) -> str:
    """`path` asking for `lang` (Vietnamese is what a Vietnamese phone gets without asking)."""
    return path + LANGUAGES[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_works_on_a_phone(page, name, lang):
    """Renders in the asked language with one h1, fits 375 and 320 px, has big touch targets,
    makes no browser complaint or outside request, and passes axe-core."""
    path, status = PAGES[name]
    response = page.goto(with_lang(path, lang))
    assert response.status == status
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_be_visible()
    for width in (375, 320):
        assert horizontal_overflow(page, width) is None, f"the page scrolls sideways at {width} px"
    assert small_touch_targets(page) == []
    axe_check(page)
    assert_clean(page)


@pytest.mark.parametrize("name", PAGES)
def test_skip_link_is_first_and_moves_focus_to_main(page, name):
    """The first Tab lands on a visible skip link; following it puts focus on <main>."""
    page.goto(PAGES[name][0])
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_class(re.compile(r"\bskip-link\b"))
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()
    assert_clean(page)


def test_language_switch_sticks(page):
    """The header link switches to English, and the next page stays English (cookie); the way
    back to Vietnamese sticks too."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator('header a[hreflang="en"]').click()
    page.wait_for_url(re.compile(r"/\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("lang") == "en"

    page.locator('footer a[href="/login"]').click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator('header a[hreflang="vi"]').click()
    page.wait_for_url(re.compile(r"/login\?lang=vi$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert_clean(page)


def test_sign_in_through_the_form(page, tree):
    """A leader signs in with the form and lands on the dashboard, signed in."""
    email = tree.leader_a.email
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    response = navigation.value
    assert response.request.redirected_from is not None, "signing in did not redirect"
    assert response.request.redirected_from.method == "POST"
    assert urlsplit(page.url).path == "/dashboard/", "a leader lands on the dashboard"
    assert response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator('header form[action="/logout"] button')).to_be_visible()
    assert_clean(page)


def test_checks_catch_problems(page):
    """The checks really run, JS on and off: an image without alt text fails axe (by rule and
    element), a small link is reported, a too-wide block overflows."""
    page.goto("/login")
    # Styles are set through the CSSOM: the CSP blocks style="" attributes.
    page.evaluate("""() => {
        const main = document.querySelector("main");
        main.insertAdjacentHTML("beforeend", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
            + 'id="no-alt"><p><a href="#x" id="tiny">x</a></p><div id="wide">wide</div>');
        Object.assign(document.getElementById("tiny").style, {fontSize: "10px", lineHeight: "1"});
        document.getElementById("wide").style.width = "400px";
    }""")
    with pytest.raises(pytest.fail.Exception, match=r"image-alt[\s\S]*#no-alt"):
        axe_check(page)
    assert [t for t in small_touch_targets(page) if '"x"' in t] != []
    assert horizontal_overflow(page, 375) is not None
    assert page_log(page).problems() == []


def test_a_request_to_another_host_is_reported_and_never_leaves_the_machine(nojs_page):
    """Nothing may come from a CDN: the test browser resolves no other host, so the request fails
    at once, and the checks name it as a third-party request."""
    with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
        nojs_page.goto("https://cdn.example.org/plotly.min.js")
    assert page_log(nojs_page).problems() == ["third-party request: https://cdn.example.org/plotly.min.js"]
