"""The floor for bench/submissions.py: the same paged survey and the same writes, without any framework.

A plain WSGI callable (`gunicorn bench.bare_wsgi:app`) with one psycopg 3 connection per worker.
It speaks the protocol the app speaks, so the same Locust user drives both: GET /s/<code> (and
?d=<draft>&p=<n>) renders a bare form with an HMAC-signed token, the page number and the page's
radio buttons; POST stores the page in `survey_draft` (INSERT on page 1, UPDATE after) and answers
303 to the next page, or, asked as survey.js asks (X-Survey-Fragment: 1), the next page's form
itself (200, no redirect); the last POST deletes the draft and writes what the app's `store_response`
writes — one `response` row, its `answer` rows (one multi-row INSERT), one `response_score` per
dimension, and the day and month rows of the five summary tables (response, dimension, question,
answer value, comment), each in one unnested upsert as the app sends them on PostgreSQL — in one
transaction, after the same nonce claim and integrity counts, then 303 to /s/<code>/thanks. No
validation beyond the token, no templates, no ORM, no session cookie. The survey's pages,
dimensions and ids are read once from the file named by BARE_SURVEY_FILE (written by submissions.py
from the app's own page split); DATABASE_URL names the database.
"""

import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Json

SURVEY = json.loads(open(os.environ["BARE_SURVEY_FILE"], encoding="utf-8").read())
KEY = b"bare-bench-key"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The summary cell of every bench response after its period and day: agency, version, channel, service.
CELL_REST = (SURVEY["agency_id"], SURVEY["version_id"], "open", "")
_connection: psycopg.Connection | None = None


def connection() -> psycopg.Connection:
    """This worker's connection, opened on first use (after gunicorn forked)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"])
    return _connection


def sign(draft: str) -> str:
    """A token naming the draft, signed so a forged one is refused."""
    mac = hmac.new(KEY, draft.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{draft}.{mac}"


def unsign(token: str) -> str | None:
    """The draft named by a token, or None if the token is forged."""
    draft, _, mac = token.rpartition(".")
    return draft if hmac.compare_digest(sign(draft), token) else None


def form_page(code: str, draft: str, number: int, fragment: bool = False) -> bytes:
    """A bare form for page `number` (1-based); `fragment`: the form alone, for a fetched page."""
    action = f"/s/{code}?d={draft}" if draft else f"/s/{code}"
    inputs = "".join(
        f'<input type="radio" name="q-{key}" value="{v}">' for key in SURVEY["pages"][number - 1]
        if key in SURVEY["likert"] for v in range(1, 6)
    ) + "".join(f'<textarea name="q-{key}"></textarea>' for key in SURVEY["pages"][number - 1]
                if key not in SURVEY["likert"])
    return (("" if fragment else "<!doctype html><title>Survey</title>")
            + f'<form method="post" action="{action}">'
            f'<input type="hidden" name="token" value="{sign(draft)}">'
            f'<input type="hidden" name="page" value="{number}">{inputs}'
            '<button type="submit" name="nav" value="next">Next</button></form>').encode()


CELL = "period, day, agency_id, version_id, channel, service"
CELL_TYPES = "varchar[], date[], int[], int[], varchar[], varchar[]"


def upsert(cur, table: str, extra: list[str], extra_types: list[str], names: list[str],
           name_types: list[str], rows: list[tuple]) -> None:
    """Add `rows` (cell key, extra key, numbers) to `table` in one statement, the columns passed as
    arrays and unnested: the statement the app sends on PostgreSQL."""
    if not rows:
        return
    key = CELL.split(", ") + extra
    types = CELL_TYPES.split(", ") + extra_types + name_types
    additions = ", ".join(f"{n} = {table}.{n} + excluded.{n}" for n in names)
    cur.execute(
        f"INSERT INTO {table} ({', '.join(key + names)}) SELECT * FROM unnest("
        + ", ".join(f"%s::{t}" for t in types)
        + f") ON CONFLICT ({', '.join(key)}) DO UPDATE SET {additions}",
        [list(column) for column in zip(*rows, strict=True)])


def integrity_reads(cur, nonce: str, client: str, address: str, now: datetime) -> None:
    """What the app reads and writes before storing a response (surveys/integrity.py, drafts.py):
    the form's nonce claimed in `used_form_token`, then the client's and the address's responses
    today and the agency's open-link responses of the last hour, in one statement."""
    cur.execute("INSERT INTO used_form_token (nonce, used_at) VALUES (%s, %s) "
                "ON CONFLICT (nonce) DO NOTHING RETURNING nonce", (nonce, now))
    cur.fetchone()
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=UTC)
    cur.execute(
        "SELECT (SELECT count(*) FROM response WHERE client_hash = %s AND agency_id = %s "
        "AND submitted_at >= %s), (SELECT count(*) FROM response WHERE address_hash = %s "
        "AND agency_id = %s AND channel = 'open' AND submitted_at >= %s), (SELECT count(*) FROM "
        "response WHERE agency_id = %s AND channel = 'open' AND submitted_at >= %s)",
        (client, SURVEY["agency_id"], midnight, address, SURVEY["agency_id"], midnight,
         SURVEY["agency_id"], now - timedelta(hours=1)))
    cur.fetchone()


