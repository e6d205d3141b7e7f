"""Staff pages outside the dashboards at 1280 px (and the header at 375 px): a table wider than the
content scrolls inside its own box, never the page nor past the content's edge; the header stays
on one line on a phone and spans the content's width on a desktop."""

import pytest

from tests.browser.checks import axe_check, horizontal_overflow, sign_in
from tests.security.conftest import fill, rules, world  # noqa: F401  (the world fixture)

pytestmark = pytest.mark.browser

TABLES = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  const problems = [];
  for (const table of document.querySelectorAll('main table')) {
    const wrap = table.closest('.table-wrap');
    const box = (wrap || table).getBoundingClientRect();
    if (box.right > main.right + 1) problems.push('a table reaches past the content');
    if (wrap && wrap.scrollWidth > wrap.clientWidth + 1 && getComputedStyle(wrap).overflowX !== 'auto')
      problems.push('a table is clipped without a scroll bar');
  }
  return problems;
}"""
HEADER = """() => {
  const row = document.querySelector('.header-row').getBoundingClientRect();
  const items = [...document.querySelectorAll('.header-row .brand, .header-nav li')]
    .map(e => e.getBoundingClientRect());
  const content = document.querySelector('main').getBoundingClientRect();
  return {lines: new Set(items.map(r => Math.round(r.top))).size, left: row.left, right: row.right,
          mainLeft: content.left, mainRight: content.right};
}"""


def _staff_paths(app, side, topic_id) -> list[str]:
    """Every staff page a GET shows (not the dashboards, not downloads), filled for `side`."""
    paths = []
    for rule in rules(app, {"GET"}):
        path = rule.rule
        if not path.startswith(("/manage/", "/admin/", "/account")) or rule.endpoint.endswith(
                ("export", "csv", "xlsx", "poster", "posters", "sheet", "ics", "qr", "pdf", "png")):
            continue
        if "." in path.rsplit("/", 1)[-1] or "reset/" in path or "export" in path:
            continue
        paths.append(fill(rule, side, topic_id))
    return paths


def test_staff_tables_scroll_in_their_own_box_at_1280(app, world, new_page):  # noqa: F811
    page = new_page(js=False)
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, world.tree.admin.email)
    problems, seen = {}, []
    for path in _staff_paths(app, world.a, 1):
        response = page.goto(path + ("&" if "?" in path else "?") + "lang=vi")
        kind = response.headers.get("content-type", "") if response else ""
        if response is None or response.status != 200 or "html" not in kind:
            continue
        seen.append(path)
        found = page.evaluate(TABLES)
        if horizontal_overflow(page, 1280) is not None:
            found.append("the page scrolls sideways")
        if found:
            problems[path] = found
    print("\n".join(seen))
    assert problems == {}
    assert len(seen) >= 20, seen


@pytest.mark.parametrize("width", [375, 1280])
def test_staff_header_is_one_line_on_a_phone_and_as_wide_as_the_content(page, tree, width):
    page.set_viewport_size({"width": width, "height": 740})
    sign_in(page, tree.organizer_a.email)
    for path in ("/manage/surveys/?lang=vi", "/account?lang=vi", "/manage/surveys/?lang=en"):
        page.goto(path)
        header = page.evaluate(HEADER)
        assert header["lines"] == 1, (path, header)
        assert abs(header["left"] - header["mainLeft"]) <= 1, (path, header)
        assert abs(header["right"] - header["mainRight"]) <= 1, (path, header)
        assert horizontal_overflow(page, width) is None
        axe_check(page)
    page.screenshot(path=f"/tmp/i19_shots/header-{width}.png")
