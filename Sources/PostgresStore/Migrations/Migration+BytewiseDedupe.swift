extension Migration {
    /// Version 9: the de-duplication key is compared byte by byte (`COLLATE "C"`), not by the database's
    /// locale. Its B-tree is searched twice for every delivery (the conflict check, then the insert); in a
    /// `C.UTF-8` or `en_US.UTF-8` database each comparison went through `strcoll`. Equality is the same
    /// (every libc collation is deterministic) and nothing orders by these columns. Rebuilds the primary
    /// key's index once: seconds per million rows.
    static let bytewiseDedupe = Migration(
        version: 9, name: "de-duplication keys compared byte by byte",
        sql: """
            ALTER TABLE winkhook.dedupe
                ALTER COLUMN webhook TYPE text COLLATE "C",
                ALTER COLUMN dedupe_key TYPE text COLLATE "C";
            """)
}
