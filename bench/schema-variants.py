#!/usr/bin/env python3
"""PostgreSQL CPU per stored delivery for candidate write schemas (issue 7, "measure before choosing").

bench/schema-variants [SECONDS] [CLIENTS]: starts a private cluster (scripts/postgres, fsync and
synchronous_commit on), and for each variant creates its schema, has CLIENTS processes write unique
booking deliveries through prepared statements for SECONDS, and prints deliveries/s and the CPU
(user + system, all PostgreSQL processes) per delivery. Client CPU is not counted: only the database's.
Needs psycopg 3 (../shared/bench/run setup installs it in /opt/wink-bench/venv).
"""
import json, multiprocessing, os, pathlib, subprocess, sys, time, uuid

import psycopg

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent / "shared/bench/lib"))
import random  # noqa: E402
import bench  # noqa: E402  the harness's own ~1.5 KB booking.created body

BODY = json.dumps(bench.booking_created(random.Random(7), 7, time.time()), separators=(",", ":"))
HEADERS = json.dumps({"content-type": "application/json", "user-agent": "Wink-Webhooks/1.0",
                      "webhook-id": "msg_2Lh9wJ0x", "webhook-timestamp": "1786000000"})
METRICS = ["booking.count", "booking.room_nights", "booking.guests", "booking.gross_amount",
           "booking.net_amount", "booking.commission_amount"]
VALUES = ["1", "3", "3", "540.00", "472.50", "43.20"]
POINTS_JSON = json.dumps([{"metric": m, "value": v, "entity": "5d668b3c", "property": "5d668b3c",
                           "channel": "bc8abf08", "currency": "EUR", "booking_id": "80d63324",
                           "occurred_at": "2026-08-10T14:22:31Z"} for m, v in zip(METRICS, VALUES)])
ARRAY_METRICS = "{" + ",".join(METRICS) + "}"
ARRAY_VALUES = "{" + ",".join(VALUES) + "}"

OLD_SCHEMA = """
CREATE TABLE dedupe (webhook text NOT NULL, dedupe_key text NOT NULL, received_at timestamptz NOT NULL,
                     PRIMARY KEY (webhook, dedupe_key));
CREATE TABLE deliveries (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, received_at timestamptz NOT NULL,
    webhook text NOT NULL, event_key text NOT NULL, sent_key text, status text NOT NULL, dedupe_key text NOT NULL,
    body_sha256 text NOT NULL, headers jsonb NOT NULL, body jsonb NOT NULL);
ALTER TABLE deliveries ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN headers SET COMPRESSION lz4;
CREATE INDEX ON deliveries USING brin (received_at);
CREATE INDEX ON deliveries (webhook, event_key, received_at);
CREATE TABLE points (time timestamptz NOT NULL, metric text NOT NULL, value numeric NOT NULL,
    event_key text NOT NULL, webhook text NOT NULL, entity text, property text, channel text, currency text,
    booking_id text, occurred_at timestamptz, delivery bigint NOT NULL) PARTITION BY RANGE (time);
CREATE INDEX ON points USING brin (time);
CREATE INDEX ON points (metric, time);
CREATE TABLE points_now PARTITION OF points FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
"""

OLD_SQL = """
WITH d AS (INSERT INTO dedupe VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING received_at),
a AS (INSERT INTO deliveries (received_at, webhook, event_key, sent_key, status, dedupe_key, body_sha256,
      headers, body) SELECT d.received_at, $1, 'booking.create', NULL, 'stored', $2, 'x', $3::jsonb, $4::jsonb
      FROM d RETURNING id, received_at),
p AS (INSERT INTO points SELECT a.received_at, x.metric, x.value, 'booking.create', $1, x.entity, x.property,
      x.channel, x.currency, x.booking_id, x.occurred_at, a.id
      FROM a, jsonb_to_recordset($5::jsonb) AS x(metric text, value numeric, entity text, property text,
      channel text, currency text, booking_id text, occurred_at timestamptz) RETURNING 1)
SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM p)
"""

# One row per delivery: the archive and its facts (metric names and values as arrays), partitioned by day.
WIDE_COLUMNS = """
    received_at timestamptz NOT NULL, time timestamptz NOT NULL, webhook text NOT NULL, event_key text NOT NULL,
    sent_key text, status text NOT NULL, dedupe_key text NOT NULL, body_sha256 text NOT NULL,
    entity text, property text, channel text, booking_id text, currency text, occurred_at timestamptz,
    metrics text[] NOT NULL, "values" numeric[] NOT NULL, xact bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
    headers {headers} NOT NULL, body {body} NOT NULL
"""


