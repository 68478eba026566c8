extension Migration {
    /// Version 8: the archive keeps each body as the sender's bytes (`text`), not as `jsonb`.
    /// - The archive is the proof of what arrived: `jsonb` reorders members, drops spacing and repeated
    ///   names, and rewrites numbers, so a stored body could no longer be checked against its signature
    ///   or its SHA-256 (`body_sha256`). Bodies stored before this version keep `jsonb`'s spelling.
    /// - `jsonb`'s parse was PostgreSQL's largest single cost per delivery (23 % of its time while
    ///   draining, by `perf`); the worker's parser already refuses what `jsonb` could not hold.
    /// - `winkhook.deliveries` still shows `body` as `jsonb` (cast on reading), with the bytes beside it as
    ///   `raw_body`.
    /// Rewrites `winkhook.events` (all partitions) once: minutes for a large archive.
    static let rawBodies = Migration(
        version: 8, name: "bodies kept byte for byte",
        sql: """
            DROP VIEW winkhook.deliveries;
            ALTER TABLE winkhook.events ALTER COLUMN body TYPE text USING body::text;
            DO $$
            BEGIN
                ALTER TABLE winkhook.events ALTER COLUMN body SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN
                RAISE NOTICE 'this server has no lz4: bodies stay pglz-compressed';
            END
            $$;
            CREATE VIEW winkhook.deliveries AS
                SELECT id, received_at, webhook, event_key, sent_key, disposition AS status, dedupe_key, body_sha256,
                       headers, body::jsonb AS body, body AS raw_body
                FROM winkhook.events;
            """)
}
