extension Migration {
    /// Version 3: the archive's bodies and headers are compressed with LZ4 instead of pglz when the server
    /// was built with it (Debian's is): a 4.7 KB booking body spent more of the database's time in
    /// `pglz_compress` than in anything else while draining. Only values written from now on change.
    static let lz4Archive = Migration(
        version: 3, name: "archive compressed with lz4",
        sql: """
            DO $$
            BEGIN
                ALTER TABLE winkhook.deliveries
                    ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN headers SET COMPRESSION lz4;
                ALTER TABLE winkhook.rejected_deliveries ALTER COLUMN body SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN
                RAISE NOTICE 'this server has no lz4: the archive stays pglz-compressed';
            END
            $$;
            """)
}