def wide_schema(headers="jsonb", body="jsonb", indexes=("brin (received_at)", "brin (xact)"), facts_apart=False):
    cols = WIDE_COLUMNS.format(headers=headers, body=body)
    sql = """
CREATE TABLE dedupe (webhook text NOT NULL, dedupe_key text NOT NULL, received_at timestamptz NOT NULL,
                     PRIMARY KEY (webhook, dedupe_key));
"""
    if facts_apart:
        sql += f"""
CREATE TABLE deliveries (received_at timestamptz NOT NULL, webhook text NOT NULL, event_key text NOT NULL,
    sent_key text, status text NOT NULL, dedupe_key text NOT NULL, body_sha256 text NOT NULL,
    headers {headers} NOT NULL, body {body} NOT NULL) PARTITION BY RANGE (received_at);
CREATE TABLE deliveries_now PARTITION OF deliveries FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
CREATE INDEX ON deliveries USING brin (received_at);
CREATE TABLE events (received_at timestamptz NOT NULL, time timestamptz NOT NULL, webhook text NOT NULL,
    event_key text NOT NULL, dedupe_key text NOT NULL, entity text, property text, channel text, booking_id text,
    currency text, occurred_at timestamptz, metrics text[] NOT NULL, "values" numeric[] NOT NULL,
    xact bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint) PARTITION BY RANGE (received_at);
CREATE TABLE events_now PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
"""
        for index in indexes:
            sql += f"CREATE INDEX ON events USING {index};\n"
        return sql
    sql += f"""
CREATE TABLE events ({cols}) PARTITION BY RANGE (received_at);
CREATE TABLE events_now PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');
"""
    for index in indexes:
        sql += f"CREATE INDEX ON events USING {index};\n"
    return sql


def wide_sql(headers_cast="::jsonb", body_cast="::jsonb", facts_apart=False, ledger=False):
    sql = "WITH d AS (INSERT INTO dedupe VALUES ($1, $2, now()) ON CONFLICT DO NOTHING RETURNING received_at)"
    if facts_apart:
        sql += f""",
a AS (INSERT INTO deliveries SELECT d.received_at, $1, 'booking.create', NULL, 'stored', $2, 'x',
      $3{headers_cast}, $4{body_cast} FROM d RETURNING received_at),
e AS (INSERT INTO events (received_at, time, webhook, event_key, dedupe_key, entity, property, channel,
      booking_id, currency, occurred_at, metrics, "values")
      SELECT a.received_at, a.received_at, $1, 'booking.create', $2, '5d668b3c', '5d668b3c', 'bc8abf08',
      '80d63324', 'EUR', now(), $5::text[], $6::numeric[] FROM a RETURNING 1)"""
    else:
        sql += f""",
e AS (INSERT INTO events (received_at, time, webhook, event_key, sent_key, status, dedupe_key, body_sha256,
      entity, property, channel, booking_id, currency, occurred_at, metrics, "values", headers, body)
      SELECT d.received_at, d.received_at, $1, 'booking.create', NULL, 'stored', $2, 'x', '5d668b3c',
      '5d668b3c', 'bc8abf08', '80d63324', 'EUR', now(), $5::text[], $6::numeric[], $3{headers_cast},
      $4{body_cast} FROM d RETURNING 1)"""
    if ledger:
        sql += """,
l AS (INSERT INTO ledger (booking_id, version, status, gross) SELECT $2, 1, 'CONFIRMED', 540.00 FROM d
      ON CONFLICT (booking_id) DO UPDATE SET version = excluded.version, status = excluded.status,
      gross = excluded.gross WHERE ledger.version <= excluded.version RETURNING 1)"""
    sql += " SELECT (SELECT count(*) FROM e)"
    return sql


LEDGER = """
CREATE TABLE ledger (booking_id text PRIMARY KEY, version int NOT NULL, status text, gross numeric);
"""

