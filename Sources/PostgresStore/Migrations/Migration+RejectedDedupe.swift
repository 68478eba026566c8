extension Migration {
    /// Version 2: a rejected body is kept once per `(webhook, dedupe_key)` (the sender's delivery id, else
    /// the body's SHA-256), not once per retry. Rows from version 1 keep a NULL key.
    static let rejectedDedupe = Migration(
        version: 2, name: "rejected deliveries kept once per delivery",
        sql: """
            ALTER TABLE winkhook.rejected_deliveries ADD COLUMN dedupe_key text;
            CREATE UNIQUE INDEX rejected_deliveries_dedupe
                ON winkhook.rejected_deliveries (webhook, dedupe_key);
            """)
}