def store_response(cur, answers: dict, started_at: datetime, nonce: str) -> None:
    """The reads, INSERTs and upserts the app makes for one counted response: the integrity reads,
    the response, its answers (the ones given), one score per dimension, and the day and month rows
    of the five summary tables (response, dimension, question, answer value, comment)."""
    now = datetime.now(UTC)
    client, address = secrets.token_hex(32), secrets.token_hex(32)
    integrity_reads(cur, nonce, client, address, now)
    cur.execute(
        "INSERT INTO response (version_id, deployment_id, agency_id, service, channel, locale, "
        "started_at, submitted_at, flags, excluded, client_hash, address_hash) VALUES "
        "(%s, %s, %s, NULL, 'open', 'vi', %s, %s, 0, false, %s, %s) RETURNING id",
        (SURVEY["version_id"], SURVEY["deployment_id"], SURVEY["agency_id"], started_at, now,
         client, address))
    response_id = cur.fetchone()[0]
    rows, tally, likert, comments = [], {}, {}, []
    for key, value in answers.items():
        if not value:
            continue
        number = float(value) if key in SURVEY["likert"] else None
        text = None if number is not None else value
        rows.append((response_id, key, number, text, text.casefold() if text else None))
        if text:
            comments.append(key)
        if number is not None:
            likert[key] = number
        dimension = SURVEY["likert"].get(key)
        if dimension and number is not None:
            valid, positive = tally.get(dimension, (0, 0))
            tally[dimension] = (valid + 1, positive + (number >= 4))
    if rows:
        placeholders = ", ".join(["(%s, %s, %s, %s, 'null', false, %s)"] * len(rows))
        cur.execute("INSERT INTO answer (response_id, question_key, number, text, choices, not_applicable, "
                    f"search_text) VALUES {placeholders}", [x for row in rows for x in row])
    scores = {d: positive / valid for d, (valid, positive) in tally.items()}
    weights = SURVEY["weights"]
    cur.executemany("INSERT INTO response_score (response_id, dimension, score, weight, valid_answers) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [(response_id, d, s, weights.get(d, 1.0), tally[d][0])
                     for d, s in sorted(scores.items())])
    total_weight = sum(weights.get(d, 1.0) for d in scores)
    index = sum(s * weights.get(d, 1.0) for d, s in scores.items()) / total_weight if total_weight else None
    day = now.astimezone(ZONE).date()
    cells = [("day", day) + CELL_REST, ("month", day.replace(day=1)) + CELL_REST]
    upsert(cur, "response_summary", [], [], ["responses", "index_n", "index_sum", "index_sum_sq"],
           ["int[]", "int[]", "float8[]", "float8[]"],
           [c + (1, int(index is not None), index or 0.0, (index or 0.0) ** 2) for c in cells])
    upsert(cur, "dimension_summary", ["dimension"], ["varchar[]"], ["n", "total", "total_sq"],
           ["int[]", "float8[]", "float8[]"],
           [c + (d, 1, s, s * s) for c in cells for d, s in sorted(scores.items())])
    upsert(cur, "question_summary", ["question_key"], ["varchar[]"],
           ["answered", "valid", "positive", "not_applicable"], ["int[]"] * 4,
           [c + (k, 1, 1, int(n >= 4), 0) for c in cells for k, n in sorted(likert.items())])
    upsert(cur, "answer_summary", ["question_key", "value"], ["varchar[]", "varchar[]"], ["count"], ["int[]"],
           [c + (k, v, 1) for c in cells for k, n in sorted(likert.items()) for v in ("", str(int(n)))])
    upsert(cur, "comment_summary", ["question_key"], ["varchar[]"], ["count"], ["int[]"],
           [c + (k, 1) for c in cells for k in sorted(comments)])


