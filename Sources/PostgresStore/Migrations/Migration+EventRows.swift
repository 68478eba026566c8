extension Migration {
    /// Version 4 (M4): one row per delivery. The archive and everything the handlers derived from it (the
    /// dimensions, the metrics as three parallel arrays, the booking's state) are one row of
    /// `winkhook.events`, partitioned by the day the event happened, with two BRIN indexes and no B-tree:
    /// a delivery writes that row and its de-duplication row, nothing else. `winkhook.deliveries` and
    /// `winkhook.points` stay as views, so queries written against versions 1–3 keep working. Existing
    /// rows are moved over.
    static let eventRows = Migration(
        version: 4, name: "one row per delivery",
        sql: """
            CREATE TABLE winkhook.events (
                id                bigint      GENERATED ALWAYS AS IDENTITY,
                -- When it happened: the sender's time when it is within 30 days before receipt (and not
                -- more than an hour after), else receipt. Rollups and stats bucket by it.
                time              timestamptz NOT NULL,
                received_at       timestamptz NOT NULL,
                webhook           text        NOT NULL,
                event_key         text        NOT NULL,
                sent_key          text,
                disposition       text        NOT NULL CHECK (disposition IN ('stored', 'ignored')),
                dedupe_key        text        NOT NULL,
                body_sha256       text        NOT NULL,
                entity            text,
                property          text,
                channel           text,
                booking_id        text,
                subject           text,
                room_type         text,
                state             text,
                occurred_at       timestamptz,
                metrics           text[]      NOT NULL DEFAULT '{}',
                metric_values     numeric[]   NOT NULL DEFAULT '{}',
                metric_currencies text[]      NOT NULL DEFAULT '{}',
                -- The booking's state, for events about a booking (the ledger's input).
                version           bigint,
                stay_start        date,
                stay_end          date,
                room_nights       numeric,
                rooms             numeric,
                gross             numeric,
                net               numeric,
                currency          text,
                booked_at         timestamptz,
                -- The writing transaction (xid8 as bigint): how maintenance finds what is new.
                xact              bigint      NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
                headers           jsonb       NOT NULL,
                body              jsonb       NOT NULL
            ) PARTITION BY RANGE (time);
            DO $$
            BEGIN
                ALTER TABLE winkhook.events ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN headers SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN
                RAISE NOTICE 'this server has no lz4: the archive stays pglz-compressed';
            END
            $$;
            CREATE INDEX events_time_brin ON winkhook.events USING brin (time);
            CREATE INDEX events_xact_brin ON winkhook.events USING brin (xact);
            CREATE TABLE winkhook.events_default PARTITION OF winkhook.events DEFAULT;

            INSERT INTO winkhook.events (
                time, received_at, webhook, event_key, sent_key, disposition, dedupe_key, body_sha256,
                entity, property, channel, booking_id, occurred_at, metrics, metric_values, metric_currencies,
                headers, body)
            SELECT CASE WHEN p.occurred_at BETWEEN d.received_at - interval '30 days'
                                               AND d.received_at + interval '1 hour'
                        THEN p.occurred_at ELSE d.received_at END,
                   d.received_at, d.webhook, d.event_key, d.sent_key, d.status, d.dedupe_key, d.body_sha256,
                   p.entity, p.property, p.channel, p.booking_id, p.occurred_at,
                   coalesce(p.metrics, '{}'), coalesce(p.metric_values, '{}'), coalesce(p.metric_currencies, '{}'),
                   d.headers, d.body
            FROM winkhook.deliveries d
            LEFT JOIN LATERAL (
                SELECT min(entity) AS entity, min(property) AS property, min(channel) AS channel,
                       min(booking_id) AS booking_id, min(occurred_at) AS occurred_at,
                       array_agg(metric ORDER BY metric) AS metrics, array_agg(value ORDER BY metric) AS metric_values,
                       array_agg(currency ORDER BY metric) AS metric_currencies
                FROM winkhook.points WHERE delivery = d.id
            ) p ON true;

            DROP FUNCTION winkhook.ensure_partitions(date, integer);
            DROP TABLE winkhook.points;
            DROP TABLE winkhook.deliveries;

            -- The archive as versions 1–3 had it.
            CREATE VIEW winkhook.deliveries AS
                SELECT id, received_at, webhook, event_key, sent_key, disposition AS status, dedupe_key, body_sha256,
                       headers, body
                FROM winkhook.events;
            -- One row per metric value, as versions 1–3 had it (`time` is now the event's time).
            CREATE VIEW winkhook.points AS
                SELECT e.time, m.metric, m.value, e.event_key, e.webhook, e.entity, e.property, e.channel,
                       m.currency, e.booking_id, e.occurred_at, e.id AS delivery
                FROM winkhook.events e,
                     unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency);

            -- Creates the daily partitions of winkhook.events from `first_day` for `days` days (UTC); safe
            -- to call concurrently and repeatedly. Rows the default partition holds for a new day move in.
            -- Returns how many it created.
            CREATE FUNCTION winkhook.ensure_partitions(first_day date, days integer)
            RETURNS integer LANGUAGE plpgsql AS $fn$
            DECLARE
                day date;
                part text;
                low timestamptz;
                high timestamptz;
                created integer := 0;
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtext('winkhook.ensure_partitions'));
                FOR i IN 0 .. days - 1 LOOP
                    day := first_day + i;
                    part := 'events_' || to_char(day, 'YYYYMMDD');
                    CONTINUE WHEN to_regclass('winkhook.' || part) IS NOT NULL;
                    low := (day::timestamp AT TIME ZONE 'UTC');
                    high := ((day + 1)::timestamp AT TIME ZONE 'UTC');
                    EXECUTE format('CREATE TABLE winkhook.%I (LIKE winkhook.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMPRESSION)', part);
                    EXECUTE format('WITH moved AS (DELETE FROM winkhook.events_default WHERE time >= %L AND time < %L RETURNING *) '
                                   'INSERT INTO winkhook.%I SELECT * FROM moved', low, high, part);
                    EXECUTE format('ALTER TABLE winkhook.events ATTACH PARTITION winkhook.%I FOR VALUES FROM (%L) TO (%L)',
                                   part, low, high);
                    created := created + 1;
                END LOOP;
                RETURN created;
            END
            $fn$;
            """)
}
