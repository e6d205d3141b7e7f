"""Reading the services (thủ tục) list typed by an organizer: one "code | vi | en" per line."""

import pytest

from feedback.surveys.deployments.services import format_services, parse_services


@pytest.fixture(autouse=True)
def _english(app):
    """Messages in English, inside a request (gettext needs one for the locale)."""
    with app.test_request_context("/?lang=en"):
        yield


def test_lines_become_services_and_blank_lines_are_skipped():
    text = "HT-01 | Đăng ký khai sinh | Birth registration\n\n  CT.02|Chứng thực bản sao  \r\n"
    services, errors = parse_services(text)
    assert errors == []
    assert services == [
        {"code": "HT-01", "name_vi": "Đăng ký khai sinh", "name_en": "Birth registration"},
        {"code": "CT.02", "name_vi": "Chứng thực bản sao", "name_en": ""},
    ]
    assert parse_services(format_services(services)) == (services, [])


def test_plain_names_get_codes_made_from_their_words():
    services, errors = parse_services("Đăng ký khai sinh\nĐăng ký khai sinh\nCT.02 | Chứng thực")
    assert errors == []
    assert [s["code"] for s in services] == ["dang_ky_khai_sinh", "dang_ky_khai_sinh_2", "CT.02"]
    assert services[0]["name_vi"] == "Đăng ký khai sinh"


def test_empty_text_means_no_services():
    assert parse_services("") == ([], [])
    assert parse_services("  \n \n") == ([], [])


@pytest.mark.parametrize(("text", "message"), [
    ("a | b | c | d", "Line 1: write the service's name, or the code"),
    ("x | ", "Line 1: the Vietnamese name is missing"),
    (" | Tên", "Line 1: the code must be 1 to 64"),
    ("mã có dấu | Tên", "Line 1: the code must be"),
    ("A | Một\nB | Hai\nA | Ba", "Line 3: the code A is already used on line 1"),
    ("A | " + "x" * 201, "Line 1: a name may have at most 200 characters"),
])
def test_each_mistake_is_named_with_its_line(text, message):
    _services, errors = parse_services(text)
    assert any(e.startswith(message) for e in errors), errors


def test_every_bad_line_is_reported_not_only_the_first():
    _services, errors = parse_services("a | b | c | d\nA | Tên\nx | y | z | w\n | x")
    assert [e.split(":")[0] for e in errors] == ["Line 1", "Line 3", "Line 4"]


def test_too_many_services_are_refused():
    _services, errors = parse_services("\n".join(f"S{i} | Dịch vụ {i}" for i in range(101)))
    assert errors == ["Please list at most 100 services (there are 101)."]