def receive(code: str, form: dict, query: dict):
    """Store one page; return (status, location)."""
    draft = unsign(form.get("token", [""])[0])
    if draft is None:
        return "400 Bad Request", None
    number = int(form.get("page", ["1"])[0])
    page = {key: form.get(f"q-{key}", [""])[0] for key in SURVEY["pages"][number - 1]}
    conn = connection()
    with conn.transaction(), conn.cursor() as cur:
        if not draft:
            draft = secrets.token_urlsafe(32)
            now = datetime.now(UTC)
            # The app's draft keeps the nonce of the form that began it (the floor's draft id).
            cur.execute("INSERT INTO survey_draft (id, deployment_id, code_id, answers, page, started_at, "
                        "updated_at, nonce) VALUES (%s, %s, NULL, %s, %s, %s, %s, %s)",
                        (draft, SURVEY["deployment_id"], Json(page), number + 1, now, now, draft))
            answers, started_at = page, now
        else:
            cur.execute("SELECT answers, started_at FROM survey_draft WHERE id = %s", (draft,))
            row = cur.fetchone()
            if row is None:
                return "303 See Other", f"/s/{code}"
            answers, started_at = {**row[0], **page}, row[1]
            if number < len(SURVEY["pages"]):
                cur.execute("UPDATE survey_draft SET answers = %s, page = %s, updated_at = %s WHERE id = %s",
                            (Json(answers), number + 1, datetime.now(UTC), draft))
        if number < len(SURVEY["pages"]):
            return "303 See Other", f"/s/{code}?d={draft}&p={number + 1}"
        cur.execute("DELETE FROM survey_draft WHERE id = %s", (draft,))
        store_response(cur, answers, started_at, draft)
    return "303 See Other", f"/s/{code}/thanks"


def app(environ, start_response):
    """Route: the survey page (GET/POST) and the thank-you page."""
    parts = environ["PATH_INFO"].strip("/").split("/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if len(parts) == 3 and parts[2] == "thanks":
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [b"<!doctype html><title>Thanks</title><p>Thank you.</p>"]
    if len(parts) != 2 or parts[0] != "s":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    code = parts[1]
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode(), keep_blank_values=True)
        status, location = receive(code, form, query)
        if environ.get("HTTP_X_SURVEY_FRAGMENT") == "1" and status.startswith("303"):
            # As the app answers survey.js: the next page (or the thanks) alone, no redirect.
            if location.endswith("/thanks"):
                body = f'<div id="survey-page" data-url="{location}"><p>Thank you.</p></div>'.encode()
            else:
                asked = parse_qs(location.partition("?")[2])
                body = (f'<div id="survey-page" data-url="{location}">'.encode()
                        + form_page(code, asked.get("d", [""])[0], int(asked.get("p", ["1"])[0]),
                                    fragment=True) + b"</div>")
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Cache-Control", "no-store"), ("X-Survey-Fragment", "1"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        start_response(status, [("Location", location or "/"), ("Content-Length", "0")])
        return [b""]
    draft = query.get("d", [""])[0]
    number = min(max(int(query.get("p", ["1"])[0]), 1), len(SURVEY["pages"]))
    body = form_page(code, draft, number)
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                              ("Content-Length", str(len(body)))])
    return [body]
