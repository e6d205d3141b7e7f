"""The floor for counter ratings: a bare WSGI app that reads the same JSON, checks the same bearer key
hash, and makes the same writes as POST /api/v1/ratings (INSERT … ON CONFLICT (client_uuid) DO
NOTHING into counter_rating, then the four counter_summary upserts: agency and officer, day and
month), in one transaction on a per-process psycopg connection; no Flask, no ORM."""

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg

INFO = json.loads(open(os.environ["BARE_RATINGS_FILE"]).read())
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_connection = None

INSERT = """INSERT INTO counter_rating (client_uuid, agency_id, officer_id, shift_id, device_id,
 rating_set_id, level, satisfied, reasons, comment, service_code, channel, given_at, received_at, flags,
 excluded, address_hash)
 VALUES (%s, %s, %s, NULL, NULL, %s, %s, %s, %s, NULL, NULL, 'api', %s, %s, 0, false, NULL)
 ON CONFLICT (client_uuid) DO NOTHING RETURNING id"""
UPSERT = """INSERT INTO counter_summary (period, day, agency_id, officer_id, n, satisfied)
 SELECT * FROM unnest(%s::varchar[], %s::date[], %s::int[], %s::int[], %s::int[], %s::int[])
 ON CONFLICT (period, day, agency_id, officer_id) DO UPDATE
 SET n = counter_summary.n + excluded.n, satisfied = counter_summary.satisfied + excluded.satisfied"""


def connection():
    """This worker's connection (opened on first use)."""
    global _connection
    if _connection is None:
        _connection = psycopg.connect(os.environ["DATABASE_URL"].replace("+psycopg", ""))
    return _connection


def app(environ, start_response):
    """POST /api/v1/ratings: key check, parse, INSERT and summary upserts; GET /healthz for the probe."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")[2]
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    conn = connection()
    with conn.transaction():
        key = conn.execute(
            "SELECT id FROM api_key WHERE key_hash = %s AND revoked_at IS NULL",
            (hashlib.sha256(token.encode()).hexdigest(),),
        ).fetchone()
        if key is None or body.get("officer_code") != INFO["officer_code"]:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
        now = datetime.now(UTC)
        level = int(body["level"])
        satisfied = level >= 3
        row = conn.execute(
            INSERT,
            (
                str(uuid.UUID(body.get("client_uuid") or str(uuid.uuid4()))),
                INFO["agency_id"],
                INFO["officer_id"],
                INFO["rating_set_id"],
                level,
                satisfied,
                json.dumps(body.get("reasons") or []),
                now,
                now,
            ),
        ).fetchone()
        if row is not None:
            day = now.astimezone(ZONE).date()
            month = day.replace(day=1)
            conn.execute(
                UPSERT,
                (
                    ["day", "day", "month", "month"],
                    [day, day, month, month],
                    [INFO["agency_id"]] * 4,
                    [0, INFO["officer_id"], 0, INFO["officer_id"]],
                    [1] * 4,
                    [int(satisfied)] * 4,
                ),
            )
    start_response("201 Created" if row else "200 OK", [("Content-Type", "application/json")])
    return [b'{"stored": true}' if row else b'{"stored": false}']
