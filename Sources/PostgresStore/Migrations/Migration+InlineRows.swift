extension Migration {
    /// Version 7: the write path's cheaper rows, from a profile of the PostgreSQL backend under the
    /// harness's load (`perf record` of the backends; shares of its CPU):
    /// - A booking row is about 2.1 KB, just over the 2 KB TOAST threshold, so each insert compressed the
    ///   body (lz4), then the metric arrays (pglz), and still moved many bodies out to the TOAST table
    ///   (a second heap tuple, a B-tree entry and an OID probe): 11.6 %. With `toast_tuple_target` at its
    ///   maximum a row up to a page (8160 bytes) stays inline and uncompressed; bigger ones are still
    ///   compressed with lz4, then moved out.
    /// - The `disposition` CHECK was read back from its node string and planned again for every
    ///   statement (`ExecRelCheck`): 4.2 %. Only winkhook writes the column, from a closed enum.
    static let inlineRows = Migration(
        version: 7, name: "event rows stored inline up to a page",
        sql: """
            ALTER TABLE winkhook.events DROP CONSTRAINT IF EXISTS events_disposition_check;
            DO $do$
            DECLARE part regclass;
            BEGIN
                FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'winkhook.events'::regclass LOOP
                    EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)', part);
                END LOOP;
            END
            $do$;

            -- As in version 4, and each new partition gets the same storage parameter.
            CREATE OR REPLACE FUNCTION winkhook.ensure_partitions(first_day date, days integer)
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
                    EXECUTE format('CREATE TABLE winkhook.%I (LIKE winkhook.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMPRESSION) '
                                   'WITH (toast_tuple_target = 8160)', part);
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
