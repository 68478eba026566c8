extension Migration {
    /// Version 1: de-duplication, the raw archive, rejected bodies, and the daily-partitioned points table.
    static let initialSchema = Migration(
        version: 1, name: "initial schema",
        sql: """
            -- One row per (webhook, idempotency key) ever accepted; kept forever (small rows).
            CREATE TABLE winkhook.dedupe (
                webhook     text        NOT NULL,
                dedupe_key  text        NOT NULL,
                received_at timestamptz NOT NULL,
                PRIMARY KEY (webhook, dedupe_key)
            );

            -- The raw archive: every accepted delivery, whatever its event key.
            CREATE TABLE winkhook.deliveries (
                id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received_at timestamptz NOT NULL,
                webhook     text        NOT NULL,
                event_key   text        NOT NULL,
                sent_key    text,
                status      text        NOT NULL CHECK (status IN ('stored', 'ignored')),
                dedupe_key  text        NOT NULL,
                body_sha256 text        NOT NULL,
                headers     jsonb       NOT NULL,
                body        jsonb       NOT NULL
            );
            CREATE INDEX deliveries_received_at_brin ON winkhook.deliveries USING brin (received_at);
            CREATE INDEX deliveries_key_time ON winkhook.deliveries (webhook, event_key, received_at);

            -- Authenticated bodies that were not accepted (not JSON, or refused by jsonb): raw bytes.
            CREATE TABLE winkhook.rejected_deliveries (
                id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received_at timestamptz NOT NULL,
                webhook     text        NOT NULL,
                reason      text        NOT NULL,
                headers     jsonb       NOT NULL,
                body        bytea       NOT NULL
            );

            -- The time series: handler output, one row per metric value, partitioned by day (UTC).
            CREATE TABLE winkhook.points (
                time        timestamptz NOT NULL,
                metric      text        NOT NULL,
                value       numeric     NOT NULL,
                event_key   text        NOT NULL,
                webhook     text        NOT NULL,
                entity      text,
                property    text,
                channel     text,
                currency    text,
                booking_id  text,
                occurred_at timestamptz,
                delivery    bigint      NOT NULL
            ) PARTITION BY RANGE (time);
            CREATE INDEX points_time_brin ON winkhook.points USING brin (time);
            CREATE INDEX points_metric_time ON winkhook.points (metric, time);
            -- Catches rows outside every daily partition so an insert never fails for want of one;
            -- ensure_partitions moves them out when it creates their day.
            CREATE TABLE winkhook.points_default PARTITION OF winkhook.points DEFAULT;

            -- Creates the daily partitions from `first_day` for `days` days (UTC); safe to call
            -- concurrently and repeatedly. Returns how many it created.
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
                    part := 'points_' || to_char(day, 'YYYYMMDD');
                    CONTINUE WHEN to_regclass('winkhook.' || part) IS NOT NULL;
                    low := (day::timestamp AT TIME ZONE 'UTC');
                    high := ((day + 1)::timestamp AT TIME ZONE 'UTC');
                    EXECUTE format('CREATE TABLE winkhook.%I (LIKE winkhook.points INCLUDING DEFAULTS)', part);
                    EXECUTE format('WITH moved AS (DELETE FROM winkhook.points_default WHERE time >= %L AND time < %L RETURNING *) '
                                   'INSERT INTO winkhook.%I SELECT * FROM moved', low, high, part);
                    EXECUTE format('ALTER TABLE winkhook.points ATTACH PARTITION winkhook.%I FOR VALUES FROM (%L) TO (%L)',
                                   part, low, high);
                    created := created + 1;
                END LOOP;
                RETURN created;
            END
            $fn$;
            """)
}
