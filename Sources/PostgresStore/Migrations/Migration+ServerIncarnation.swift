extension Migration {
    /// Version 10: a token for each life of the server's data since its last crash. The drainer commits
    /// its batches without waiting for the disk and deletes what it drained once a flush has made them
    /// durable, on the same server: if the server crashed in between, those commits may be lost. A crash
    /// recovery (also the one after a backend crash, which keeps the postmaster and so its start time)
    /// empties every unlogged table, so a new token is made, and the drainer sees another server.
    static let serverIncarnation = Migration(
        version: 10, name: "a token for each life of the server since a crash",
        sql: """
            CREATE UNLOGGED TABLE winkhook.incarnation (
                one   boolean PRIMARY KEY DEFAULT true CHECK (one),
                token text    NOT NULL DEFAULT gen_random_uuid()::text
            );
            INSERT INTO winkhook.incarnation DEFAULT VALUES;
            """)
}