C_FLOOR_SCHEMA = """
CREATE TABLE dedupe (webhook_id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE events (received_at timestamptz NOT NULL, webhook_id text NOT NULL, event_key text,
    booking_id text, amount numeric, currency text, payload jsonb NOT NULL);
CREATE INDEX ON events (received_at);
"""
C_FLOOR_SQL = """
WITH d AS (INSERT INTO dedupe (webhook_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING webhook_id)
INSERT INTO events SELECT now(), webhook_id, 'booking.create', '80d63324', 540.00, 'EUR', $2::jsonb FROM d
"""

# name, schema, statement, parameters (index into: webhook, key, headers, body, points-or-metrics, values)
VARIANTS = [
    ("c-floor statement (reference)", C_FLOOR_SCHEMA, C_FLOOR_SQL, "c"),
    ("M3: dedupe + archive (pk, btree, brin) + 6 point rows (btree, brin), 3 jsonb parses", OLD_SCHEMA, OLD_SQL,
     "old"),
    ("dedupe + archive row + fact row apart (arrays), jsonb body and headers", wide_schema(facts_apart=True),
     wide_sql(facts_apart=True), "wide"),
    ("dedupe + one row: archive and facts (arrays), jsonb body and headers", wide_schema(), wide_sql(), "wide"),
    ("one row, headers as text", wide_schema(headers="text"), wide_sql(headers_cast=""), "wide"),
    ("one row, headers text, body json (validated, not decomposed)", wide_schema(headers="text", body="json"),
     wide_sql(headers_cast="", body_cast="::json"), "wide"),
    ("one row, headers text, body text (no JSON parse in PostgreSQL)", wide_schema(headers="text", body="text"),
     wide_sql(headers_cast="", body_cast=""), "wide"),
    ("one row, headers text, + btree (time) for raw reads", wide_schema(
        headers="text", indexes=("brin (received_at)", "brin (xact)", "btree (time)")), wide_sql(headers_cast=""),
     "wide"),
    ("one row, headers text, + ledger upsert in the write", wide_schema(headers="text") + LEDGER,
     wide_sql(headers_cast="", ledger=True), "wide"),
]


def postgres_pids(postmaster):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    pids, todo = [], [postmaster]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, []))
    return pids


def cpu_ticks(postmaster):
    total = 0
    for pid in postgres_pids(postmaster):
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total


def client(url, sql, kind, seconds, counter):
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor) as conn:
        conn.execute("SET search_path TO sv")
        prefix = uuid.uuid4().hex
        n, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            key = f"{prefix}-{n}"
            if kind == "c":
                params = (key, BODY)
            elif kind == "old":
                params = ("wink", key, HEADERS, BODY, POINTS_JSON)
            else:
                params = ("wink", key, HEADERS, BODY, ARRAY_METRICS, ARRAY_VALUES)
            conn.execute(sql, params, prepare=True)
            n += 1
        with counter.get_lock():
            counter.value += n


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    pg_dir = os.environ.get("SV_PG", "/tmp/winkhook-schema-variants")
    subprocess.run([str(ROOT / "scripts/postgres"), "start", pg_dir, "sv"], check=True)
    url = subprocess.run([str(ROOT / "scripts/postgres"), "url", pg_dir, "sv"], check=True, capture_output=True,
                         text=True).stdout.strip()
    postmaster = int(pathlib.Path(os.path.realpath(pg_dir), "data/postmaster.pid").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    print(f"| variant | deliveries/s | PostgreSQL CPU µs/delivery |\n|---|---:|---:|")
    rounds = int(os.environ.get("SV_ROUNDS", "2"))
    for name, schema, sql, kind in [v for _ in range(rounds) for v in VARIANTS]:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS sv CASCADE")
            conn.execute("CREATE SCHEMA sv")
            conn.execute("SET search_path TO sv")
            conn.execute(schema)
            conn.execute("CHECKPOINT")
        counter = multiprocessing.Value("q", 0)
        # Warm-up, then the measured run.
        for measured in (False, True):
            counter.value = 0
            before, started = cpu_ticks(postmaster), time.monotonic()
            procs = [multiprocessing.Process(target=client, args=(url, sql, kind, seconds if measured else 2,
                                                                  counter)) for _ in range(clients)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            elapsed, used = time.monotonic() - started, cpu_ticks(postmaster) - before
        n = counter.value
        print(f"| {name} | {n / elapsed:,.0f} | {used / tick * 1e6 / n:.0f} |", flush=True)
    subprocess.run([str(ROOT / "scripts/postgres"), "forget", pg_dir], check=True)


if __name__ == "__main__":
    main()
