extension Migration {
    /// Version 5 (M4): hourly and daily rollups, the booking ledger, the maintenance that keeps them (off
    /// the delivery path), retention, and the `v_…` views for BI tools.
    ///
    /// Maintenance finds what is new by the writing transaction's id (`events.xact`): every transaction
    /// older than the oldest one still running at the previous run (`maintenance.horizon`) has finished, so
    /// rows with `xact >= horizon` are all that can be new since — whatever order transactions committed in,
    /// and however late (spooled, redelivered) the event is.
    static let analytics = Migration(
        version: 5, name: "rollups, booking ledger, maintenance, retention, views",
        sql: """
            CREATE TABLE winkhook.rollup_hourly (
                bucket    timestamptz NOT NULL,
                metric    text        NOT NULL,
                event_key text        NOT NULL,
                webhook   text        NOT NULL,
                entity    text,
                property  text,
                channel   text,
                currency  text,
                samples   bigint      NOT NULL,
                total     numeric     NOT NULL,
                minimum   numeric     NOT NULL,
                maximum   numeric     NOT NULL
            );
            CREATE INDEX rollup_hourly_bucket ON winkhook.rollup_hourly (bucket);
            CREATE TABLE winkhook.rollup_daily (
                day       date        NOT NULL,
                metric    text        NOT NULL,
                event_key text        NOT NULL,
                webhook   text        NOT NULL,
                entity    text,
                property  text,
                channel   text,
                currency  text,
                samples   bigint      NOT NULL,
                total     numeric     NOT NULL,
                minimum   numeric     NOT NULL,
                maximum   numeric     NOT NULL
            );
            CREATE INDEX rollup_daily_day ON winkhook.rollup_daily (day);

            -- The booking ledger: each booking's newest state (highest version; then latest event).
            CREATE TABLE winkhook.bookings (
                booking_id  text        PRIMARY KEY,
                webhook     text        NOT NULL,
                event_key   text        NOT NULL,
                state       text,
                version     bigint,
                cancelled   boolean     NOT NULL,
                entity      text,
                property    text,
                channel     text,
                room_type   text,
                stay_start  date,
                stay_end    date,
                room_nights numeric,
                rooms       numeric,
                gross       numeric,
                net         numeric,
                currency    text,
                booked_at   timestamptz,
                updated_at  timestamptz NOT NULL,
                event_id    bigint      NOT NULL
            );
            -- Which bookings stay during a given month (on the books), without reading the whole ledger.
            CREATE INDEX bookings_stay ON winkhook.bookings USING gist (daterange(stay_start, stay_end))
                WHERE NOT cancelled AND stay_end > stay_start;

            CREATE TABLE winkhook.maintenance (
                one           boolean     PRIMARY KEY DEFAULT true CHECK (one),
                horizon       bigint      NOT NULL DEFAULT 0,
                -- Rollups hold every hour before this one (as of the last run); stats read raw rows after it.
                closed_before timestamptz NOT NULL DEFAULT '-infinity',
                ran_at        timestamptz
            );
            INSERT INTO winkhook.maintenance DEFAULT VALUES;
            -- Hours to (re)compute once closed: touched while open, or by `winkhook reprocess`.
            CREATE TABLE winkhook.rollup_pending (bucket timestamptz PRIMARY KEY);

            -- One maintenance pass: rollups of the closed hours that changed, their days, and the ledger.
            -- Hours before `frozen_before` (their raw rows dropped by retention) are added to, not
            -- recomputed. Serialized by a row lock; call it in its own transaction.
            CREATE FUNCTION winkhook.maintain(frozen_before timestamptz DEFAULT NULL)
            RETURNS TABLE (new_events bigint, hours integer, days integer, bookings integer)
            LANGUAGE plpgsql AS $fn$
            DECLARE
                previous bigint;
                next_horizon bigint;
                open_hour timestamptz := date_trunc('hour', now());
                due timestamptz[];
                due_days date[];
                h timestamptz;
                n_events bigint;
                n_bookings integer;
            BEGIN
                SELECT m.horizon INTO previous FROM winkhook.maintenance m FOR UPDATE;
                next_horizon := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
                frozen_before := coalesce(frozen_before, '-infinity');

                SELECT count(*) INTO n_events FROM winkhook.events e WHERE e.xact >= previous;

                -- Late rows for hours whose raw rows are gone: add their aggregates.
                INSERT INTO winkhook.rollup_hourly
                SELECT date_trunc('hour', e.time), m.metric, e.event_key, e.webhook, e.entity, e.property, e.channel,
                       m.currency, count(*), sum(m.value), min(m.value), max(m.value)
                FROM winkhook.events e, unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                WHERE e.xact >= previous AND e.time < frozen_before AND e.disposition = 'stored'
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
                INSERT INTO winkhook.rollup_daily
                SELECT (e.time AT TIME ZONE 'UTC')::date, m.metric, e.event_key, e.webhook, e.entity, e.property,
                       e.channel, m.currency, count(*), sum(m.value), min(m.value), max(m.value)
                FROM winkhook.events e, unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                WHERE e.xact >= previous AND e.time < frozen_before AND e.disposition = 'stored'
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

                INSERT INTO winkhook.rollup_pending
                SELECT DISTINCT date_trunc('hour', e.time) FROM winkhook.events e
                WHERE e.xact >= previous AND e.time >= frozen_before
                ON CONFLICT DO NOTHING;

                WITH taken AS (DELETE FROM winkhook.rollup_pending p WHERE p.bucket < open_hour RETURNING p.bucket)
                SELECT array_agg(t.bucket ORDER BY t.bucket) INTO due FROM taken t;
                due := coalesce(due, '{}');

                DELETE FROM winkhook.rollup_hourly r WHERE r.bucket = ANY(due);
                IF cardinality(due) <= 24 THEN
                    FOREACH h IN ARRAY due LOOP
                        INSERT INTO winkhook.rollup_hourly
                        SELECT h, m.metric, e.event_key, e.webhook, e.entity, e.property, e.channel, m.currency,
                               count(*), sum(m.value), min(m.value), max(m.value)
                        FROM winkhook.events e,
                             unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                        WHERE e.time >= h AND e.time < h + interval '1 hour' AND e.disposition = 'stored'
                        GROUP BY 2, 3, 4, 5, 6, 7, 8;
                    END LOOP;
                ELSE
                    INSERT INTO winkhook.rollup_hourly
                    SELECT date_trunc('hour', e.time), m.metric, e.event_key, e.webhook, e.entity, e.property,
                           e.channel, m.currency, count(*), sum(m.value), min(m.value), max(m.value)
                    FROM winkhook.events e,
                         unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                    WHERE e.time >= due[1] AND e.time < due[cardinality(due)] + interval '1 hour'
                      AND date_trunc('hour', e.time) = ANY(due) AND e.disposition = 'stored'
                    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
                END IF;

                SELECT coalesce(array_agg(DISTINCT (b AT TIME ZONE 'UTC')::date), '{}') INTO due_days
                FROM unnest(due) AS b;
                DELETE FROM winkhook.rollup_daily r WHERE r.day = ANY(due_days);
                INSERT INTO winkhook.rollup_daily
                SELECT d, r.metric, r.event_key, r.webhook, r.entity, r.property, r.channel, r.currency,
                       sum(r.samples), sum(r.total), min(r.minimum), max(r.maximum)
                FROM unnest(due_days) AS d
                JOIN winkhook.rollup_hourly r
                  ON r.bucket >= (d::timestamp AT TIME ZONE 'UTC') AND r.bucket < ((d + 1)::timestamp AT TIME ZONE 'UTC')
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

                INSERT INTO winkhook.bookings AS b
                SELECT DISTINCT ON (e.booking_id)
                       e.booking_id, e.webhook, e.event_key, e.state, e.version,
                       coalesce(e.state IN ('CANCELLED', 'PARTIALLY_REFUNDED', 'FULLY_REFUNDED', 'FAILED',
                                            'PAYMENT_FAILED'), false)
                           OR e.event_key LIKE '%.cancelled' OR e.event_key LIKE '%.failed',
                       e.entity, e.property, e.channel, e.room_type, e.stay_start, e.stay_end, e.room_nights, e.rooms,
                       e.gross, e.net, e.currency, e.booked_at, e.time, e.id
                FROM winkhook.events e
                WHERE e.xact >= previous AND e.booking_id IS NOT NULL AND e.disposition = 'stored'
                  AND (e.version IS NOT NULL OR e.stay_start IS NOT NULL OR e.gross IS NOT NULL)
                ORDER BY e.booking_id, coalesce(e.version, -1) DESC, e.time DESC, e.id DESC
                ON CONFLICT (booking_id) DO UPDATE SET
                    webhook = excluded.webhook, event_key = excluded.event_key, state = excluded.state,
                    version = excluded.version, cancelled = excluded.cancelled, entity = excluded.entity,
                    property = excluded.property, channel = excluded.channel, room_type = excluded.room_type,
                    stay_start = excluded.stay_start, stay_end = excluded.stay_end,
                    room_nights = excluded.room_nights, rooms = excluded.rooms, gross = excluded.gross,
                    net = excluded.net, currency = excluded.currency,
                    booked_at = coalesce(b.booked_at, excluded.booked_at),
                    updated_at = excluded.updated_at, event_id = excluded.event_id
                WHERE (coalesce(excluded.version, -1), excluded.updated_at, excluded.event_id)
                   >= (coalesce(b.version, -1), b.updated_at, b.event_id);
                GET DIAGNOSTICS n_bookings = ROW_COUNT;

                UPDATE winkhook.maintenance
                SET horizon = next_horizon, closed_before = open_hour, ran_at = now();
                RETURN QUERY SELECT n_events, cardinality(due), cardinality(due_days), n_bookings;
            END
            $fn$;

            -- Retention: drops the daily partitions of winkhook.events before `keep_days` days ago (and
            -- such rows in the default partition), rejected bodies as old, and de-duplication rows older
            -- than `dedupe_days` (NULL: kept). Rollups and the ledger stay. Returns what it removed.
            CREATE FUNCTION winkhook.apply_retention(keep_days integer, dedupe_days integer)
            RETURNS TABLE (partitions integer, default_rows bigint, rejected_rows bigint, dedupe_rows bigint)
            LANGUAGE plpgsql AS $fn$
            DECLARE
                cutoff date := (now() AT TIME ZONE 'UTC')::date - keep_days;
                part record;
                dropped integer := 0;
                n_default bigint := 0;
                n_rejected bigint := 0;
                n_dedupe bigint := 0;
            BEGIN
                SET LOCAL lock_timeout = '5s';
                FOR part IN
                    SELECT c.relname FROM pg_inherits i
                    JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'winkhook.events'::regclass AND c.relname ~ '^events_[0-9]{8}$'
                      AND to_date(substr(c.relname, 8), 'YYYYMMDD') < cutoff
                LOOP
                    EXECUTE format('DROP TABLE winkhook.%I', part.relname);
                    dropped := dropped + 1;
                END LOOP;
                DELETE FROM winkhook.events_default WHERE time < (cutoff::timestamp AT TIME ZONE 'UTC');
                GET DIAGNOSTICS n_default = ROW_COUNT;
                DELETE FROM winkhook.rejected_deliveries WHERE received_at < (cutoff::timestamp AT TIME ZONE 'UTC');
                GET DIAGNOSTICS n_rejected = ROW_COUNT;
                IF dedupe_days IS NOT NULL THEN
                    DELETE FROM winkhook.dedupe WHERE received_at < now() - make_interval(days => dedupe_days);
                    GET DIAGNOSTICS n_dedupe = ROW_COUNT;
                END IF;
                RETURN QUERY SELECT dropped, n_default, n_rejected, n_dedupe;
            END
            $fn$;

            -- Gives each day that has rows in the default partition (late events, a history load) its own
            -- partition, from `not_before` on. Returns how many partitions it created.
            CREATE FUNCTION winkhook.partition_default_rows(not_before date)
            RETURNS integer LANGUAGE plpgsql AS $fn$
            DECLARE
                d date;
                created integer := 0;
            BEGIN
                FOR d IN
                    SELECT DISTINCT (time AT TIME ZONE 'UTC')::date FROM winkhook.events_default
                    WHERE time >= (not_before::timestamp AT TIME ZONE 'UTC')
                LOOP
                    created := created + winkhook.ensure_partitions(d, 1);
                END LOOP;
                RETURN created;
            END
            $fn$;

            -- Every metric per day, complete up to now: the daily rollups plus the raw rows not rolled up yet.
            CREATE VIEW winkhook.v_daily_metrics AS
                SELECT day, metric, event_key, webhook, entity, property, channel, currency,
                       sum(samples) AS samples, sum(total) AS total, min(minimum) AS minimum, max(maximum) AS maximum
                FROM (
                    SELECT r.day, r.metric, r.event_key, r.webhook, r.entity, r.property, r.channel, r.currency,
                           r.samples, r.total, r.minimum, r.maximum
                    FROM winkhook.rollup_daily r
                    UNION ALL
                    SELECT (e.time AT TIME ZONE 'UTC')::date, m.metric, e.event_key, e.webhook, e.entity, e.property,
                           e.channel, m.currency, 1, m.value, m.value, m.value
                    FROM winkhook.events e, winkhook.maintenance s,
                         unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                    WHERE e.time >= s.closed_before AND e.disposition = 'stored'
                ) x
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

            -- The same per hour.
            CREATE VIEW winkhook.v_hourly_metrics AS
                SELECT bucket, metric, event_key, webhook, entity, property, channel, currency,
                       sum(samples) AS samples, sum(total) AS total, min(minimum) AS minimum, max(maximum) AS maximum
                FROM (
                    SELECT r.bucket, r.metric, r.event_key, r.webhook, r.entity, r.property, r.channel, r.currency,
                           r.samples, r.total, r.minimum, r.maximum
                    FROM winkhook.rollup_hourly r, winkhook.maintenance s
                    WHERE r.bucket < s.closed_before
                    UNION ALL
                    SELECT date_trunc('hour', e.time), m.metric, e.event_key, e.webhook, e.entity, e.property,
                           e.channel, m.currency, 1, m.value, m.value, m.value
                    FROM winkhook.events e, winkhook.maintenance s,
                         unnest(e.metrics, e.metric_values, e.metric_currencies) AS m(metric, value, currency)
                    WHERE e.time >= s.closed_before AND e.disposition = 'stored'
                ) x
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

            -- Bookings per day (when booked), property, channel and currency: volume, revenue, ADR, lead
            -- time, cancellations and the revenue they lost.
            CREATE VIEW winkhook.v_bookings_daily AS
                SELECT day, property, channel, currency,
                       sum(total) FILTER (WHERE metric = 'booking.count') AS bookings,
                       sum(total) FILTER (WHERE metric = 'booking.room_nights') AS room_nights,
                       sum(total) FILTER (WHERE metric = 'booking.gross_amount') AS gross_revenue,
                       sum(total) FILTER (WHERE metric = 'booking.net_amount') AS net_revenue,
                       sum(total) FILTER (WHERE metric = 'booking.gross_amount')
                         / nullif(sum(total) FILTER (WHERE metric = 'booking.room_nights'), 0) AS adr,
                       sum(total) FILTER (WHERE metric = 'booking.lead_days')
                         / nullif(sum(samples) FILTER (WHERE metric = 'booking.lead_days'), 0) AS avg_lead_days,
                       sum(total) FILTER (WHERE metric = 'booking.cancelled.count') AS cancellations,
                       sum(total) FILTER (WHERE metric = 'booking.cancelled.gross_amount') AS lost_revenue,
                       sum(total) FILTER (WHERE metric = 'booking.refund_amount') AS refunded
                FROM winkhook.v_daily_metrics
                WHERE metric LIKE 'booking.%'
                GROUP BY 1, 2, 3, 4;

            -- Payments per day and currency: outcomes, amounts, success rate.
            CREATE VIEW winkhook.v_payments_daily AS
                SELECT day, currency,
                       sum(total) FILTER (WHERE metric = 'payment.succeeded.count') AS succeeded,
                       sum(total) FILTER (WHERE metric = 'payment.failed.count') AS failed,
                       sum(total) FILTER (WHERE metric = 'payment.succeeded.amount') AS succeeded_amount,
                       sum(total) FILTER (WHERE metric = 'payment.failed.amount') AS failed_amount,
                       sum(total) FILTER (WHERE metric = 'payment.succeeded.count')
                         / nullif(sum(total) FILTER (WHERE metric IN ('payment.succeeded.count', 'payment.failed.count')), 0)
                         AS success_rate
                FROM winkhook.v_daily_metrics
                WHERE metric LIKE 'payment.%'
                GROUP BY 1, 2;

            -- Room nights on the books per stay night, from the ledger (bookings not cancelled).
            CREATE VIEW winkhook.v_on_the_books AS
                SELECT night::date AS night, b.property, b.channel, b.currency,
                       count(*) AS bookings,
                       sum(coalesce(b.rooms, 1)) AS rooms,
                       sum(b.gross / nullif(b.stay_end - b.stay_start, 0)) AS revenue
                FROM winkhook.bookings b,
                     generate_series(b.stay_start, b.stay_end - 1, interval '1 day') AS night
                WHERE NOT b.cancelled AND b.stay_end > b.stay_start
                GROUP BY 1, 2, 3, 4;
            """)
}
